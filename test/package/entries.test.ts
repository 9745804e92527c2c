import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPackage, root, type EntryFiles } from "./build.js";

// Every subpath of package.json "exports" is built with the project's tsup config and loaded
// in a fresh node process, ESM and CJS. A new entry (./tfjs, ./onnx, ...) is covered as soon
// as it is listed in "exports".
let dir = "";
let entries: EntryFiles[] = [];

beforeAll(async () => {
  ({ dir, entries } = await buildPackage("entries"));
}, 180_000);

afterAll(() => { if (!process.env.KEEP_BUILD) rmSync(dir, { recursive: true, force: true }); });

/** What the probe script reports for one format. */
interface Probe {
  subpaths: string[];
  /** Per subpath: errors with a FlowMatchingError code thrown by its exports, and how many were instanceof the main entry's FlowMatchingError. */
  errors: Record<string, { typed: number; instanceOfMain: number; foreign: string[] }>;
  /** Export names present in two entries whose values differ. */
  duplicated: string[];
  /** Error classes exported by an entry that do not derive from the main entry's FlowMatchingError. */
  foreignClasses: string[];
}

// The probe loads every entry, then calls each exported function (and constructs each class)
// with argument lists a user might get wrong, and sorts whatever is thrown.
const probeBody = `
const codes = new Set(["SHAPE_MISMATCH", "INVALID_ARGUMENT", "NON_FINITE", "NOT_CONVERGED"]);
const main = mods["."];
const Base = main.FlowMatchingError;
const bad = [[], [undefined], [null], [{}], ["x"], [Number.NaN], [{}, {}], [1.5, "x"], [null, null, null]];
const out = { subpaths: Object.keys(mods), errors: {}, duplicated: [], foreignClasses: [] };
const withTimeout = (p) => Promise.race([p, new Promise((r) => setTimeout(r, 500).unref())]);
for (const [subpath, mod] of Object.entries(mods)) {
  const rec = { typed: 0, instanceOfMain: 0, foreign: [] };
  const seen = (e, name) => {
    if (e === null || typeof e !== "object" || !codes.has(e.code)) return;
    rec.typed++;
    if (e instanceof Base) rec.instanceOfMain++; else rec.foreign.push(name + ": " + e.message);
  };
  for (const [name, value] of Object.entries(mod)) {
    if (typeof value !== "function") continue;
    if (value.prototype instanceof Error && value !== Base && !(value.prototype instanceof Base)) {
      if (value.prototype.code !== undefined || /FlowMatching|Shape|Domain|NonFinite|Convergence/.test(name)) out.foreignClasses.push(subpath + ":" + name);
    }
    for (const args of bad) {
      for (const construct of [false, true]) {
        try {
          const r = construct ? new value(...args) : value(...args);
          if (r && typeof r.then === "function") await withTimeout(r.catch((e) => seen(e, name)));
          if (r && typeof r.dispose === "function") { try { r.dispose(); } catch {} }
        } catch (e) { seen(e, name); }
      }
    }
  }
  out.errors[subpath] = rec;
}
const names = Object.keys(mods);
for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) {
  const a = mods[names[i]], b = mods[names[j]];
  for (const k of Object.keys(a)) if (k in b && a[k] !== b[k]) out.duplicated.push(names[i] + " vs " + names[j] + ": " + k);
}
console.log(JSON.stringify(out));
process.exit(0);
`;

function probe(kind: "import" | "require"): Probe {
  const loads = entries.map((e) => kind === "import"
    ? `mods[${JSON.stringify(e.subpath)}] = await import(${JSON.stringify(e.import)});`
    : `mods[${JSON.stringify(e.subpath)}] = require(${JSON.stringify(e.require)});`).join("\n");
  const script = kind === "import"
    ? `const mods = {};\n${loads}\n${probeBody}`
    : `(async () => { const mods = {};\n${loads}\n${probeBody} })();`;
  const args = kind === "import" ? ["--input-type=module", "-e", script] : ["-e", script];
  const stdout = execFileSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 120_000 });
  return JSON.parse(stdout.trim().split("\n").pop() as string) as Probe;
}

describe("package entries (every subpath of package.json exports)", () => {
  it("lists the main entry, ./gpu and ./testing", () => {
    expect(entries.map((e) => e.subpath)).toEqual(expect.arrayContaining([".", "./gpu", "./testing"]));
  });

  for (const kind of ["import", "require"] as const) {
    it(`property (${kind === "import" ? "ESM" : "CJS"}): every typed error thrown by any entry is instanceof the main entry's FlowMatchingError, and names shared by two entries are the same object`, () => {
      const r = probe(kind);
      expect(r.subpaths.sort()).toEqual(entries.map((e) => e.subpath).sort());
      for (const subpath of r.subpaths) {
        const rec = r.errors[subpath] as Probe["errors"][string];
        // each entry rejects at least one malformed call with a typed error, so the check has teeth
        expect(rec.typed, `${subpath} threw no typed error`).toBeGreaterThan(0);
        expect(rec.foreign, subpath).toEqual([]);
        expect(rec.instanceOfMain).toBe(rec.typed);
      }
      expect(r.duplicated).toEqual([]);
      expect(r.foreignClasses).toEqual([]);
    });
  }

  it("property: each source module is bundled into exactly one output file per format (one copy of every class and of all module state)", () => {
    for (const ext of [".js", ".cjs"]) {
      const owner = new Map<string, string>();
      const clashes: string[] = [];
      const distDir = join(dir, "dist");
      const files = (readdirSync(distDir, { recursive: true }) as string[]).filter((f) => f.endsWith(ext));
      expect(files.length).toBeGreaterThanOrEqual(entries.length);
      for (const file of files) {
        const map = JSON.parse(readFileSync(join(distDir, `${file}.map`), "utf8")) as { sources: string[] };
        for (const source of map.sources) {
          const key = relative(root, join(distDir, file, "..", source));
          if (!key.startsWith("src")) continue;
          const prev = owner.get(key);
          if (prev !== undefined && prev !== file) clashes.push(`${key} in ${prev} and ${file}`);
          owner.set(key, file);
        }
      }
      expect(clashes).toEqual([]);
      expect(owner.has(join("src", "core", "errors.ts"))).toBe(true);
    }
  });
});

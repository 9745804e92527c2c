// Release candidate check: packs the package and installs the tarball into two fresh
// projects, a TypeScript ESM one (type-checked with this repo's tsc, then run) and a plain
// CommonJS JavaScript one, where the quick start must run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const work = mkdtempSync(join(tmpdir(), "fm-release-"));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

const quickStart = (importLine) => `${importLine}
const rng = new Random(42);
const x0 = standardNormal(2).sample(256, rng);
const x1 = moons().sample(256, rng);
const rows = toRows(x1);
if (x0.shape[0] !== 256 || rows.length !== 256 || rows[0].length !== 2) throw new Error("unexpected shapes");
console.log("quick start ok", x0.shape.join("x"), rows[0].length);
`;

try {
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], root));
  const tarball = join(work, packed[0].filename);
  console.log(`packed ${tarball}`);

  const esm = join(work, "esm-ts");
  run("mkdir", ["-p", esm], work);
  writeFileSync(join(esm, "package.json"), JSON.stringify({ name: "esm-ts", private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], esm);
  writeFileSync(join(esm, "tsconfig.json"), JSON.stringify({
    compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, lib: ["ES2022", "DOM"], outDir: "out", skipLibCheck: false, types: [] },
    include: ["main.ts"],
  }));
  writeFileSync(join(esm, "main.ts"), quickStart(`import { Random, standardNormal, moons, toRows, type Batch } from "flow-matching";\nconst typed: (b: Batch) => number = (b) => b.shape[0] ?? 0;\nvoid typed;`));
  run(process.execPath, [tsc, "-p", "tsconfig.json"], esm);
  process.stdout.write(`ESM TypeScript project: ${run(process.execPath, ["out/main.js"], esm)}`);

  const cjs = join(work, "cjs-js");
  run("mkdir", ["-p", cjs], work);
  writeFileSync(join(cjs, "package.json"), JSON.stringify({ name: "cjs-js", private: true }));
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], cjs);
  writeFileSync(join(cjs, "main.js"), quickStart(`const { Random, standardNormal, moons, toRows } = require("flow-matching");`));
  process.stdout.write(`CommonJS JavaScript project: ${run(process.execPath, ["main.js"], cjs)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

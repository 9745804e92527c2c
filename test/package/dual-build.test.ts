import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Random } from "../../src/index.js";
import { buildPackage, root } from "./build.js";

// Builds the package with the project's tsup config into .tmp/ inside the repository so
// that node resolves its dependencies from node_modules, then runs both builds in fresh
// node processes.
let outDir = "";

beforeAll(async () => {
  outDir = join((await buildPackage("dual-build")).dir, "dist");
}, 180_000);

afterAll(() => { if (!process.env.KEEP_BUILD) rmSync(join(outDir, ".."), { recursive: true, force: true }); });

function draws(kind: "import" | "require"): number[] {
  const script = kind === "import"
    ? `import { Random } from ${JSON.stringify(join(outDir, "index.js"))};
       const r = new Random(2024); console.log(JSON.stringify(Array.from(r.fillNormal(new Float64Array(1000)))));`
    : `const { Random } = require(${JSON.stringify(join(outDir, "index.cjs"))});
       const r = new Random(2024); console.log(JSON.stringify(Array.from(r.fillNormal(new Float64Array(1000)))));`;
  const args = kind === "import" ? ["--input-type=module", "-e", script] : ["-e", script];
  return JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" })) as number[];
}

describe("ESM and CJS builds", () => {
  it("give bit-identical first 1000 normal draws for a seed, identical to the source", () => {
    const esm = draws("import");
    const cjs = draws("require");
    expect(esm).toHaveLength(1000);
    expect(cjs).toEqual(esm);
    expect(Array.from(new Random(2024).fillNormal(new Float64Array(1000)))).toEqual(esm);
  });
});

/** A 32-bit FNV-1a hash of the bits of 1e6 normal draws for seed 7 (so through about 260 tail and 15000 wedge branches of the ziggurat), in a fresh node process or here. */
const HASH_BODY = `const x = new Random(7).fillNormal(new Float64Array(1000000)); const w = new Uint32Array(x.buffer);
  let h = 0x811c9dc5; for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w[i], 0x01000193); console.log(h >>> 0);`;

function normalHash(kind: "import" | "require"): number {
  const script = kind === "import"
    ? `import { Random } from ${JSON.stringify(join(outDir, "index.js"))}; ${HASH_BODY}`
    : `const { Random } = require(${JSON.stringify(join(outDir, "index.cjs"))}); ${HASH_BODY}`;
  const args = kind === "import" ? ["--input-type=module", "-e", script] : ["-e", script];
  return Number(execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" }).trim());
}

describe("ESM and CJS builds, 1e6 normals", () => {
  it("hash the bits of 1e6 normal draws (tail and wedge branches of the ziggurat included) to the same value as the source", () => {
    const logs: string[] = [];
    // eslint-disable-next-line no-new-func
    new Function("Random", "console", HASH_BODY)(Random, { log: (v: unknown) => logs.push(String(v)) });
    const here = Number(logs[0]);
    expect(normalHash("import")).toBe(here);
    expect(normalHash("require")).toBe(here);
  });
});

/** Runs an MLP from the main entry through the built GPU entry's cpu-f32 backend on 2 threads. */
function gpuRun(kind: "import" | "require"): { backend: string; threads: number; maxDiff: number; stats: { workerRanges: number; takenOver: number } } {
  const body = `const net = core.mlp({ dim: 2, hidden: [64, 64], seed: 3 });
    const x = new core.Random(4).normalBatch(2048, 2);
    const field = gpu.gpuMlpField(net, { backend: "cpu-f32", poolSize: 2 });
    const u = field.evaluate(x, 0.6).data, ref = net.evaluate(x, 0.6).data;
    let maxDiff = 0; for (let i = 0; i < u.length; i++) maxDiff = Math.max(maxDiff, Math.abs(u[i] - ref[i]));
    console.log(JSON.stringify({ backend: field.report.backend, threads: field.report.threads, maxDiff, stats: field.engine.pool.stats }));
    field.dispose();`;
  const script = kind === "import"
    ? `import * as core from ${JSON.stringify(join(outDir, "index.js"))}; import * as gpu from ${JSON.stringify(join(outDir, "gpu/index.js"))}; ${body}`
    : `const core = require(${JSON.stringify(join(outDir, "index.cjs"))}); const gpu = require(${JSON.stringify(join(outDir, "gpu/index.cjs"))}); ${body}`;
  const args = kind === "import" ? ["--input-type=module", "-e", script] : ["-e", script];
  return JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" })) as ReturnType<typeof gpuRun>;
}

describe("the built GPU entry", () => {
  it("property: takes an Mlp made by the main entry (one shared copy of the class) and splits cpu-f32 rows over a worker whose source is the bundled kernel loop (ESM and CJS)", () => {
    for (const kind of ["import", "require"] as const) {
      const r = gpuRun(kind);
      expect(r.backend).toBe("cpu-f32");
      expect(r.threads).toBe(2);
      expect(r.maxDiff).toBeLessThan(1e-5);
      expect(r.stats.workerRanges).toBe(1);
      expect(r.stats.takenOver).toBe(0);
    }
  });
});

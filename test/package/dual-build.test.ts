import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "tsup";
import { Random } from "../../src/index.js";

// Builds the package (ESM and CJS, no d.ts) into .tmp/ inside the repository so that
// node resolves its dependencies from node_modules, then runs both builds in fresh
// node processes.
const root = resolve(__dirname, "../..");
const outDir = join(root, ".tmp", "dual-build");

beforeAll(async () => {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    config: false,
    entry: { index: join(root, "src/index.ts") },
    format: ["esm", "cjs"],
    outDir,
    dts: false,
    silent: true,
    platform: "neutral",
    target: "es2022",
    external: ["ndarray", "ndarray-ops"],
  });
  writeFileSync(join(outDir, "package.json"), JSON.stringify({ type: "module" }));
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

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

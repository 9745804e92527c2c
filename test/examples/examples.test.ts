import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// Every example runs end to end (with few training steps, to keep the suite fast) and
// writes its picture. Full-size runs are timed by `npm run pictures`.
const root = resolve(__dirname, "../..");
const tsx = join(root, "node_modules/tsx/dist/cli.mjs");
const cases: [string, string[]][] = [
  ["quick-start", ["quick-start.svg"]],
  ["train-moons", ["train-moons.svg", "train-moons-loss.svg"]],
  ["couplings-compare", ["couplings-compare.svg"]],
  ["checkerboard-likelihood", ["checkerboard-likelihood.svg"]],
  ["guided-generation", ["guided-generation.svg"]],
  ["rotated-moons", ["rotated-moons.svg"]],
  ["gpu-sampling", ["gpu-sampling.svg"]],
  ["tfjs-moons", ["tfjs-moons.svg", "tfjs-moons-loss.svg"]],
  ["onnx-sample", ["onnx-sample.svg"]],
  ["property-test-path", []],
  ["sphere-flow", ["sphere-flow.svg"]],
  ["torus-flow", ["torus-flow.svg"]],
  ["discrete-checkerboard", ["discrete-checkerboard.svg"]],
  ["few-step", ["few-step-moons.svg", "few-step-checkerboard.svg"]],
];

describe.each(cases)("examples/%s.ts", (name, pictures) => {
  it("runs to the end and writes its pictures", () => {
    for (const p of pictures) rmSync(join(root, "examples/out", p), { force: true });
    const stdout = execFileSync(process.execPath, [tsx, join(root, `examples/${name}.ts`)], {
      cwd: root, encoding: "utf8", env: { ...process.env, STEPS: "40" }, stdio: ["ignore", "pipe", "pipe"],
    });
    expect(stdout.length).toBeGreaterThan(0);
    for (const p of pictures) {
      const file = join(root, "examples/out", p);
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).size).toBeGreaterThan(1000);
      expect(readFileSync(file, "utf8")).toMatch(/^<svg[\s\S]*<\/svg>$/);
    }
  }, 120_000);
});

import { describe, expect, it } from "vitest";
import { Random, adam, affinePath, condOT, mlp, moons, sample, standardNormal, trainSync } from "../../src/index.js";
import { gpuMlpField } from "../../src/gpu/index.js";
import type { GpuBackend } from "../../src/gpu/index.js";
import { maxRelativeError } from "./helpers.js";

describe("GpuMlpField.load: sampling a model between training steps", () => {
  it("property: after load(model) every backend samples what the CPU model samples (within 1e-4), at every checkpoint of a training run, without new kernels", () => {
    const model = mlp({ dim: 2, hidden: [32, 32], activation: "silu", seed: 4 });
    const backends: GpuBackend[] = ["webasm", "cpu-f32", "cpu-f64"];
    const fields = backends.map((backend) => gpuMlpField(model, { backend, poolSize: 2 }));
    const x0 = standardNormal(2).sample(600, new Random(5));
    const checkpoints: number[] = [];
    try {
      trainSync({
        model, source: standardNormal(2), target: moons(), path: affinePath(condOT()), steps: 60, batchSize: 64,
        rng: new Random(6), optimizer: adam({ lr: 1e-2 }),
        onStep: ({ step }) => {
          if (step % 20 !== 0) return;
          checkpoints.push(step);
          const cpu = sample(model, x0, { method: "midpoint", steps: 6 }).y.data;
          for (const field of fields) {
            const before = field.report.kernels.length;
            field.load(model);
            expect(maxRelativeError(sample(field, x0, { method: "midpoint", steps: 6 }).y.data, cpu)).toBeLessThanOrEqual(1e-4);
            if (step > 20) expect(field.report.kernels.length).toBe(before);
          }
        },
      });
      expect(checkpoints).toEqual([20, 40, 60]);
      // the weights did change: a field loaded at step 60 differs from a fresh snapshot of the initial model
      const initial = gpuMlpField(mlp({ dim: 2, hidden: [32, 32], activation: "silu", seed: 4 }), { backend: "cpu-f64" });
      expect(maxRelativeError(initial.evaluate(x0, 0.5).data, (fields[2] as ReturnType<typeof gpuMlpField>).evaluate(x0, 0.5).data)).toBeGreaterThan(1e-2);
      initial.dispose();
    } finally {
      for (const f of fields) f.dispose();
    }
  });

  it("errors: another architecture, a non-model, a disposed field", () => {
    const field = gpuMlpField(mlp({ dim: 2, hidden: [16], seed: 1 }), { backend: "cpu-f32" });
    expect(() => field.load(mlp({ dim: 2, hidden: [17], seed: 1 }))).toThrow(/gpuMlpField.load\(\): net must have the field's architecture, got dim 2, layers 3x17,17x2/);
    expect(() => field.load(mlp({ dim: 2, hidden: [16], activation: "tanh", seed: 1 }))).toThrow(/tanh/);
    expect(() => field.load(null as never)).toThrow(/net must be an Mlp or an MlpSpec/);
    field.dispose();
    expect(() => field.load(mlp({ dim: 2, hidden: [16], seed: 1 }))).toThrow(/disposed/);
  });
});

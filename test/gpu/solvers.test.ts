import { describe, expect, it } from "vitest";
import { mlp } from "../../src/nn/index.js";
import { Random } from "../../src/random/index.js";
import { logLikelihood, sample } from "../../src/solvers/index.js";
import { marginalVelocity } from "../../src/velocity/index.js";
import { gpuMarginalVelocity, gpuMlpField } from "../../src/gpu/index.js";
import { maxRelativeError } from "./helpers.js";

const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
const BACKENDS = ["webasm", "cpu", "cpu-f64", "cpu-f32"] as const;

describe("class-conditional MLPs on the GPU path", () => {
  for (const backend of BACKENDS) {
    it(`property: evaluateLabeled(Async) matches Mlp.evaluateLabeled within 1e-4 for one label, per-row labels and the null label; bad labels throw like the CPU (${backend})`, async () => {
      const net = mlp({ dim: 2, hidden: [32, 32], activation: "silu", classes: 3, seed: 21 });
      const rng = new Random(22);
      const x = rng.normalBatch(45, 2);
      const t = Float64Array.from({ length: 45 }, () => rng.uniform());
      const perRow = Int32Array.from({ length: 45 }, (_, i) => i % 4); // 0..3, 3 = null
      const field = gpuMlpField(net, { backend, tileRows: 16 });
      try {
        for (const labels of [1, perRow, 3]) {
          const cpu = net.evaluateLabeled(x, t, labels).data;
          expect(maxRelativeError(field.evaluateLabeled(x, t, labels).data, cpu)).toBeLessThanOrEqual(1e-4);
          expect(maxRelativeError((await field.evaluateLabeledAsync(x, t, labels)).data, cpu)).toBeLessThanOrEqual(1e-4);
        }
        // labels matter: class 0 and class 2 give different velocities, evaluate() is the null label
        expect(maxRelativeError(field.evaluateLabeled(x, t, 0).data, field.evaluateLabeled(x, t, 2).data)).toBeGreaterThan(1e-3);
        expect(maxRelativeError(field.evaluate(x, t).data, net.evaluateLabeled(x, t, 3).data)).toBeLessThanOrEqual(1e-4);
        expect(() => field.evaluateLabeled(x, t, 4)).toThrow(/labels must be an integer label in \[0, 3\], got 4/);
        expect(() => field.evaluateLabeled(x, t, 1.5)).toThrow(/labels must be an integer label/);
        expect(() => field.evaluateLabeled(x, t, [0, 1])).toThrow(/labels must have length n = 45, got 2/);
        expect(() => field.evaluateLabeled(x, t, Int32Array.from(perRow, (v, i) => (i === 7 ? -1 : v)))).toThrow(/labels\[7\]/);
        expect(() => field.evaluateLabeled(x, t, null as never)).toThrow(/labels must be a label or an array/);
      } finally {
        field.dispose();
      }
    });
  }
});

describe("the solvers accept GPU fields unchanged", () => {
  for (const backend of BACKENDS) {
    it(`property: sample() and logLikelihood(hutchinson, exact) of the GPU MLP field match the CPU field within float32 tolerance (${backend})`, () => {
      const net = mlp({ dim: 2, hidden: [32, 32], activation: "tanh", seed: 3 });
      const x0 = new Random(4).normalBatch(24, 2);
      const field = gpuMlpField(net, { backend });
      try {
        for (const method of ["euler", "rk4", "dopri5"] as const) {
          const opts = method === "dopri5" ? { method, rtol: 1e-5, atol: 1e-7 } : { method, steps: 10 };
          const gpu = sample(field, x0, opts);
          const cpu = sample(net, x0, opts);
          expect(maxRelativeError(gpu.y.data, cpu.y.data)).toBeLessThanOrEqual(1e-4);
        }
        for (const divergence of ["exact", "hutchinson"] as const) {
          const opts = { method: "rk4" as const, steps: 8, divergence, probes: 2 };
          const gpu = logLikelihood(field, x0, { ...opts, rng: new Random(5) });
          const cpu = logLikelihood(net, x0, { ...opts, rng: new Random(5) });
          expect(maxRelativeError(gpu.logProb, cpu.logProb)).toBeLessThanOrEqual(1e-4);
        }
      } finally {
        field.dispose();
      }
    });
  }

  it("property: sample() with the GPU marginal field (webasm and cpu-f64) lands where the float64 closed form lands, within 1e-4", () => {
    const rng = new Random(9);
    const data = rng.normalBatch(300, 2);
    const x0 = rng.normalBatch(40, 2);
    const cpu = sample(marginalVelocity(condOT, data), x0, { method: "rk4", steps: 12, t1: 0.95 });
    for (const backend of ["webasm", "cpu-f64"] as const) {
      const field = gpuMarginalVelocity(condOT, data, { backend });
      try {
        expect(maxRelativeError(sample(field, x0, { method: "rk4", steps: 12, t1: 0.95 }).y.data, cpu.y.data)).toBeLessThanOrEqual(1e-4);
      } finally {
        field.dispose();
      }
    }
  });
});

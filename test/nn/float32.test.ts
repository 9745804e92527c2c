import { describe, expect, it } from "vitest";
import fc from "fast-check";
import ndarray from "ndarray";
import { mlp, float32Inference } from "../../src/nn/index.js";
import type { Activation } from "../../src/nn/index.js";
import { Random } from "../../src/random/random.js";
import { fromRows } from "../../src/core/batch.js";
import type { Batch } from "../../src/core/batch.js";
import { DomainError, ShapeError } from "../../src/core/errors.js";

const activations: Activation[] = ["silu", "selu", "tanh", "relu", "gelu"];

/** max |a - b| / (1 + max |b|): float32 rounding over a few layers stays well below 1e-4. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return diff / (1 + scale);
}

describe("float32Inference", () => {
  it("uses the WebAssembly SIMD kernel on Node 20+", () => {
    const fast = float32Inference(mlp({ dim: 2, hidden: [8], seed: 0 }));
    expect(fast.simd).toBe(true);
    expect(fast.precision).toBe("float32");
  });

  it("agrees with the float64 MLP within float32 tolerance (1e-4 relative) for every activation, time embedding, shape and seed", () => {
    fc.assert(fc.property(
      fc.constantFrom(...activations),
      fc.boolean(),
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 0, max: 1000 }),
      (activation, fourier, dim, hidden, n, seed) => {
        const net = mlp({ dim, hidden, activation, seed, time: fourier ? { fourier: 3, scale: 2 } : "concat" });
        const rng = new Random(seed + 1);
        const x = rng.normalBatch(n, dim);
        const t = new Float64Array(n);
        rng.fillUniform(t);
        const ref = net.evaluate(x, t);
        const got = float32Inference(net).evaluate(x, t);
        expect(got.shape).toEqual([n, dim]);
        expect(relativeError(got.data, ref.data)).toBeLessThan(1e-4);
      },
    ), { seed: 42, numRuns: 40 });
  });

  it("is not float64: on a wide net it differs from float64 by more than float64 rounding (it really runs in float32)", () => {
    const net = mlp({ dim: 2, hidden: [128, 128], activation: "silu", seed: 3 });
    const x = new Random(0).normalBatch(64, 2);
    const err = relativeError(float32Inference(net).evaluate(x, 0.4).data, net.evaluate(x, 0.4).data);
    expect(err).toBeGreaterThan(1e-12);
    expect(err).toBeLessThan(1e-4);
  });

  it("handles blocks of rows: 1000 rows (4 blocks, padded last block) equal row-by-row evaluation", () => {
    const net = mlp({ dim: 3, hidden: [24, 24], activation: "gelu", seed: 5 });
    const fast = float32Inference(net);
    const x = new Random(2).normalBatch(1000, 3);
    const all = fast.evaluate(x, 0.7);
    for (const r of [0, 255, 256, 511, 999]) {
      const one = fast.evaluate(fromRows([[x.data[3 * r]!, x.data[3 * r + 1]!, x.data[3 * r + 2]!]]), 0.7);
      for (let j = 0; j < 3; j++) expect(one.data[j]).toBe(all.data[3 * r + j]);
    }
  });

  it("conditional models: labelled float32 evaluation agrees with float64; evaluate uses the null label", () => {
    const net = mlp({ dim: 2, hidden: [16], classes: 3, seed: 1 });
    const fast = float32Inference(net);
    const x = new Random(4).normalBatch(10, 2);
    const labels = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1];
    expect(relativeError(fast.evaluateLabeled(x, 0.2, labels).data, net.evaluateLabeled(x, 0.2, labels).data)).toBeLessThan(1e-4);
    expect(relativeError(fast.evaluate(x, 0.2).data, net.evaluateLabeled(x, 0.2, 3).data)).toBeLessThan(1e-4);
  });

  it("is a snapshot and writes into out", () => {
    const net = mlp({ dim: 2, hidden: [8], seed: 0 });
    const fast = float32Inference(net);
    const x = fromRows([[0.3, -0.2]]);
    const before = fast.evaluate(x, 0.5).data[0]!;
    net.parameters.fill(0);
    const out = ndarray(new Float64Array(2), [1, 2]) as Batch;
    expect(fast.evaluate(x, 0.5, out)).toBe(out);
    expect(out.data[0]).toBe(before);
  });

  it("rejects bad input with typed errors", () => {
    const fast = float32Inference(mlp({ dim: 2, hidden: [8], classes: 2, seed: 0 }));
    expect(() => fast.evaluate(fromRows([[1, 2, 3]]), 0.5)).toThrow(ShapeError);
    expect(() => fast.evaluate(fromRows([[1, 2]]), 1.5)).toThrow(DomainError);
    expect(() => fast.evaluateLabeled(fromRows([[1, 2]]), 0.5, 3)).toThrow(DomainError);
    expect(() => fast.evaluateLabeled(fromRows([[1, 2]]), 0.5, [0, 1])).toThrow(ShapeError);
  });
});

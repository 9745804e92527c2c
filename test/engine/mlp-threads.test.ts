import { describe, expect, it } from "vitest";
import fc from "fast-check";
import ndarray from "ndarray";
import { mlp } from "../../src/nn/index.js";
import type { Mlp } from "../../src/nn/index.js";
import { Random } from "../../src/random/index.js";
import type { Batch } from "../../src/core/batch.js";
import { MLP_CHUNK_ROWS } from "../../src/engine/mlp-threads.js";
import { adam } from "../../src/nn/index.js";
import { trainSync } from "../../src/train/index.js";
import { standardNormal, moons } from "../../src/distributions/index.js";
import { affinePath } from "../../src/paths/index.js";
import { condOT } from "../../src/schedulers/index.js";

const rows = (b: Batch, from: number, to: number): Batch => ndarray(b.data.slice(from * (b.shape[1] as number), to * (b.shape[1] as number)), [to - from, b.shape[1] as number]) as Batch;
const activations = ["silu", "selu", "tanh", "relu", "gelu"] as const;

/** Everything the engine computes for one net, batch and thread count. */
function passes(make: () => Mlp, threads: number, x: Batch, t: Float64Array, g: Batch, v: Batch) {
  const net = make();
  net.threads = threads;
  const values = Array.from(net.evaluate(x, t).data);
  const trained = Array.from(net.forward(x, t).data);
  const gradient = Array.from(net.backward(g));
  const jvp = Array.from(net.jvp(x, t, v).data);
  const divergence = Array.from(net.divergence(x, t));
  const engine = (net as unknown as { engine: { pool: { stats: { workerRanges: number } } | null } | null }).engine;
  return { values, trained, gradient, jvp, divergence, workerRanges: engine?.pool?.stats.workerRanges ?? 0 };
}

describe("the float64 MLP on the engine (batches of 512 rows or more, chunks of 256)", () => {
  it("property: values, gradients, JVPs and divergences are the same bits on 1, 2 and 3 threads (every activation, widths 8..64, depth 1..3, conditional or not, n 512..1300)", () => {
    fc.assert(fc.property(fc.constantFrom(...activations), fc.integer({ min: 8, max: 64 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.integer({ min: 512, max: 1300 }), fc.integer({ min: 0, max: 1e6 }), (activation, width, depth, dim, conditional, n, seed) => {
      const make = () => mlp({ dim, hidden: Array.from({ length: depth }, () => width), activation, seed, ...(conditional ? { classes: 3 } : {}) });
      const rng = new Random(seed);
      const x = rng.normalBatch(n, dim), g = rng.normalBatch(n, dim), v = rng.normalBatch(n, dim);
      const t = rng.fillUniform(new Float64Array(n));
      const one = passes(make, 1, x, t, g, v);
      expect(one.workerRanges).toBe(0);
      for (const threads of [2, 3]) {
        const many = passes(make, threads, x, t, g, v);
        expect(many.workerRanges).toBeGreaterThan(0);
        expect({ ...many, workerRanges: 0 }).toEqual({ ...one, workerRanges: 0 });
      }
    }), { numRuns: 12, seed: 16 });
  });

  it("property: values and JVPs equal the calling thread's kernels on 256-row batches, and the gradient is the sum of the 256-row chunks' gradients added in chunk order (same bits)", () => {
    fc.assert(fc.property(fc.constantFrom("silu", "selu", "tanh"), fc.integer({ min: 16, max: 48 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 1e6 }), (activation, width, chunks, seed) => {
      const n = chunks * MLP_CHUNK_ROWS, dim = 2;
      const make = () => mlp({ dim, hidden: [width, width], activation, seed });
      const rng = new Random(seed);
      const x = rng.normalBatch(n, dim), g = rng.normalBatch(n, dim), v = rng.normalBatch(n, dim);
      const t = rng.fillUniform(new Float64Array(n));
      const engine = passes(make, 2, x, t, g, v);
      const reference = make();
      const values: number[] = [], jvp: number[] = [];
      const sum = new Float64Array(reference.parameterCount);
      for (let c = 0; c < chunks; c++) {
        const a = c * MLP_CHUNK_ROWS, b = a + MLP_CHUNK_ROWS;
        const tc = t.subarray(a, b);
        values.push(...reference.evaluate(rows(x, a, b), tc).data);
        jvp.push(...reference.jvp(rows(x, a, b), tc, rows(v, a, b)).data);
        reference.forward(rows(x, a, b), tc);
        const part = reference.backward(rows(g, a, b));
        for (let i = 0; i < sum.length; i++) sum[i] = c === 0 ? (part[i] as number) : (sum[i] as number) + (part[i] as number);
      }
      expect(engine.values).toEqual(values);
      expect(engine.jvp).toEqual(jvp);
      expect(engine.gradient).toEqual(Array.from(sum));
    }), { numRuns: 6, seed: 17 });
  });

  it("backward(g, accumulate = true) adds the chunks' gradients to the current gradient", () => {
    const net = mlp({ dim: 2, hidden: [32], seed: 3 });
    net.threads = 2;
    const rng = new Random(4);
    const x = rng.normalBatch(700, 2), g = rng.normalBatch(700, 2);
    net.forward(x, 0.3);
    const once = Float64Array.from(net.backward(g));
    const twice = net.backward(g, true);
    for (let i = 0; i < once.length; i++) expect(twice[i]).toBeCloseTo(2 * (once[i] as number), 12);
  });

  it("training (batch 1024, Adam) gives the same losses and parameters on 1 and 2 threads", () => {
    const run = (threads: number) => {
      const model = mlp({ dim: 2, hidden: [32, 32], activation: "selu", seed: 5 });
      model.threads = threads;
      const history = trainSync({ model, source: standardNormal(2), target: moons(), path: affinePath(condOT()), optimizer: adam({ lr: 1e-3 }), steps: 4, batchSize: 1024, rng: new Random(6) });
      return { loss: Array.from(history.loss), parameters: Array.from(model.parameters) };
    };
    expect(run(2)).toEqual(run(1));
  });

  it("rejects a thread count that is not a positive integer", () => {
    const net = mlp({ dim: 2, hidden: [8], seed: 1 });
    for (const bad of [0, 1.5, -1]) {
      net.threads = bad;
      expect(() => net.evaluate(new Random(1).normalBatch(600, 2), 0.5)).toThrow(/Mlp\(\): threads must be/);
    }
  });
});

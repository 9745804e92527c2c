import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mlp } from "../../src/nn/index.js";
import { Random } from "../../src/random/index.js";
import { MlpF64Shared } from "../../src/engine/f64-shared.js";
import { f64SharedPlan } from "../../src/engine/f64-shared-chunks.js";

const activations = ["silu", "selu", "tanh", "relu", "gelu"] as const;

describe("the float64 forward on one shared WebAssembly memory (f64-shared.ts)", () => {
  it("runs here (SIMD and shared WebAssembly memory in Node)", () => {
    expect(MlpF64Shared.available()).toBe(true);
  });

  it("property: Mlp.evaluate (shared memory, values only) is the same bits as Mlp.forward (the per-chunk copying path of mlp-chunks.ts, slopes kept) on 1 and 2 threads, for every activation, odd widths and row counts", () => {
    fc.assert(fc.property(fc.constantFrom(...activations), fc.integer({ min: 5, max: 40 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 512, max: 1100 }), fc.integer({ min: 0, max: 1e6 }), (activation, width, depth, dim, n, seed) => {
      const rng = new Random(seed);
      const x = rng.normalBatch(n, dim);
      const t = rng.fillUniform(new Float64Array(n));
      for (const threads of [1, 2]) {
        const net = mlp({ dim, hidden: Array.from({ length: depth }, (_, i) => width + i), activation, seed });
        net.threads = threads;
        const values = Array.from(net.evaluate(x, t).data);
        const shared = (net as unknown as { engine: { shared: { stats: { workerRanges: number } | null } } }).engine.shared;
        // the shared-memory path ran, on a worker thread too where there are 2
        if (threads === 1) expect(shared.stats).toBeNull();
        else expect(shared.stats?.workerRanges).toBeGreaterThan(0);
        const trained = Array.from(net.forward(x, t).data);
        expect(values).toEqual(trained);
        expect(values.every(Number.isFinite)).toBe(true);
      }
    }), { numRuns: 10, seed: 16 });
  });

  it("parameters changed in place between calls (as an optimizer does) are used: evaluate after a change equals a fresh network's (the upload is skipped only for bit-identical parameters)", () => {
    const rng = new Random(5), n = 600;
    const x = rng.normalBatch(n, 2), t = rng.fillUniform(new Float64Array(n));
    const net = mlp({ dim: 2, hidden: [16, 16], activation: "silu", seed: 1 });
    const before = Array.from(net.evaluate(x, t).data);
    expect(Array.from(net.evaluate(x, t).data)).toEqual(before);
    for (const [i, v] of [[0, 0.5], [net.parameterCount - 1, -0.25], [40, -0]] as const) {
      net.parameters[i] = v;
      const fresh = mlp({ dim: 2, hidden: [16, 16], activation: "silu", seed: 1 });
      fresh.parameters.set(net.parameters);
      const after = Array.from(net.evaluate(x, t).data);
      expect(after).toEqual(Array.from(fresh.evaluate(x, t).data));
      expect(after).toEqual(Array.from(net.forward(x, t).data));
    }
    expect(Array.from(net.evaluate(x, t).data)).not.toEqual(before);
  });

  it("the plan pads widths to multiples of 4, aligns every block to 16 bytes, and no two blocks overlap", () => {
    const plan = f64SharedPlan([3, 10, 10], [10, 10, 2], "silu", 256, 512);
    expect(plan.insP).toEqual([4, 12, 12]);
    expect(plan.outsP).toEqual([12, 12, 4]);
    const blocks: [number, number][] = [];
    plan.wt.forEach((at, l) => blocks.push([at, 8 * (plan.insP[l] as number) * (plan.outsP[l] as number)]));
    plan.b.forEach((at, l) => blocks.push([at, 8 * (plan.outsP[l] as number)]));
    blocks.push([plan.zero, 8 * plan.widest], [plan.input, 8 * 512 * 4], [plan.seed, 8 * 512 * 4], [plan.out, 8 * 512 * 4], [plan.tangent[0], 8 * 512 * plan.widest], [plan.tangent[1], 8 * 512 * plan.widest]);
    plan.hidden.forEach((at) => blocks.push([at, 8 * 512 * 12]));
    plan.slope.forEach((at) => blocks.push([at, 8 * 512 * 12]));
    blocks.sort((a, b) => a[0] - b[0]);
    for (const [at] of blocks) expect(at % 16).toBe(0);
    for (let i = 1; i < blocks.length; i++) expect((blocks[i] as [number, number])[0]).toBeGreaterThanOrEqual((blocks[i - 1] as [number, number])[0] + (blocks[i - 1] as [number, number])[1]);
    expect(plan.bytes).toBeGreaterThanOrEqual((blocks.at(-1) as [number, number])[0] + (blocks.at(-1) as [number, number])[1]);
  });
});

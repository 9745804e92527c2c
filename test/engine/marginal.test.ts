import { describe, expect, it } from "vitest";
import { MarginalEngine } from "../../src/engine/marginal.js";
import { threadSupport } from "../../src/engine/threads.js";
import { Random } from "../../src/random/index.js";
import { marginalVelocity } from "../../src/velocity/index.js";

const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };

describe("the marginal engine on worker threads", () => {
  it("property: 1, 2 and 3 threads give the same bits (d = 2, 7 and 64; per-row times including t = 0, 1 and rows near 1 that take the difference form); the workers ran rows", () => {
    expect(threadSupport()).not.toBeNull();
    for (const d of [2, 7, 64]) {
      const rng = new Random(d);
      const K = d === 64 ? 500 : 1500;
      const y = rng.normalBatch(K, d).data;
      const n = 3001;
      const x = rng.normalBatch(n, d).data;
      const coef = new Float64Array(4 * n);
      for (let r = 0; r < n; r++) {
        const t = r === 0 ? 0 : r === 1 ? 1 : r % 50 === 0 ? 1 - 1e-7 : rng.uniform();
        coef.set([t, 1 - t, 1, -1], 4 * r);
      }
      const results = [1, 2, 3].map((threads) => {
        const engine = new MarginalEngine(y, K, d, { threads, tileRows: 1000 }, "test");
        const out = new Float64Array(n * d);
        engine.evaluate(x, coef, n, out);
        const pool = (engine as unknown as { pool: { stats: { workerRanges: number; takenOver: number } } | null }).pool;
        if (threads === 1) expect(pool).toBeNull();
        else expect(pool?.stats.workerRanges).toBeGreaterThan(0);
        engine.dispose();
        return Array.from(out);
      });
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    }
  });

  it("marginalVelocity: options.threads 1 and 2 give the same bits; bad thread counts are typed errors", () => {
    const rng = new Random(9);
    const data = rng.normalBatch(2000, 3);
    const x = rng.normalBatch(2000, 3);
    const one = marginalVelocity(condOT, data, { threads: 1 }).evaluate(x, 0.7).data;
    const two = marginalVelocity(condOT, data, { threads: 2 }).evaluate(x, 0.7).data;
    expect(Array.from(two)).toEqual(Array.from(one));
    for (const bad of [0, 1.5, Number.NaN, -2]) expect(() => marginalVelocity(condOT, data, { threads: bad })).toThrow(/marginalVelocity\(\): options.threads must be/);
    expect(() => marginalVelocity(condOT, data, null as never)).toThrow(/marginalVelocity\(\): options must be an object/);
  });

  it("evaluate(x, t, out) with out aliasing x gives the values computed into fresh memory", () => {
    const rng = new Random(10);
    const data = rng.normalBatch(300, 2);
    const u = marginalVelocity(condOT, data, { threads: 1 });
    const x = rng.normalBatch(100, 2);
    const want = Array.from(u.evaluate(x, 0.4).data);
    expect(Array.from(u.evaluate(x, 0.4, x).data)).toEqual(want);
  });
});

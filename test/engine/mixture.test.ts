import { describe, expect, it } from "vitest";
import { MixtureEngine } from "../../src/engine/mixture.js";
import { threadSupport } from "../../src/engine/threads.js";
import { Random } from "../../src/random/index.js";
import { mixtureRow } from "../../src/velocity/marginal-kernels.js";
import type { MixtureParameters, RowResult } from "../../src/velocity/marginal-kernels.js";
import { marginalVelocity } from "../../src/velocity/index.js";
import { DomainError } from "../../src/core/errors.js";
import { fromRows } from "../../src/core/batch.js";

const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };

/** A random diagonal mixture: K components in d dimensions, means spread over [-4, 4], stds in [0.05, 1] (one shared set when `shared`). */
function randomMixture(rng: Random, K: number, d: number, shared: boolean): MixtureParameters {
  const means = new Float64Array(K * d), variances = new Float64Array(K * d), logWeights = new Float64Array(K);
  let total = 0;
  const raw = Array.from({ length: K }, () => 0.1 + rng.uniform());
  for (const r of raw) total += r;
  for (let k = 0; k < K; k++) {
    logWeights[k] = Math.log((raw[k] as number) / total);
    for (let j = 0; j < d; j++) {
      means[k * d + j] = 8 * rng.uniform() - 4;
      const s = 0.05 + 0.95 * rng.uniform();
      variances[k * d + j] = shared && k > 0 ? (variances[j] as number) : s * s;
    }
  }
  return { empirical: false, dim: d, components: K, means, variances, logWeights };
}

/** n points x_t = t x1 + (1 - t) x0 with x1 from the mixture, x0 standard normal. */
function pathPoints(rng: Random, p: MixtureParameters, n: number, t: number): Float64Array {
  const { dim: d, components: K } = p;
  const x = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    const k = Math.floor(rng.uniform() * K);
    for (let j = 0; j < d; j++) {
      const x1 = (p.means[k * d + j] as number) + Math.sqrt(p.variances[k * d + j] as number) * rng.normal();
      x[r * d + j] = t * x1 + (1 - t) * rng.normal();
    }
  }
  return x;
}

/** The row loop of marginal-kernels.ts (the implementation before the engine) at every row, and max_k |u_k| per row. */
function reference(p: MixtureParameters, x: Float64Array, t: number, n: number): { u: Float64Array; scale: Float64Array } {
  const { dim: d, components: K } = p;
  const u = new Float64Array(n * d), scale = new Float64Array(n);
  const res: RowResult = { u: new Float64Array(d), jvp: new Float64Array(d), divergence: 0, weights: new Float64Array(K) };
  const logits = new Float64Array(K);
  for (let r = 0; r < n; r++) {
    const xr = x.subarray(r * d, (r + 1) * d);
    mixtureRow("test", condOT, p, xr, t, null, logits, res);
    u.set(res.u, r * d);
    let s = 0;
    for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) {
      const i = k * d + j, v = t * t * (p.variances[i] as number) + (1 - t) ** 2;
      const c = (t * (p.variances[i] as number) - (1 - t)) / v;
      s = Math.max(s, Math.abs((p.means[i] as number) + c * ((xr[j] as number) - t * (p.means[i] as number))));
    }
    scale[r] = s;
  }
  return { u, scale };
}

function engineValues(p: MixtureParameters, x: Float64Array, coef: Float64Array, n: number, threads: number, hook?: (e: MixtureEngine) => void): { out: Float64Array; workerRanges: number } {
  const engine = new MixtureEngine(p.means, p.variances, p.logWeights, p.components, p.dim, { threads, tileRows: 700 }, "test");
  hook?.(engine);
  const out = new Float64Array(n * p.dim);
  engine.evaluate(x, coef, n, out);
  const pool = (engine as unknown as { pool: { stats: { workerRanges: number } } | null }).pool;
  engine.dispose();
  return { out, workerRanges: pool?.stats.workerRanges ?? 0 };
}

const oneTime = (t: number, n: number) => {
  const coef = new Float64Array(4 * n);
  for (let r = 0; r < n; r++) coef.set([t, 1 - t, 1, -1], 4 * r);
  return coef;
};

describe("the Gaussian-mixture marginal field on the engine", () => {
  it("matches the row loop within 2^-27 max_k |u_k| (d = 2 shared, 7 and 64 diagonal; t = 0, 0.3, 0.9, 1): the guard's 2^-30 logit bound plus the loop's own logit rounding (below 2^-34 here) give weights relative-accurate to 2^-28.9, and the gather's rounding is far below", () => {
    let differing = 0;
    for (const [d, K, shared] of [[2, 8, true], [2, 40, false], [7, 50, false], [64, 30, false], [64, 30, true]] as const) {
      const rng = new Random(100 + d + K);
      const p = randomMixture(rng, K, d, shared);
      for (const t of [0, 0.3, 0.9, 1]) {
        const n = 200;
        const x = pathPoints(rng, p, n, t);
        const { u, scale } = reference(p, x, t, n);
        const { out } = engineValues(p, x, oneTime(t, n), n, 1);
        for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) {
          const err = Math.abs((out[r * d + j] as number) - (u[r * d + j] as number));
          expect(err).toBeLessThanOrEqual(2 ** -27 * (scale[r] as number));
          if (out[r * d + j] !== u[r * d + j]) differing++;
        }
      }
    }
    // the GEMM form ran (it rounds differently from the loop)
    expect(differing).toBeGreaterThan(1000);
  });

  it("rows past the guard, and calls with per-row times, give the row loop's bits", () => {
    const rng = new Random(7);
    const p = randomMixture(rng, 20, 5, false);
    const n = 300;
    const x = pathPoints(rng, p, n, 0.8);
    const { u } = reference(p, x, 0.8, n);
    const forced = engineValues(p, x, oneTime(0.8, n), n, 1, (e) => { (e as unknown as { plan: { tolerance: number } }).plan.tolerance = -1; });
    expect(Array.from(forced.out)).toEqual(Array.from(u));
    const coef = oneTime(0.8, n);
    coef.set([0.5, 0.5, 1, -1], 4 * 7);
    const mixed = engineValues(p, x, coef, n, 1);
    const row7 = reference(p, x.subarray(35, 40), 0.5, 1).u;
    expect(Array.from(mixed.out.subarray(0, 35))).toEqual(Array.from(u.subarray(0, 35)));
    expect(Array.from(mixed.out.subarray(35, 40))).toEqual(Array.from(row7));
  });

  it("property: 1, 2 and 3 threads give the same bits (one time, per-row times); the workers ran rows", () => {
    expect(threadSupport()).not.toBeNull();
    for (const [d, K] of [[2, 300], [64, 100]] as const) {
      const rng = new Random(d);
      const p = randomMixture(rng, K, d, d === 2);
      const n = 2001;
      const x = pathPoints(rng, p, n, 0.6);
      const perRow = new Float64Array(4 * n);
      for (let r = 0; r < n; r++) { const t = rng.uniform(); perRow.set([t, 1 - t, 1, -1], 4 * r); }
      for (const coef of [oneTime(0.6, n), oneTime(1, n), perRow]) {
        const runs = [1, 2, 3].map((threads) => engineValues(p, x, coef, n, threads));
        expect(runs[1]?.workerRanges).toBeGreaterThan(0);
        expect(Array.from(runs[1]?.out ?? [])).toEqual(Array.from(runs[0]?.out ?? []));
        expect(Array.from(runs[2]?.out ?? [])).toEqual(Array.from(runs[0]?.out ?? []));
      }
    }
  });

  it("marginalVelocity of a mixture: threads 1 and 2 agree bitwise, and zero density everywhere stays a typed error", () => {
    const rng = new Random(3);
    const p = randomMixture(rng, 200, 3, false);
    const target = { means: Array.from({ length: 200 }, (_, k) => p.means.slice(3 * k, 3 * k + 3)), stds: Array.from({ length: 200 }, (_, k) => p.variances.slice(3 * k, 3 * k + 3).map(Math.sqrt)), weights: p.logWeights.map(Math.exp) };
    const x = rng.normalBatch(3000, 3);
    const one = marginalVelocity(condOT, target, { threads: 1 }).evaluate(x, 0.7).data;
    const two = marginalVelocity(condOT, target, { threads: 2 }).evaluate(x, 0.7).data;
    expect(Array.from(two)).toEqual(Array.from(one));
    const far = marginalVelocity(condOT, { means: [new Float64Array([0])], stds: [new Float64Array([1e-3])], weights: new Float64Array([1]) });
    expect(() => far.evaluate(fromRows([[1e160]]), 1)).toThrow(DomainError);
  });
});

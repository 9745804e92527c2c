import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { marginalVelocity, gaussianVelocity } from "../../src/velocity/index.js";
import type { Batch } from "../../src/core/batch.js";
import { fromRows } from "../../src/core/batch.js";
import { DomainError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import { Random } from "../../src/random/random.js";
import { empirical, gaussianMixture } from "../../src/distributions/index.js";
import type { Scheduler } from "../../src/core/interfaces.js";
import { condOT, cosine, schedulers } from "./schedulers.js";
import { rk4 } from "./rk4.js";

const rng0 = new Random(7);
const data = rng0.normalBatch(6, 2).data.map((v) => 2 * v);
const points = ndarray(data, [6, 2]) as Batch;
const mixture = gaussianMixture({ means: [[-2, 0], [2, 1], [0, 3]], stds: [[0.3, 0.3], [0.5, 1], [0.8, 0.8]], weights: [0.2, 0.5, 0.3] });

/** Brute force: sum_k w_k u(x | y_k), weights by direct normalisation of the densities. */
function bruteEmpirical(s: Scheduler, x: number[], t: number): number[] {
  const { alpha, sigma, dAlpha, dSigma } = s.at(t);
  const dens: number[] = [];
  for (let k = 0; k < 6; k++) {
    let q = 0;
    for (let j = 0; j < 2; j++) q += ((x[j] as number) - alpha * (data[2 * k + j] as number)) ** 2;
    dens.push(Math.exp(-q / (2 * sigma * sigma)));
  }
  const z = dens.reduce((a, b) => a + b, 0);
  return [0, 1].map((j) => dens.reduce((acc, w, k) => acc + (w / z) * (dAlpha * (data[2 * k + j] as number) + (dSigma * ((x[j] as number) - alpha * (data[2 * k + j] as number))) / sigma), 0));
}

function fdJacobianCheck(field: ReturnType<typeof marginalVelocity>, x: Batch, t: number, tol: number) {
  const n = x.shape[0] as number, d = x.shape[1] as number;
  const v = new Random(3).normalBatch(n, d);
  const jv = field.jvp(x, t, v);
  const h = 1e-6;
  const up = field.evaluate(ndarray(x.data.map((a, i) => a + h * (v.data[i] as number)), [n, d]) as Batch, t);
  const down = field.evaluate(ndarray(x.data.map((a, i) => a - h * (v.data[i] as number)), [n, d]) as Batch, t);
  for (let i = 0; i < n * d; i++) {
    const fd = ((up.data[i] as number) - (down.data[i] as number)) / (2 * h);
    expect(Math.abs((jv.data[i] as number) - fd)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(fd)));
  }
  const div = field.divergence(x, t);
  for (let r = 0; r < n; r++) {
    let trace = 0;
    for (let j = 0; j < d; j++) {
      const e = ndarray(new Float64Array(d), [1, d]) as Batch;
      e.data[j] = 1;
      trace += field.jvp(ndarray(x.data.slice(r * d, (r + 1) * d), [1, d]) as Batch, t, e).data[j] as number;
    }
    expect(Math.abs((div[r] as number) - trace)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(trace)));
  }
}

describe("marginalVelocity", () => {
  it("equals the brute-force posterior average of conditional velocities for every scheduler (empirical target, 1e-10)", () => {
    const x = new Random(1).normalBatch(5, 2);
    for (const s of schedulers) {
      const u = marginalVelocity(s, points);
      for (const t of [0.05, 0.3, 0.6, 0.9]) {
        const got = u.evaluate(x, t);
        for (let r = 0; r < 5; r++) {
          const want = bruteEmpirical(s, [x.data[2 * r] as number, x.data[2 * r + 1] as number], t);
          for (let j = 0; j < 2; j++) expect(Math.abs((got.data[2 * r + j] as number) - (want[j] as number))).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(want[j] as number)));
        }
        const w = u.posterior(x, t);
        for (let r = 0; r < 5; r++) expect(Math.abs(w.data.slice(6 * r, 6 * r + 6).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-14);
      }
    }
  });

  it("jvp matches central finite differences and divergence is the Jacobian trace (empirical and mixture, every scheduler)", () => {
    const x = new Random(2).normalBatch(4, 2);
    for (const s of schedulers) {
      for (const t of [0.2, 0.7]) {
        fdJacobianCheck(marginalVelocity(s, empirical(points)), x, t, 1e-6);
        fdJacobianCheck(marginalVelocity(s, mixture), x, t, 1e-6);
      }
    }
  });

  it("agrees with a Monte-Carlo estimate of E[u_t(x | x1) | x_t = x] (self-normalised importance sampling, 40k draws)", () => {
    const rng = new Random(11);
    const draws = 40000;
    for (const [target, sample] of [[points, () => { const k = rng.int(6); return [data[2 * k] as number, data[2 * k + 1] as number]; }], [mixture, () => Array.from(mixture.sample(1, rng).data)]] as const) {
      const u = marginalVelocity(cosine, target);
      const t = 0.5;
      const { alpha, sigma, dAlpha, dSigma } = cosine.at(t);
      const x = [0.4, 0.8];
      const num = [0, 0];
      let den = 0;
      for (let i = 0; i < draws; i++) {
        const y = sample();
        const q = ((x[0]! - alpha * y[0]!) ** 2 + (x[1]! - alpha * y[1]!) ** 2) / (2 * sigma * sigma);
        const w = Math.exp(-q);
        den += w;
        for (let j = 0; j < 2; j++) num[j]! += w * (dAlpha * y[j]! + (dSigma * (x[j]! - alpha * y[j]!)) / sigma);
      }
      const got = u.evaluate(fromRows([x]), t);
      for (let j = 0; j < 2; j++) expect(Math.abs((got.data[j] as number) - num[j]! / den)).toBeLessThan(0.05);
    }
  });

  it("carries standard-normal samples onto the data set: RK4 from t = 0 to 1 lands within 1e-3 of a data point", () => {
    const x0 = new Random(5).normalBatch(20, 2);
    for (const s of [condOT, cosine]) {
      const u = marginalVelocity(s, points);
      const x1 = rk4(u, x0, 2000);
      for (let r = 0; r < 20; r++) {
        let best = Infinity;
        for (let k = 0; k < 6; k++) best = Math.min(best, Math.hypot((x1.data[2 * r] as number) - (data[2 * k] as number), (x1.data[2 * r + 1] as number) - (data[2 * k + 1] as number)));
        expect(best).toBeLessThan(1e-3);
      }
    }
  });

  it("is finite as t -> 1: sigma = 1e-12 and 6e-17 give finite values, and at sigma = 0 the value on the support (alpha'/alpha) x", () => {
    const u = marginalVelocity(condOT, points);
    const x = fromRows([[data[0]! + 1e-13, data[1]!], [0.3, -0.2]]);
    for (const t of [1 - 1e-12, 1 - 6e-17]) for (const v of u.evaluate(x, t).data) expect(Number.isFinite(v)).toBe(true);
    const ucos = marginalVelocity(cosine, points);
    // cosine's sigma_1 = 6.1e-17 < 2^-52 alpha_1: the value on the support, alpha'_1 = 0 here
    for (const v of ucos.evaluate(x, 1).data) expect(Math.abs(v)).toBeLessThan(1e-15);
    expect(Array.from(u.evaluate(x, 1).data)).toEqual(Array.from(x.data));
    expect(Array.from(u.jvp(x, 1, x).data)).toEqual(Array.from(x.data));
    expect(Array.from(u.divergence(x, 1))).toEqual([2, 2]);
    const w = u.posterior(fromRows([[data[2]!, data[3]!]]), 1);
    expect(w.data[1]).toBe(1);
    // far from every point with tiny sigma: the posterior is the nearest point, not NaN
    const far = u.posterior(fromRows([[1e170, 0]]), 0.5);
    expect(far.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  it("rejects bad paths and targets", () => {
    expect(() => marginalVelocity({} as Scheduler, points)).toThrow(/path must be a scheduler/);
    expect(() => marginalVelocity(condOT, 3 as never)).toThrow(/target must be/);
    expect(() => marginalVelocity(condOT, fromRows([], 2))).toThrow(/at least one point/);
    expect(() => marginalVelocity({ scheduler: condOT }, points).evaluate(fromRows([[1, 2, 3]]), 0.5)).toThrow(/shape/);
    const bad: Scheduler = { name: "bad", at: () => ({ alpha: 0, sigma: 0, dAlpha: 1, dSigma: 1 }) };
    expect(() => marginalVelocity(bad, points).evaluate(fromRows([[1, 2]]), 0.5)).toThrow(/not both 0/);
    const nan: Scheduler = { name: "nan", at: () => ({ alpha: Number.NaN, sigma: 1, dAlpha: 1, dSigma: 1 }) };
    expect(() => marginalVelocity(nan, points).evaluate(fromRows([[1, 2]]), 0.5)).toThrow(/alpha must be finite/);
    expect(() => marginalVelocity(condOT, points).divergence(fromRows([[1, 2]]), 0.5, new Float64Array(3))).toThrow(/out must have length 1/);
  });
});

describe("gaussianVelocity", () => {
  it("matches the condOT closed form of REFERENCES.md and its divergence integrates to sum ln s_i", () => {
    const mu = [1, -2], s = [0.5, 3];
    const u = gaussianVelocity({ scheduler: condOT }, { mean: mu, std: s });
    const x = fromRows([[0.3, 0.7], [-1, 2]]);
    for (const t of [0, 0.25, 0.5, 0.99, 1]) {
      const got = u.evaluate(x, t);
      for (let r = 0; r < 2; r++) for (let j = 0; j < 2; j++) {
        const vt = (1 - t) ** 2 + t * t * s[j]! ** 2;
        const want = mu[j]! + ((t * s[j]! ** 2 - (1 - t)) / vt) * (x.data[2 * r + j]! - t * mu[j]!);
        expect(got.data[2 * r + j]).toBeCloseTo(want, 12);
      }
    }
    // composite Simpson on [0, 1] of the (x-independent) divergence
    const N = 2000;
    let integral = 0;
    for (let i = 0; i <= N; i++) integral += (i === 0 || i === N ? 1 : i % 2 ? 4 : 2) * (u.divergence(fromRows([[0, 0]]), i / N)[0] as number);
    expect(integral / (3 * N)).toBeCloseTo(Math.log(0.5) + Math.log(3), 9);
    expect(() => gaussianVelocity(condOT, { mean: [0], std: 0 })).toThrow(/std must be > 0/);
    expect(() => gaussianVelocity(condOT, { mean: [0, 1], std: [1] })).toThrow(/length 2/);
    expect(() => gaussianVelocity(condOT, { mean: [], std: 1 })).toThrow(/non-empty/);
    expect(() => gaussianVelocity(condOT, null as never)).toThrow(/target must be/);
  });
});

describe("marginalVelocity checks a Gaussian-mixture target", () => {
  const f = (v: number[]) => new Float64Array(v);
  const mix = (means: unknown, stds: unknown, weights: unknown) => marginalVelocity(condOT, { means, stds, weights } as never);
  it("no components, short or ragged stds, means or weights, negative weights, dimension 0 and NaN are typed errors naming the entry", () => {
    expect(() => mix([], [], f([]))).toThrow(/^marginalVelocity\(\): target\.means must have at least one component/);
    expect(() => mix([f([0, 0]), f([1, 1])], [f([1, 1])], f([0.5, 0.5]))).toThrow(/target\.stds must have one row per component \(2\)/);
    expect(() => mix([f([0, 0]), f([1, 1])], [f([1, 1]), f([1])], f([0.5, 0.5]))).toThrow(/target\.stds\[1\] must have length 2/);
    expect(() => mix([f([0, 0]), f([1, 1])], [f([1, 1]), f([1, 1])], f([1]))).toThrow(/target\.weights must have one entry per component \(2\)/);
    expect(() => mix([f([0, 0]), f([1, 1])], [f([1, 1]), f([1, 1])], f([-1, 2]))).toThrow(/target\.weights\[0\] must be >= 0/);
    expect(() => mix([f([0, 0]), f([1])], [f([1, 1]), f([1, 1])], f([0.5, 0.5]))).toThrow(/target\.means\[1\] must have length 2/);
    expect(() => mix([f([])], [f([])], f([1]))).toThrow(ShapeError);
    expect(() => mix([f([Number.NaN, 0])], [f([1, 1])], f([1]))).toThrow(NonFiniteError);
    expect(() => mix([f([0, 0])], [f([0, 1])], f([1]))).toThrow(/target\.stds\[0\]\[0\] must be > 0/);
    expect(() => mix([f([0, 0])], [f([1, 1])], f([0]))).toThrow(DomainError);
  });
  it("weights need not sum to 1 (the posterior does not see their scale), and plain arrays are accepted", () => {
    const x = fromRows([[0.3, -0.4]]);
    const a = mix([f([0, 0]), f([1, 1])], [f([1, 1]), f([0.5, 0.5])], f([0.25, 0.75])).evaluate(x, 0.5);
    const b = mix([[0, 0], [1, 1]], [[1, 1], [0.5, 0.5]], [1, 3]).evaluate(x, 0.5);
    for (let j = 0; j < 2; j++) expect(b.data[j]).toBeCloseTo(a.data[j] as number, 14);
  });
});

describe("marginal fields at extreme scales", () => {
  it("empirical target +-1e155 at x = 1e154, t = 0.9: every squared distance overflows, yet the posterior is the nearest point and u = 9e155", () => {
    const s = 1e155;
    const u = marginalVelocity(condOT, fromRows([[s], [-s]]));
    const x = fromRows([[s / 10]]);
    expect(Array.from(u.posterior(x, 0.9).data)).toEqual([1, 0]);
    // u = alpha' y + sigma' (x - alpha y) / sigma with y = s: s + (0.9 s - s / 10) / 0.1 = 9 s
    expect(u.evaluate(x, 0.9).data[0]).toBeCloseTo(9 * s, -141);
    expect(u.divergence(x, 0.9)[0]).toBeCloseTo(-1 / 0.1, 12);
    expect(u.jvp(x, 0.9, fromRows([[1]])).data[0]).toBeCloseTo(-10, 12);
  });

  it("gaussianVelocity with std 1e200 (t = 0.5) or 1e-200 (t = 1): the variance leaves float64 but the field is finite (2 and 1)", () => {
    const wide = gaussianVelocity(condOT, { mean: [0], std: 1e200 });
    expect(wide.evaluate(fromRows([[1]]), 0.5).data[0]).toBeCloseTo(2, 14);
    expect(wide.divergence(fromRows([[1]]), 0.5)[0]).toBeCloseTo(2, 14);
    const narrow = gaussianVelocity(condOT, { mean: [0], std: 1e-200 });
    expect(narrow.evaluate(fromRows([[1]]), 1).data[0]).toBeCloseTo(1, 14);
    expect(narrow.jvp(fromRows([[1]]), 1, fromRows([[3]])).data[0]).toBeCloseTo(3, 14);
    // at t = 0 (alpha = 0) the field is sigma' x / sigma = -x whatever the std
    expect(wide.evaluate(fromRows([[1]]), 0).data[0]).toBeCloseTo(-1, 14);
  });
});

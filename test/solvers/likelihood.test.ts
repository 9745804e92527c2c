import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { fromRows } from "../../src/core/batch.js";
import type { Batch } from "../../src/core/batch.js";
import { DomainError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import { gaussian, standardNormal } from "../../src/distributions/gaussian.js";
import { Random } from "../../src/random/random.js";
import { logLikelihood, logLikelihoodForward } from "../../src/solvers/likelihood.js";
import { sample } from "../../src/solvers/sample.js";
import { expm, gaussianToGaussianField, linearField } from "./helpers.js";

function randomTarget(d: number, seed: number): { mu: number[]; s: number[] } {
  const rng = new Random(seed);
  return { mu: Array.from({ length: d }, () => rng.normal()), s: Array.from({ length: d }, () => rng.uniform(0.5, 2)) };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs((a[i] as number) - (b[i] as number)));
  return e;
}

const tight = { method: "dopri5" as const, rtol: 1e-10, atol: 1e-10 };

describe("logLikelihood", () => {
  for (const d of [2, 16]) {
    it(`Gaussian -> Gaussian under condOT, d = ${d}: log p1 equals log N(x1; mu, diag s^2) to 1e-8 (dopri5 at 1e-10)`, () => {
      const { mu, s } = randomTarget(d, d);
      const field = gaussianToGaussianField(mu, s);
      const target = gaussian({ mean: mu, std: s });
      const x1 = target.sample(16, new Random(3));
      const r = logLikelihood(field, x1, tight);
      expect(maxAbsDiff(r.logProb, target.logProb(x1))).toBeLessThanOrEqual(1e-8);
      // integral_0^1 div u dt = sum_i ln s_i
      const logDet = s.reduce((a, v) => a + Math.log(v), 0);
      expect(maxAbsDiff(r.divergenceIntegral, new Float64Array(16).fill(logDet))).toBeLessThanOrEqual(1e-8);
    });
  }

  it("forward direction: x0 -> x1 = mu + s x0 with log p1(x1) accumulated along the way", () => {
    const { mu, s } = randomTarget(4, 11);
    const field = gaussianToGaussianField(mu, s);
    const x0 = new Random(5).normalBatch(8, 4);
    const r = logLikelihoodForward(field, x0, tight);
    const expected = new Float64Array(32).map((_, k) => (mu[k % 4] as number) + (s[k % 4] as number) * (x0.data[k] as number));
    expect(maxAbsDiff(r.x1.data, expected)).toBeLessThan(1e-8);
    expect(maxAbsDiff(r.logProb, gaussian({ mean: mu, std: s }).logProb(r.x1))).toBeLessThan(1e-8);
  });

  const A = [0.3, -0.5, 0.2, 0.4, -0.1, 0.6, -0.2, 0.3, 0.5];
  const x1 = fromRows([[0.5, -1, 2], [1, 1, 1], [-0.3, 0.2, 0.1]]);
  const closedForm = (): { x0: Batch; logProb: Float64Array } => {
    const E = expm(A.map((v) => -v), 3);
    const x0 = new Float64Array(9);
    for (let r = 0; r < 3; r++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) x0[r * 3 + i] = (x0[r * 3 + i] as number) + (E[i * 3 + j] as number) * (x1.data[r * 3 + j] as number);
    const x0b = ndarray(x0, [3, 3]);
    const logProb = standardNormal(3).logProb(x0b).map((v) => v - (0.3 - 0.1 + 0.5));
    return { x0: x0b, logProb };
  };

  it("linear field u = A x: x0 = expm(-A) x1 and log p1 = log p0(x0) - tr A (divergence from d JVPs)", () => {
    const ref = closedForm();
    const r = logLikelihood(linearField(A, 3), x1, tight);
    expect(maxAbsDiff(r.x0.data, ref.x0.data)).toBeLessThan(1e-8);
    expect(maxAbsDiff(r.logProb, ref.logProb)).toBeLessThan(1e-8);
  });

  it("linear field without jvp: central-difference divergence stays within 1e-7", () => {
    const r = logLikelihood(linearField(A, 3, false), x1, tight);
    expect(maxAbsDiff(r.logProb, closedForm().logProb)).toBeLessThan(1e-7);
  });

  it("Hutch++ with probes = 3d and Gaussian sketches is exact (the sketch spans the Jacobian) and one Rademacher Hutchinson probe is exact for a diagonal Jacobian", () => {
    const pp = logLikelihood(linearField(A, 3), x1, { ...tight, divergence: "hutch++", probes: 9, noise: "gaussian", rng: new Random(1) });
    expect(maxAbsDiff(pp.logProb, closedForm().logProb)).toBeLessThan(1e-8);
    const { mu, s } = randomTarget(5, 2);
    const xs = gaussian({ mean: mu, std: s }).sample(4, new Random(9));
    const h = logLikelihood(gaussianToGaussianField(mu, s, false), xs, { ...tight, divergence: "hutchinson", rng: new Random(4) });
    expect(maxAbsDiff(h.logProb, gaussian({ mean: mu, std: s }).logProb(xs))).toBeLessThan(1e-8);
  });

  it("stochastic estimates: probes drawn once per solve (same seed, same result; per-sample steps see the same probes per row)", () => {
    const opts = { rtol: 1e-9, atol: 1e-9, divergence: "hutchinson" as const, noise: "gaussian" as const, probes: 2 };
    const a = logLikelihood(linearField(A, 3), x1, { ...opts, rng: new Random(8) });
    const b = logLikelihood(linearField(A, 3), x1, { ...opts, rng: new Random(8) });
    expect(Array.from(a.logProb)).toEqual(Array.from(b.logProb));
    const c = logLikelihood(linearField(A, 3), x1, { ...opts, rng: new Random(8), perSample: true });
    expect(maxAbsDiff(a.logProb, c.logProb)).toBeLessThan(1e-6);
  });

  it("bad input -> typed errors", () => {
    const field = linearField(A, 3);
    expect(() => logLikelihood(field, fromRows([[1, 2]]))).toThrow(ShapeError);
    expect(() => logLikelihood(field, x1, { divergence: "hutchinson" })).toThrow(DomainError);
    expect(() => logLikelihood(field, x1, { divergence: "exactly" as "exact" })).toThrow(DomainError);
    expect(() => logLikelihood(field, x1, { divergence: "hutch++", probes: 2, rng: new Random(1) })).toThrow(DomainError);
    expect(() => logLikelihood(field, x1, { source: standardNormal(2) })).toThrow(DomainError);
    expect(() => logLikelihood(field, x1, { rtol: 0 })).toThrow(DomainError);
    expect(() => logLikelihood({ dim: 3 } as never, x1)).toThrow(DomainError);
  });
});

describe("sample", () => {
  it("pushes N(0, I) samples along the Gaussian field to mu + s x0, with trajectories at requested times", () => {
    const { mu, s } = randomTarget(3, 21);
    const x0 = new Random(2).normalBatch(5, 3);
    const r = sample(gaussianToGaussianField(mu, s), x0, { ...tight, times: [0.5] });
    const expected = new Float64Array(15).map((_, k) => (mu[k % 3] as number) + (s[k % 3] as number) * (x0.data[k] as number));
    expect(maxAbsDiff(r.y.data, expected)).toBeLessThan(1e-8);
    // x_t = t mu + sqrt((1 - t)^2 + t^2 s^2) x0 at t = 1/2
    const mid = new Float64Array(15).map((_, k) => 0.5 * (mu[k % 3] as number) + Math.sqrt(0.25 + 0.25 * (s[k % 3] as number) ** 2) * (x0.data[k] as number));
    expect(maxAbsDiff(r.trajectory?.[0]?.data ?? [], mid)).toBeLessThan(1e-8);
  });

  it("rejects times outside the field's domain [0, 1] and x0 of the wrong dimension", () => {
    const field = gaussianToGaussianField([0, 0], [1, 1]);
    expect(() => sample(field, fromRows([[0, 0]]), { t1: 1.5 })).toThrow(DomainError);
    expect(() => sample(field, fromRows([[0, 0]]), { t0: -0.1 })).toThrow(DomainError);
    expect(() => sample(field, fromRows([[0, 0, 0]]))).toThrow(ShapeError);
  });
});

describe("logLikelihood checks the source's log density", () => {
  const zero = { dim: 1, evaluate: (x: Batch) => ndarray(new Float64Array(x.shape[0] as number), [x.shape[0] as number, 1]) as Batch };
  const source = (logProb: (x: Batch) => unknown) => ({ ...standardNormal(1), logProb } as unknown as ReturnType<typeof standardNormal>);
  it("a logProb that returns nothing, the wrong number of values, NaN or +Infinity is a typed error naming options.source.logProb", () => {
    expect(() => logLikelihood(zero, fromRows([[0]]), { source: source(() => undefined) })).toThrow(ShapeError);
    expect(() => logLikelihood(zero, fromRows([[0]]), { source: source(() => new Float64Array(0)) })).toThrow(/^logLikelihood\(\): options\.source\.logProb\(x0\) must return 1 numbers/);
    expect(() => logLikelihood(zero, fromRows([[0]]), { source: source(() => new Float64Array([Number.NaN])) })).toThrow(NonFiniteError);
    expect(() => logLikelihoodForward(zero, fromRows([[0]]), { source: source(() => [Number.POSITIVE_INFINITY]) })).toThrow(NonFiniteError);
  });
  it("-Infinity (zero source density) is a log density; the source's array is not modified", () => {
    const returned = new Float64Array([Number.NEGATIVE_INFINITY, -1]);
    const r = logLikelihood(zero, fromRows([[0], [1]]), { source: source(() => returned) });
    expect(Array.from(r.logProb)).toEqual([Number.NEGATIVE_INFINITY, -1]);
    expect(r.logProb).not.toBe(returned);
  });
});

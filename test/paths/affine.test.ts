import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DomainError, ShapeError, Random, affinePath, condOT, cosine, fromRows, linearVP, polynomial, vp, zeros } from "../../src/index.js";
import type { Batch, Scheduler } from "../../src/index.js";
import { checkConversions } from "../../src/testing/index.js";
import { gaussianField } from "./helpers.js";

const schedulers: Scheduler[] = [condOT(), polynomial(2), polynomial(0.5), vp(), linearVP(), cosine()];

describe("affinePath.sample", () => {
  it("x_t = alpha x1 + sigma x0 and dx_t = alpha' x1 + sigma' x0 (condOT closed form)", () => {
    const s = affinePath(condOT()).sample(fromRows([[1, 2]]), fromRows([[3, 6]]), 0.25);
    expect(Array.from(s.xt.data)).toEqual([1.5, 3]);
    expect(Array.from(s.dxt.data)).toEqual([2, 4]);
    expect(Array.from(s.t)).toEqual([0.25]);
  });

  it("per-row t broadcasts along rows, never along columns (square [3, 3] batch)", () => {
    const rng = new Random(3);
    const x0 = rng.normalBatch(3, 3);
    const x1 = rng.normalBatch(3, 3);
    const t = new Float64Array([0.1, 0.5, 0.9]);
    const path = affinePath(cosine());
    const perRow = path.sample(x0, x1, t);
    for (let i = 0; i < 3; i++) {
      const single = path.sample(x0, x1, t[i] as number);
      for (let j = 0; j < 3; j++) {
        expect(perRow.xt.get(i, j)).toBe(single.xt.get(i, j));
        expect(perRow.dxt.get(i, j)).toBe(single.dxt.get(i, j));
      }
    }
    const u = path.targetToVelocity(x1, perRow.xt, t);
    for (let i = 0; i < 3; i++) {
      const single = path.targetToVelocity(x1, perRow.xt, t[i] as number);
      for (let j = 0; j < 3; j++) expect(u.get(i, j)).toBe(single.get(i, j));
    }
  });

  it("vp and linearVP at t = 1 (sigma'_1 = -Infinity): x_1 = x1 exactly and dx_t is the one-sided limit, never NaN", () => {
    // before: a zero entry of x0 gave 0 * -Infinity = NaN in dx_t
    for (const sch of [vp(), linearVP()]) {
      const s = affinePath(sch).sample(fromRows([[1, 0, -2]]), fromRows([[3, 6, 0]]), 1);
      expect(Array.from(s.xt.data)).toEqual([3, 6, 0]);
      const dAlpha = sch.at(1).dAlpha;
      expect(Array.from(s.dxt.data)).toEqual([-Infinity, dAlpha * 6, Infinity]);
      // just below 1 the same entries are finite and head the same way
      const near = affinePath(sch).sample(fromRows([[1, 0, -2]]), fromRows([[3, 6, 0]]), 1 - 1e-12).dxt.data;
      expect(near[0]).toBeLessThan(-1e5);
      expect(near[1]).toBeCloseTo(dAlpha * 6, 6);
      expect(near[2]).toBeGreaterThan(1e5);
    }
  });

  it("rejects mismatched shapes and times outside [0, 1]", () => {
    const path = affinePath(condOT());
    expect(() => path.sample(zeros(2, 2), zeros(3, 2), 0.5)).toThrow(ShapeError);
    expect(() => path.sample(zeros(2, 2), zeros(2, 2), 1.5)).toThrow(DomainError);
    expect(() => path.sample(zeros(2, 2), zeros(2, 2), new Float64Array(3))).toThrow(ShapeError);
    expect(() => path.targetToVelocity(zeros(2, 3), zeros(2, 2), 0.5)).toThrow(ShapeError);
  });
});

describe("affinePath conversions", () => {
  it("round trips agree to 1e-12 relative on t in [0.05, 0.95] for every built-in scheduler", () => {
    for (const s of schedulers) checkConversions(affinePath(s), { tolerance: 1e-12, margin: 0.05, numRuns: 60 });
  });

  it("the score conversion matches the closed-form score of the Gaussian -> Gaussian path (rel 1e-12)", () => {
    const mu = [1.5, -2];
    const sd = [0.3, 2];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: schedulers.length - 1 }), fc.double({ min: 0.02, max: 0.98, noNaN: true }), (k, t) => {
        const s = schedulers[k] as Scheduler;
        const path = affinePath(s);
        const field = gaussianField(s, mu, sd);
        const x = new Random(k).normalBatch(5, 2);
        const score = field.score(x, t);
        const u = field.evaluate(x, t);
        const fromScore = path.scoreToVelocity(score, x, t);
        const toScore = path.velocityToScore(u, x, t);
        for (let j = 0; j < 10; j++) {
          expect(Math.abs((fromScore.data[j] as number) - (u.data[j] as number))).toBeLessThan(1e-12 * Math.max(1, Math.abs(u.data[j] as number), Math.abs(x.data[j] as number)) * 10);
          expect(Math.abs((toScore.data[j] as number) - (score.data[j] as number))).toBeLessThan(1e-12 * Math.max(1, Math.abs(score.data[j] as number), Math.abs(x.data[j] as number)) * 10);
        }
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it("singular ends throw DomainError naming the condition; finite limits are returned exactly", () => {
    const path = affinePath(condOT());
    const x = fromRows([[1, 2]]);
    const y = fromRows([[3, -1]]);
    // sigma_1 = 0: conversions that divide by sigma throw.
    expect(() => path.targetToVelocity(y, x, 1)).toThrow(/sigma_t != 0/);
    expect(() => path.targetToEpsilon(y, x, 1)).toThrow(DomainError);
    expect(() => path.velocityToScore(y, x, 1)).toThrow(DomainError);
    // alpha_0 = 0: conversions that divide by alpha throw; the per-row index is named.
    expect(() => path.epsilonToVelocity(y, x, 0)).toThrow(/alpha_t != 0/);
    expect(() => path.epsilonToTarget(y, x, new Float64Array([0]))).toThrow(/t\[0\]/);
    expect(() => path.scoreToVelocity(y, x, 0)).toThrow(DomainError);
    // Regular at the ends for condOT: velocity -> target at t = 1 is x itself, at t = 0 it is x + u.
    expect(Array.from(path.velocityToTarget(y, x, 1).data)).toEqual([1, 2]);
    expect(Array.from(path.velocityToTarget(y, x, 0).data)).toEqual([4, 1]);
    expect(Array.from(path.velocityToEpsilon(y, x, 0).data)).toEqual([1, 2]);
    // At t = 1 with a finite score, u = (alpha'/alpha) x: the exact limit.
    expect(Array.from(path.scoreToVelocity(y, x, 1).data)).toEqual([1, 2]);
    // polynomial(2) has alpha'_0 sigma_0 - sigma'_0 alpha_0 = 0: velocity -> target is singular there.
    expect(() => affinePath(polynomial(2)).velocityToTarget(y, x, 0)).toThrow(/alpha'_t sigma_t/);
    // linearVP and VP have sigma'_1 = -Infinity: singular at t = 1.
    expect(() => affinePath(linearVP()).velocityToTarget(y, x, 1)).toThrow(DomainError);
    expect(() => affinePath(vp()).targetToVelocity(y, x, 1)).toThrow(DomainError);
    // ... but velocity -> epsilon keeps finite coefficients there (-alpha'/det -> 0, alpha/det -> 0): eps = 0, the exact limit.
    expect(Array.from(affinePath(vp()).velocityToEpsilon(y, x, 1).data).map(Math.abs)).toEqual([0, 0]);
    // VP has alpha_0 = 0.0066 > 0: epsilon -> target stays finite at t = 0.
    const v0 = vp().at(0);
    const target = affinePath(vp()).epsilonToTarget(y, x, 0);
    expect(target.data[0]).toBeCloseTo((1 - v0.sigma * 3) / v0.alpha, 9);
  });

  it("writes into out and returns it; never mutates inputs", () => {
    const path = affinePath(cosine());
    const x = fromRows([[1, 2]]);
    const y = fromRows([[3, -1]]);
    const out = zeros(1, 2);
    const copy = Array.from(x.data);
    expect(path.targetToVelocity(y, x, 0.3, out)).toBe(out);
    expect(Array.from(x.data)).toEqual(copy);
    const u: Batch = path.targetToVelocity(y, x, 0.3);
    expect(Array.from(out.data)).toEqual(Array.from(u.data));
  });
});

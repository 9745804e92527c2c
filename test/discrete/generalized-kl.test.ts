import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fromRows, fromData } from "../../src/core/batch.js";
import { DomainError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import { mixtureGeneralizedKL, mixtureGeneralizedKLGradient, posteriorToVelocity, tokensFromRows } from "../../src/discrete/index.js";
import type { Scheduler } from "../../src/core/interfaces.js";
import { condOT, quadratic } from "./helpers.js";

const softmax = (z: number[]) => { const m = Math.max(...z); const e = z.map((v) => Math.exp(v - m)); const s = e.reduce((a, b) => a + b, 0); return e.map((v) => v / s); };
const S = 4;
const case_ = fc.record({
  z: fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: S, maxLength: S }),
  x1: fc.integer({ min: 0, max: S - 1 }),
  xt: fc.integer({ min: 0, max: S - 1 }),
  t: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
});

describe("mixtureGeneralizedKL", () => {
  it("uniform posterior over K = 3, t = 0.5, condOT, x_t = x1: the loss is 4/3", () => {
    const loss = mixtureGeneralizedKL(fromRows([[0, 0, 0]]), tokensFromRows([[1]]), tokensFromRows([[1]]), 0.5, condOT);
    expect(Math.abs(loss[0]! - 4 / 3)).toBeLessThan(1e-15);
    // and when x_t != x1: -2 (1/3 + log(1/3)) = 2 ln 3 - 2/3
    const miss = mixtureGeneralizedKL(fromRows([[0, 0, 0]]), tokensFromRows([[1]]), tokensFromRows([[0]]), 0.5, condOT);
    expect(Math.abs(miss[0]! - (2 * Math.log(3) - 2 / 3))).toBeLessThan(1e-15);
  });

  it("equals the generalized KL sum_{y != x_t} u log(u/v) - u + v between the conditional and model rates (brute force)", () => {
    fc.assert(fc.property(case_, ({ z, x1, xt, t }) => {
      const p = softmax(z);
      const v = posteriorToVelocity(fromRows([p]), tokensFromRows([[xt]]), t, quadratic).data;
      const onehot = Array.from({ length: S }, (_, y) => (y === x1 ? 1 : 0));
      const u = posteriorToVelocity(fromRows([onehot]), tokensFromRows([[xt]]), t, quadratic).data;
      let brute = 0;
      for (let y = 0; y < S; y++) {
        if (y === xt) continue;
        brute += (u[y]! > 0 ? u[y]! * Math.log(u[y]! / v[y]!) : 0) - u[y]! + v[y]!;
      }
      const loss = mixtureGeneralizedKL(fromRows([z]), tokensFromRows([[x1]]), tokensFromRows([[xt]]), t, quadratic)[0]!;
      expect(Math.abs(loss - brute)).toBeLessThan(1e-9 * Math.max(1, Math.abs(brute)));
    }), { seed: 42, numRuns: 200 });
  });

  it("is >= 0 for any logits, and 0 for the perfect posterior (all mass on x1)", () => {
    fc.assert(fc.property(case_, ({ z, x1, xt, t }) => {
      expect(mixtureGeneralizedKL(fromRows([z]), tokensFromRows([[x1]]), tokensFromRows([[xt]]), t, condOT)[0]!).toBeGreaterThanOrEqual(0);
      const perfect = Array.from({ length: S }, (_, y) => (y === x1 ? 0 : -Infinity));
      expect(mixtureGeneralizedKL(fromRows([perfect]), tokensFromRows([[x1]]), tokensFromRows([[xt]]), t, condOT)[0]).toBe(0);
    }), { seed: 42, numRuns: 200 });
    // zero probability on x1 when x_t != x1 costs +Infinity, not NaN
    const inf = mixtureGeneralizedKL(fromRows([[0, -Infinity]]), tokensFromRows([[1]]), tokensFromRows([[0]]), 0.5, condOT);
    expect(inf[0]).toBe(Infinity);
    expect(mixtureGeneralizedKL(fromRows([[0, -Infinity]]), tokensFromRows([[1]]), tokensFromRows([[0]]), 0, quadratic)[0]).toBe(0);
  });

  it("the gradient matches central finite differences of the loss (h = 1e-6, tolerance 1e-6)", () => {
    fc.assert(fc.property(case_, ({ z, x1, xt, t }) => {
      const g = mixtureGeneralizedKLGradient(fromRows([z]), tokensFromRows([[x1]]), tokensFromRows([[xt]]), t, quadratic).data;
      for (let j = 0; j < S; j++) {
        const zp = z.slice(); zp[j]! += 1e-6;
        const zm = z.slice(); zm[j]! -= 1e-6;
        const f = (w: number[]) => mixtureGeneralizedKL(fromRows([w]), tokensFromRows([[x1]]), tokensFromRows([[xt]]), t, quadratic)[0]!;
        expect(Math.abs((f(zp) - f(zm)) / 2e-6 - g[j]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(g[j]!)));
      }
    }), { seed: 42, numRuns: 100 });
  });

  it("handles many sequences and positions with per-sequence times (row i * positions + l)", () => {
    const logits = fromData([0, 0, 0, 0, 0, 0, 0, 0], [4, 2]);
    const x1 = tokensFromRows([[0, 1], [0, 1]]);
    const xt = tokensFromRows([[0, 0], [0, 1]]);
    const out = new Float64Array(4);
    mixtureGeneralizedKL(logits, x1, xt, new Float64Array([0.5, 0.75]), condOT, out);
    expect(Array.from(out).map((v) => Number(v.toFixed(12)))).toEqual([1, 2 * Math.log(2) - 1, 2, 2].map((v) => Number(v.toFixed(12))));
  });

  it("bad input throws typed errors", () => {
    const x = tokensFromRows([[1]]);
    expect(() => mixtureGeneralizedKL(fromRows([[0, 0]]), x, x, 1, condOT)).toThrow(DomainError);
    expect(() => mixtureGeneralizedKL(fromRows([[0, Number.NaN]]), x, x, 0.5, condOT)).toThrow(NonFiniteError);
    expect(() => mixtureGeneralizedKL(fromRows([[0, Infinity]]), x, x, 0.5, condOT)).toThrow(NonFiniteError);
    expect(() => mixtureGeneralizedKL(fromRows([[-Infinity, -Infinity]]), x, x, 0.5, condOT)).toThrow(DomainError);
    expect(() => mixtureGeneralizedKL(fromRows([[0, 0], [0, 0]]), x, x, 0.5, condOT)).toThrow(ShapeError);
    expect(() => mixtureGeneralizedKL(fromRows([[0]]), x, x, 0.5, condOT)).toThrow(DomainError);
    expect(() => mixtureGeneralizedKL(fromRows([[0, 0]]), x, tokensFromRows([[1, 1]]), 0.5, condOT)).toThrow(ShapeError);
    expect(() => mixtureGeneralizedKL(fromRows([[0, 0]]), x, x, 0.5, condOT, new Float64Array(3))).toThrow(ShapeError);
    expect(() => mixtureGeneralizedKLGradient(fromRows([[0, 0]]), x, x, 1, condOT)).toThrow(DomainError);
  });

  it("overflow with p(x1) > 0 is a NonFiniteError, while p(x1) = 0 (a -Infinity logit) keeps its true loss +Infinity", () => {
    // before: Infinity returned silently for finite logits (log p(x1) = -1e300 times kappa'/(1 - kappa) = 1e12)
    const x1 = tokensFromRows([[1]]), xt = tokensFromRows([[0]]);
    expect(() => mixtureGeneralizedKL(fromRows([[1e300, 0, -1e300]]), x1, xt, 1 - 1e-12, condOT)).toThrow(NonFiniteError);
    expect(mixtureGeneralizedKL(fromRows([[1e300, 0, -1e300]]), x1, xt, 0.5, condOT)[0]).toBe(2e300);
    expect(mixtureGeneralizedKL(fromRows([[0, -Infinity, 0]]), x1, xt, 0.5, condOT)[0]).toBe(Infinity);
  });

  it("logits of 1e15 and more keep their exact loss and gradient: (z - m) - ln s, not z - (m + ln s)", () => {
    // before: [1e16, 1e16] gave -2 (a negative loss) and gradient [2, 2]; [1e15, 1e15] gave 0.555
    const x1 = tokensFromRows([[1]]), xt = tokensFromRows([[0]]);
    for (const z of [1e15, 1e16, 1e17, 1e300, -1e300]) {
      expect(mixtureGeneralizedKL(fromRows([[z, z]]), x1, xt, 0.5, condOT)[0]).toBeCloseTo(2 * Math.log(2) - 1, 15);
      expect(mixtureGeneralizedKL(fromRows([[z, z]]), x1, x1, 0.5, condOT)[0]).toBe(1);
      expect(Array.from(mixtureGeneralizedKLGradient(fromRows([[z, z]]), x1, xt, 0.5, condOT).data)).toEqual([0.5, -0.5]);
    }
    // p(x1) = e^(-2e308) > 0 with a finite logit: the loss overflows, a NonFiniteError (before: +Infinity silently)
    expect(() => mixtureGeneralizedKL(fromRows([[1e308, -1e308]]), x1, xt, 0.5, condOT)).toThrow(NonFiniteError);
  });

  it("property: the loss is shift-invariant in the logits, also for shifts of 2^50", () => {
    fc.assert(fc.property(case_, ({ z, x1, xt, t }) => {
      const shifted = z.map((v) => v + 2 ** 50);
      const base = mixtureGeneralizedKL(fromRows([shifted.map((v) => v - 2 ** 50)]), tokensFromRows([[x1]]), tokensFromRows([[xt]]), t, condOT)[0]!;
      const loss = mixtureGeneralizedKL(fromRows([shifted]), tokensFromRows([[x1]]), tokensFromRows([[xt]]), t, condOT)[0]!;
      expect(Math.abs(loss - base)).toBeLessThan(1e-12 * Math.max(1, base));
    }), { seed: 42, numRuns: 200 });
  });

  it("logits without columns are named as logits, not options.states", () => {
    // before: "options.states must be an integer >= 1"
    expect(() => mixtureGeneralizedKL(fromData([], [0, 0]), tokensFromRows([]), tokensFromRows([]), 0.5, condOT)).toThrow(/logits must have at least one column/);
  });
});

describe("posteriorToVelocity", () => {
  it("u(y) = kappa'/(1 - kappa) (p(y) - delta_{x_t}(y)): off-diagonal >= 0, rows sum to 0, closed form", () => {
    const u = posteriorToVelocity(fromRows([[0.2, 0.3, 0.5], [0.2, 0.3, 0.5]]), tokensFromRows([[2, 0]]), 0.5, quadratic).data;
    // kappa = 0.25, kappa' = 1: c = 4/3
    const c = 4 / 3;
    const expected = [0.2 * c, 0.3 * c, -0.5 * c, -0.8 * c, 0.3 * c, 0.5 * c];
    for (let k = 0; k < 6; k++) expect(Math.abs(u[k]! - expected[k]!)).toBeLessThan(1e-15);
  });

  it("bad input throws typed errors", () => {
    const x = tokensFromRows([[0]]);
    expect(() => posteriorToVelocity(fromRows([[-0.1, 1.1]]), x, 0.5, condOT)).toThrow(DomainError);
    expect(() => posteriorToVelocity(fromRows([[0.5, 0.5]]), x, 1, condOT)).toThrow(DomainError);
    expect(() => posteriorToVelocity(fromRows([[0.5, 0.5], [0.5, 0.5]]), x, 0.5, condOT)).toThrow(ShapeError);
    expect(() => posteriorToVelocity(fromRows([[1]]), tokensFromRows([[1]]), 0.5, condOT)).toThrow(DomainError);
  });

  it("a scheduler with kappa' = 1e308 gives the finite rates kappa' (p - delta) / (1 - kappa), or a NonFiniteError where they overflow", () => {
    // before: [NaN, NaN] for p = delta_{x_t} (Infinity times 0) and gradients of +-Infinity
    const huge: Scheduler = { name: "huge", at: (t) => ({ alpha: t, sigma: 1 - t, dAlpha: 1e308, dSigma: -1e308 }) };
    const x = tokensFromRows([[0]]);
    expect(Array.from(posteriorToVelocity(fromRows([[1, 0]]), x, 0.5, huge).data)).toEqual([0, 0]);
    expect(Array.from(posteriorToVelocity(fromRows([[0.5, 0.5]]), x, 0.5, huge).data)).toEqual([-1e308, 1e308]);
    expect(() => posteriorToVelocity(fromRows([[0, 1]]), x, 0.5, huge)).toThrow(NonFiniteError);
    expect(Array.from(mixtureGeneralizedKLGradient(fromRows([[0, 0]]), tokensFromRows([[1]]), x, 0.5, huge).data)).toEqual([5e307, -5e307]);
  });

  it("a decreasing scheduler (kappa' < 0) is rejected: its off-diagonal rates would be negative", () => {
    const decreasing: Scheduler = { name: "decreasing", at: (t) => ({ alpha: 1 - t, sigma: t, dAlpha: -1, dSigma: 1 }) };
    expect(() => posteriorToVelocity(fromRows([[0.5, 0.5]]), tokensFromRows([[0]]), 0.5, decreasing)).toThrow(/convex and non-decreasing/);
  });

  it("a posterior without columns is named as posterior, not options.states", () => {
    expect(() => posteriorToVelocity(fromData([], [0, 0]), tokensFromRows([]), 0.5, condOT)).toThrow(/posteriorToVelocity\(\): posterior must have at least one column/);
  });
});

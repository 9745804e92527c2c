import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DomainError, condOT, cosine, linearVP, polynomial, schedulerValues, snr, vp, ShapeError } from "../../src/index.js";
import type { MonotoneScheduler } from "../../src/index.js";
import { checkScheduler } from "../../src/testing/index.js";

const all: MonotoneScheduler[] = [condOT(), polynomial(3), polynomial(0.5), vp(), vp({ betaMin: 1, betaMax: 1 }), linearVP(), cosine()];

describe("built-in schedulers", () => {
  it("closed forms at t = 0.5 (REFERENCES.md table)", () => {
    expect(polynomial(3).at(0.5)).toEqual({ alpha: 0.125, sigma: 0.875, dAlpha: 0.75, dSigma: -0.75 });
    const T = 0.5 * 0.25 * 19.9 + 0.5 * 0.1;
    const v = vp().at(0.5);
    expect(v.alpha).toBeCloseTo(Math.exp(-T / 2), 15);
    expect(v.sigma).toBeCloseTo(Math.sqrt(1 - Math.exp(-T)), 15);
    expect(vp().at(0).alpha).toBeCloseTo(0.0065716, 7);
    expect(linearVP().at(0.6)).toEqual({ alpha: 0.6, sigma: 0.8, dAlpha: 1, dSigma: -0.6 / 0.8 });
    expect(cosine().at(0.5).alpha).toBeCloseTo(Math.SQRT1_2, 15);
  });

  it("ends: cosine is exact (sigma_1 = 0, alpha_0 = 0); VP and linearVP have d sigma_1 = -Infinity", () => {
    expect(cosine().at(1).sigma).toBe(0);
    expect(cosine().at(0).alpha).toBe(0);
    expect(vp().at(1).dSigma).toBe(-Infinity);
    expect(linearVP().at(1).dSigma).toBe(-Infinity);
    expect(polynomial(0.5).at(0).dAlpha).toBe(Infinity);
  });

  it("every built-in scheduler passes every scheduler check (VP with its declared alpha_0 tolerance)", () => {
    for (const s of all) {
      const boundary = s.name.startsWith("vp") ? { alpha0: s.at(0).alpha * 1.000001, sigma0: 1 - s.at(0).sigma + 1e-16 } : 1e-12;
      checkScheduler(s, { boundary, numRuns: 100 });
    }
  });

  it("snrInverse(snr(t)) = t for random t, including the ends (snr 0 -> 0, Infinity -> 1)", () => {
    for (const s of all) {
      fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (t) => {
        if (s.name.startsWith("vp") && t === 0) return;
        expect(Math.abs(s.snrInverse(snr(s, t)) - t)).toBeLessThan(1e-9);
      }), { seed: 42, numRuns: 200 });
      expect(s.snrInverse(Infinity)).toBe(1);
    }
    expect(condOT().snrInverse(0)).toBe(0);
    expect(polynomial(2).kappaInverse(0.25)).toBe(0.5);
  });

  it("schedulerValues evaluates a Float64Array of times exactly like at()", () => {
    const times = new Float64Array([0, 0.1, 0.5, 0.99, 1]);
    for (const s of all) {
      const v = schedulerValues(s, times);
      times.forEach((t, i) => {
        const w = s.at(t);
        expect([v.alpha[i], v.sigma[i], v.dAlpha[i], v.dSigma[i]]).toEqual([w.alpha, w.sigma, w.dAlpha, w.dSigma]);
      });
    }
    const out = { alpha: new Float64Array(1), sigma: new Float64Array(1), dAlpha: new Float64Array(1), dSigma: new Float64Array(1) };
    expect(schedulerValues(condOT(), new Float64Array([0.5]), out)).toBe(out);
    expect(() => schedulerValues(condOT(), new Float64Array([0.5, 0.2]), out)).toThrow(ShapeError);
    expect(() => schedulerValues(condOT(), new Float64Array([1.5]))).toThrow(DomainError);
  });

  it("bad arguments throw DomainError with the fn(): arg must ... message", () => {
    expect(() => polynomial(0)).toThrow("polynomial(): n must be > 0, got 0");
    expect(() => vp({ betaMin: 2, betaMax: 1 })).toThrow(DomainError);
    expect(() => condOT().at(-0.1)).toThrow("condOT.at(): t must be in [0, 1], got -0.1");
    expect(() => cosine().snrInverse(-1)).toThrow(DomainError);
    expect(() => vp().snrInverse(0)).toThrow(/snr at t = 0/);
    expect(snr(condOT(), 0)).toBe(0);
    expect(snr(condOT(), 1)).toBe(Infinity);
  });
});

describe("vp().snrInverse at extreme SNRs", () => {
  it("an SNR whose square underflows (1e-160 with betaMax = 2000, snr_0 = 6.9e-218) inverts to the t with that SNR, not NaN", () => {
    const s = vp({ betaMax: 2000 });
    const t = s.snrInverse(1e-160);
    expect(t).toBeGreaterThan(0);
    expect(t).toBeLessThan(1);
    // T = ln(1 + 1/snr^2) = -2 ln(snr) to float64 precision at this size
    expect(Math.log(snr(s, t))).toBeCloseTo(Math.log(1e-160), 10);
    for (const r of [1e-180, 1e-200, 1e-217]) expect(Number.isFinite(s.snrInverse(r))).toBe(true);
  });

  it("snr 0 where snr_0 underflows to 0 (betaMax = 1e6) is t = 0, not NaN", () => {
    const s = vp({ betaMin: 1, betaMax: 1e6 });
    expect(snr(s, 0)).toBe(0);
    expect(s.snrInverse(0)).toBe(0);
    expect(s.snrInverse(snr(s, 0.999))).toBeCloseTo(0.999, 10);
  });
});

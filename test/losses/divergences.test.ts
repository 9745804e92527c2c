import { describe, expect, it } from "vitest";
import fc from "fast-check";
import ndarray from "ndarray";
import { squaredEuclidean, mahalanobis, generalizedKL, itakuraSaito, bregman, cfmLoss } from "../../src/losses/index.js";
import { divergences, d } from "./fixtures.js";
import type { Batch } from "../../src/core/batch.js";
import { fromRows } from "../../src/core/batch.js";
import { DomainError, NonFiniteError } from "../../src/core/errors.js";

const rowArb = (positive: boolean) => fc.array(positive ? fc.double({ min: 0.1, max: 5, noNaN: true }) : fc.double({ min: -3, max: 3, noNaN: true }), { minLength: d, maxLength: d });

function batch(rows: number[][]): Batch {
  return fromRows(rows);
}

describe("Bregman divergences", () => {
  for (const { d: div, positive, fdTol } of divergences) {
    it(`${div.name}: D(u, v) >= 0, D(u, u) = 0 exactly, and D(u, v) > 0 when u != v`, () => {
      fc.assert(fc.property(rowArb(positive), rowArb(positive), (u, v) => {
        const value = div.value(batch([u, u, u]), batch([v, u, v.map((x, j) => (j === 0 ? x + (positive ? 0.5 : 1) : x))]));
        expect(value[0]).toBeGreaterThanOrEqual(0);
        expect(value[1]).toBe(0);
        expect(value[2]).toBeGreaterThan(0);
      }), { seed: 42, numRuns: 100 });
    });

    it(`${div.name}: gradient w.r.t. v matches central finite differences of D (tolerance ${fdTol} relative)`, () => {
      fc.assert(fc.property(rowArb(positive), rowArb(positive), (u, v) => {
        const g = div.gradient(batch([u]), batch([v]));
        for (let j = 0; j < d; j++) {
          const h = 1e-6 * Math.max(1, Math.abs(v[j] as number));
          const up = v.slice(); up[j] = (up[j] as number) + h;
          const down = v.slice(); down[j] = (down[j] as number) - h;
          const fd = ((div.value(batch([u]), batch([up]))[0] as number) - (div.value(batch([u]), batch([down]))[0] as number)) / (2 * h);
          expect(Math.abs((g.data[j] as number) - fd)).toBeLessThanOrEqual(fdTol * Math.max(1, Math.abs(fd)) * 10);
        }
      }), { seed: 42, numRuns: 50 });
    });
  }

  it("closed forms: squared Euclidean, diagonal and full Mahalanobis, KL and Itakura–Saito on fixed rows", () => {
    const u = fromRows([[1, 2, 3]]), v = fromRows([[2, 2, 1]]);
    expect(squaredEuclidean.value(u, v)[0]).toBe(5);
    expect(mahalanobis([1, 1, 2]).value(u, v)[0]).toBe(9);
    expect(mahalanobis([[1, 0, 0], [0, 1, 0], [0, 0, 2]]).value(u, v)[0]).toBe(9);
    expect(generalizedKL.value(u, v)[0]).toBeCloseTo(Math.log(0.5) - 1 + 2 + 3 * Math.log(3) - 3 + 1, 14);
    expect(itakuraSaito.value(u, v)[0]).toBeCloseTo(0.5 - Math.log(0.5) - 1 + 3 - Math.log(3) - 1, 14);
    expect(Array.from(squaredEuclidean.gradient(u, v).data)).toEqual([2, 0, -4]);
  });

  it("KL and Itakura–Saito stay finite where u / v or v^2 over- or underflows but the divergence does not", () => {
    // before: ln(u / v) of 1e400 (Infinity) or 1e-400 (0), and (v - u) / v^2 with v^2 = Infinity, gave Inf, -Inf or 0
    const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
    const kl = generalizedKL.value(fromRows([[1e200]]), fromRows([[1e-200]]))[0] as number;
    expect(rel(kl, 1e200 * (400 * Math.LN10) - 1e200)).toBeLessThan(1e-13);
    const is = itakuraSaito.value(fromRows([[1e-200]]), fromRows([[1e200]]))[0] as number;
    expect(rel(is, 400 * Math.LN10 - 1)).toBeLessThan(1e-13);
    const g = itakuraSaito.gradient(fromRows([[1]]), fromRows([[1e200]])).data[0] as number;
    expect(rel(g, 1e-200)).toBeLessThan(1e-15);
  });

  it("rejects bad metrics, non-positive entries and mismatched shapes with typed errors", () => {
    expect(() => mahalanobis([1, 0])).toThrow(/metric\[1\] must be > 0/);
    expect(() => mahalanobis([[1, 2], [2, 1]])).toThrow(/positive definite/);
    expect(() => mahalanobis([[1, 0.5], [0, 1]])).toThrow(/symmetric/);
    expect(() => mahalanobis([[1, 0], [0]])).toThrow(/square/);
    expect(() => mahalanobis([])).toThrow(/non-empty/);
    expect(() => generalizedKL.value(fromRows([[1]]), fromRows([[0]]))).toThrow(/v must have positive entries/);
    expect(() => itakuraSaito.gradient(fromRows([[-1]]), fromRows([[1]]))).toThrow(/u must have positive entries/);
    expect(() => squaredEuclidean.value(fromRows([[1, 2]]), fromRows([[1]]))).toThrow(/shape/);
    expect(() => squaredEuclidean.value(fromRows([[1]]), fromRows([[1]]), new Float64Array(2))).toThrow(/out must be a Float64Array of length 1/);
    expect(() => bregman(3 as never, (x) => x)).toThrow(/phi must be a function/);
    expect(() => bregman((x) => x[0] as number, 3 as never)).toThrow(/gradPhi must be a function/);
    const bad = bregman(() => Number.NaN, (x, out) => out.fill(Number.NaN));
    expect(() => bad.value(fromRows([[1]]), fromRows([[2]]))).toThrow(/finite/);
    expect(() => bad.gradient(fromRows([[1]]), fromRows([[2]]))).toThrow(/finite/);
    expect(Array.from(mahalanobis([[1, 0], [0, 1]]).gradient(fromRows([[1, 1]]), fromRows([[0, 2]])).data)).toEqual([-2, 2]);
  });

  it("full-matrix Mahalanobis checks its output like the diagonal form: an overflow is a NonFiniteError, never Infinity or NaN", () => {
    // before: [Infinity], [NaN] and [-Infinity, NaN] came back silently
    const identity = mahalanobis([[1, 0], [0, 1]]);
    expect(() => mahalanobis([1, 1]).value(fromRows([[1e200, 0]]), fromRows([[0, 0]]))).toThrow(NonFiniteError);
    expect(() => identity.value(fromRows([[1e200, 0]]), fromRows([[0, 0]]))).toThrow(NonFiniteError);
    expect(() => identity.value(fromRows([[1e200, 0]]), fromRows([[0, 0]]))).toThrow(/^mahalanobis\.value\(\): result must be finite/);
    expect(() => mahalanobis([[2, -2], [-2, 3]]).value(fromRows([[1e308, 1e308]]), fromRows([[0, 0]]))).toThrow(NonFiniteError);
    expect(() => identity.gradient(fromRows([[1.7e308, 0]]), fromRows([[-1.7e308, 0]]))).toThrow(/^mahalanobis\.gradient\(\): result must be finite/);
  });

  it("Mahalanobis weights are read as given: a string or a nested array among numbers is a DomainError, not coerced", () => {
    // before: [1, "2"] and [1, [2]] both acted as [1, 2]
    expect(() => mahalanobis([1, "2" as never])).toThrow(DomainError);
    expect(() => mahalanobis([1, "2" as never])).toThrow(/^mahalanobis\(\): metric\[1\] must be a number, got "2"$/);
    expect(() => mahalanobis([1, [2] as never])).toThrow(/^mahalanobis\(\): metric\[1\] must be a number, got \[2\]$/);
    expect(mahalanobis(new Float32Array([1, 2])).value(fromRows([[1, 1]]), fromRows([[0, 0]]))[0]).toBe(3);
  });
});

describe("bregman", () => {
  const xlogx = bregman((x) => x.reduce((s, v) => s + v * Math.log(v), 0), (x, out) => { for (let j = 0; j < x.length; j++) out[j] = Math.log(x[j] as number) + 1; return out; });
  const exp = bregman((x) => x.reduce((s, v) => s + Math.exp(v), 0), (x, out) => { for (let j = 0; j < x.length; j++) out[j] = Math.exp(x[j] as number); return out; });

  it("a hessianVectorProduct or name of the wrong type is a DomainError at construction", () => {
    // before: a raw TypeError (hvp is not a function) from the first gradient
    expect(() => bregman((x) => x[0] as number, (x, out) => out, { hessianVectorProduct: 5 as never })).toThrow(DomainError);
    expect(() => bregman((x) => x[0] as number, (x, out) => out, { hessianVectorProduct: 5 as never })).toThrow(/^bregman\(\): options\.hessianVectorProduct must be a function, got 5$/);
    expect(() => bregman((x) => x[0] as number, (x, out) => out, { name: 5 as never })).toThrow(DomainError);
  });

  it("the finite-difference Hessian takes a step relative to v: x ln x near 0 matches generalized KL (1 - u / v) to 1e-9", () => {
    // before: the step 6e-6 left the domain below v = 6e-6 (NonFiniteError) and erred by 1.2e-7 at v = 0.01
    for (const v of [1e-300, 1e-12, 1e-7, 1e-4, 0.01, 0.3, 0.99, 2, 50]) {
      const got = xlogx.gradient(fromRows([[0.5, 3]]), fromRows([[v, v]])).data;
      const exact = generalizedKL.gradient(fromRows([[0.5, 3]]), fromRows([[v, v]])).data;
      for (let j = 0; j < 2; j++) expect(Math.abs((got[j] as number) - (exact[j] as number))).toBeLessThanOrEqual((v === 1e-300 ? 1e-7 : 1e-9) * Math.abs(exact[j] as number));
    }
  });

  it("a potential curved on the scale 1 near v = 0 keeps the absolute step there: exp to 1e-9 for v in {0, +-1e-9, +-0.01, +-0.5}", () => {
    for (const v of [0, 1e-9, -1e-9, 0.01, -0.01, 0.5, -0.5]) {
      const g = exp.gradient(fromRows([[v + 1]]), fromRows([[v]])).data[0] as number;
      expect(Math.abs(g + Math.exp(v))).toBeLessThanOrEqual(1e-9 * Math.exp(v));
    }
  });
});

describe("cfmLoss", () => {
  it("is the (weighted) mean of row divergences and its gradient is the per-row gradient scaled by w_i / n", () => {
    const v = fromRows([[1, 0], [0, 3]]), u = fromRows([[0, 0], [0, 1]]);
    const plain = cfmLoss(v, u, squaredEuclidean);
    expect(plain.loss).toBe((1 + 4) / 2);
    expect(Array.from(plain.gradient.data)).toEqual([1, 0, 0, 2]);
    const weighted = cfmLoss(v, u, squaredEuclidean, [2, 0]);
    expect(weighted.loss).toBe(1);
    expect(Array.from(weighted.gradient.data)).toEqual([2, 0, 0, 0]);
    const out = ndarray(new Float64Array(4), [2, 2]) as Batch;
    expect(cfmLoss(v, u, squaredEuclidean, undefined, out).gradient).toBe(out);
    expect(() => cfmLoss(v, u, squaredEuclidean, [1])).toThrow(/weights must have length 2/);
    expect(() => cfmLoss(v, u, squaredEuclidean, [1, -1])).toThrow(/weights\[1\] must be >= 0/);
    expect(() => cfmLoss(fromRows([], 2), fromRows([], 2), squaredEuclidean)).toThrow(/at least one row/);
  });

  it("checks the gradient: an overflow of w_i / n times it, or a non-finite one from the divergence, is a NonFiniteError", () => {
    // before: gradient [Infinity] for weight 1e308, [NaN, 0] from a divergence passed silently
    expect(() => cfmLoss(fromRows([[1]]), fromRows([[0]]), squaredEuclidean, [1e308])).toThrow(NonFiniteError);
    expect(() => cfmLoss(fromRows([[1]]), fromRows([[0]]), squaredEuclidean, [1e308])).toThrow(/^cfmLoss\(\): gradient must be finite for finite input/);
    const nanGradient = { name: "nanGradient", value: () => new Float64Array(1), gradient: () => fromRows([[Number.NaN, 0]]) };
    expect(() => cfmLoss(fromRows([[1, 2]]), fromRows([[0, 0]]), nanGradient)).toThrow(/^cfmLoss\(\): divergence\.gradient\(target, prediction\) must be finite, got NaN at row 0, column 0$/);
  });

  it("a divergence value below 0 beyond rounding is a DomainError naming the divergence output; -1e-17 is rounding", () => {
    // before: loss -5 with no error
    const constant = (value: number) => ({ name: "constant", value: () => new Float64Array([value]), gradient: (_u: Batch, _v: Batch, out?: Batch) => out as Batch });
    expect(() => cfmLoss(fromRows([[1, 2]]), fromRows([[0, 0]]), constant(-5))).toThrow(DomainError);
    expect(() => cfmLoss(fromRows([[1, 2]]), fromRows([[0, 0]]), constant(-5))).toThrow(/^cfmLoss\(\): divergence\.value\(target, prediction\) must be >= 0 \(a Bregman divergence is nonnegative\), got -5 at row 0$/);
    expect(cfmLoss(fromRows([[1, 2]]), fromRows([[0, 0]]), constant(-1e-17)).loss).toBe(-1e-17);
  });

  it("shape errors name the prediction and the target, not u and v", () => {
    // before: "cfmLoss(): v must have shape [n, 2], got [1, 3]"
    expect(() => cfmLoss(fromRows([[1, 2, 3]]), fromRows([[0, 0]]), squaredEuclidean)).toThrow(/^cfmLoss\(\): prediction must have shape \[n, 2\], got \[1, 3\]$/);
    expect(() => cfmLoss(fromRows([[1, 2]]), null as never, squaredEuclidean)).toThrow(/^cfmLoss\(\): target must be an ndarray/);
  });
});

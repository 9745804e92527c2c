import { describe, expect, it } from "vitest";
import fc from "fast-check";
import ndarray from "ndarray";
import { squaredEuclidean, mahalanobis, generalizedKL, itakuraSaito, bregman, cfmLoss } from "../../src/losses/index.js";
import { divergences, d } from "./fixtures.js";
import type { Batch } from "../../src/core/batch.js";
import { fromRows } from "../../src/core/batch.js";

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
});

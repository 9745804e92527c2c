import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { partialOT } from "../../src/couplings/partial-ot.js";
import { emd } from "../../src/couplings/emd.js";
import { pairwiseCost } from "../../src/couplings/cost.js";
import { fromRows } from "../../src/core/batch.js";
import { DomainError, NonFiniteError } from "../../src/core/errors.js";
import { Random } from "../../src/random/random.js";
import { moons } from "../../src/distributions/index.js";
import { pot, points, weights } from "./pot-fixtures.js";

function fixture(n: number, m: number): { C: ReturnType<typeof pairwiseCost>; a: number[]; b: number[] } {
  const x = fromRows(points(n, 0.3)), y = fromRows(points(m, 1.1).map(([s, t]) => [s! * 0.8 + 0.4, t! * 0.8 + 0.4]));
  return { C: pairwiseCost(x, y), a: weights(n, 3), b: weights(m, 5).map((w) => w * 1.5) };
}

function dense(r: ReturnType<typeof partialOT>): number[][] {
  const P = Array.from({ length: r.plan.n }, () => new Array<number>(r.plan.m).fill(0));
  for (let k = 0; k < r.plan.values.length; k++) P[r.plan.rows[k] as number]![r.plan.columns[k] as number] = r.plan.values[k] as number;
  return P;
}

describe("partialOT", () => {
  it("matches POT's partial_wasserstein (plan within 1e-12, cost within 1e-9 relative) on the fixtures", () => {
    for (const f of pot.partial) {
      const { C, a, b } = fixture(f.n, f.m);
      const mass = f.massFraction * Math.min(1, 1.5);
      const r = partialOT(a, b, C, mass);
      expect(Math.abs(r.cost - f.cost)).toBeLessThanOrEqual(1e-9 * f.cost);
      const P = dense(r);
      for (let i = 0; i < f.n; i++) for (let j = 0; j < f.m; j++) expect(Math.abs(P[i]![j]! - f.plan[i]![j]!)).toBeLessThanOrEqual(1e-12);
    }
  });

  it("transports exactly the mass m, never more than a or b, for random weights and masses", () => {
    const rng = new Random(2);
    for (let t = 0; t < 20; t++) {
      const n = 5 + Math.floor(rng.uniform() * 60), m = 5 + Math.floor(rng.uniform() * 60);
      const C = pairwiseCost(rng.normalBatch(n, 2), moons().sample(m, rng));
      const a = Array.from({ length: n }, () => rng.uniform()), b = Array.from({ length: m }, () => 2 * rng.uniform());
      const sa = a.reduce((p, q) => p + q, 0), sb = b.reduce((p, q) => p + q, 0);
      const mass = (0.05 + 0.95 * rng.uniform()) * Math.min(sa, sb);
      const r = partialOT(a, b, C, mass);
      let total = 0;
      const ra = new Float64Array(n), rb = new Float64Array(m);
      for (let k = 0; k < r.plan.values.length; k++) {
        const v = r.plan.values[k] as number, i = r.plan.rows[k] as number, j = r.plan.columns[k] as number;
        total += v;
        ra[i] = (ra[i] as number) + v;
        rb[j] = (rb[j] as number) + v;
      }
      // one rounding per node of the extended problem
      const tol = 8 * (n + m + 2) * 2.2e-16 * (sa + sb);
      expect(Math.abs(total - mass)).toBeLessThanOrEqual(tol);
      for (let i = 0; i < n; i++) expect(ra[i]!).toBeLessThanOrEqual(a[i]! + tol);
      for (let j = 0; j < m; j++) expect(rb[j]!).toBeLessThanOrEqual(b[j]! + tol);
      expect(r.marginalError).toBeLessThanOrEqual(4 * tol);
      expect(r.converged).toBe(true);
    }
  });

  it("the full mass gives the balanced optimum, and the cost grows with the mass", () => {
    const rng = new Random(4);
    const C = pairwiseCost(rng.normalBatch(40, 2), moons().sample(40, rng));
    const full = partialOT(null, null, C, 1), exact = emd(null, null, C);
    expect(Math.abs(full.cost - exact.cost)).toBeLessThanOrEqual(1e-12 * exact.cost);
    let previous = 0;
    for (const mass of [0.1, 0.3, 0.6, 0.9]) {
      const c = partialOT(null, null, C, mass).cost;
      expect(c).toBeGreaterThan(previous);
      previous = c;
    }
  });

  it("documented example: half the mass takes the free pair", () => {
    expect(partialOT(null, null, fromRows([[0, 5], [5, 1]]), 0.5).cost).toBe(0);
  });

  it("bad input: m outside (0, min(|a|, |b|)], NaN costs, negative weights -> typed errors", () => {
    const C = ndarray(Float64Array.from([0, 1, 1, 0]), [2, 2]);
    expect(() => partialOT(null, null, C, 0)).toThrow(DomainError);
    expect(() => partialOT(null, null, C, -0.1)).toThrow(DomainError);
    expect(() => partialOT([1, 1], [0.25, 0.25], C, 0.6)).toThrow(/partialOT\(\): mass must be in \(0, min/);
    expect(() => partialOT(null, null, C, NaN)).toThrow(NonFiniteError);
    expect(() => partialOT(null, null, fromRows([[NaN, 1], [1, 0]]), 0.5)).toThrow(NonFiniteError);
    expect(() => partialOT([-1, 2], null, C, 0.5)).toThrow(DomainError);
  });
});

describe("partialOT at the edges of the float64 range", () => {
  it("solves costs near 1e308 (its dummy cell cost 2 max|C| overflowed) and weights near 1e160", () => {
    const r = partialOT(null, null, fromRows([[1e308, 0], [0, 1e308]]), 0.5);
    expect(r.cost).toBe(0);
    const w = partialOT([1e160, 1e160], [1e160, 1e160], fromRows([[0, 1], [1, 0]]), 1e160);
    expect(w.plan.values.reduce((s, x) => s + x, 0)).toBeCloseTo(1e160, -150);
    for (const x of w.plan.values) expect(Number.isFinite(x)).toBe(true);
    expect(() => partialOT(null, null, fromRows([[0, 1], [1, 0]]), 0.5, null as never)).toThrow(DomainError);
  });
});

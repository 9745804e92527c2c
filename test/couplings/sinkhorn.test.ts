import { describe, expect, it } from "vitest";
import { sinkhorn } from "../../src/couplings/sinkhorn.js";
import { sinkhornUnbalanced } from "../../src/couplings/unbalanced.js";
import { solveAssignment } from "../../src/couplings/assignment.js";
import { pairwiseCost } from "../../src/couplings/cost.js";
import { fromRows } from "../../src/core/batch.js";
import { ConvergenceError, DomainError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import { Random } from "../../src/random/random.js";
import { gaussiansToMoons } from "./helpers.js";

function marginals(plan: Float64Array, n: number, m: number): { rows: Float64Array; cols: Float64Array } {
  const rows = new Float64Array(n), cols = new Float64Array(m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    rows[i] = (rows[i] as number) + (plan[i * m + j] as number);
    cols[j] = (cols[j] as number) + (plan[i * m + j] as number);
  }
  return { rows, cols };
}

function maxDeviation(x: Float64Array, target: number | Float64Array): number {
  let e = 0;
  for (let k = 0; k < x.length; k++) e = Math.max(e, Math.abs((x[k] as number) - (typeof target === "number" ? target : (target[k] as number))));
  return e;
}

describe("sinkhorn", () => {
  it("at convergence both marginals are within 1e-6 (non-uniform weights, rectangular)", () => {
    const rng = new Random(1);
    const C = pairwiseCost(rng.normalBatch(30, 2), rng.normalBatch(20, 2));
    const a = new Float64Array(30).map(() => 0.5 + rng.uniform()), b = new Float64Array(20).map(() => 0.5 + rng.uniform());
    const sa = a.reduce((s, x) => s + x, 0), sb = b.reduce((s, x) => s + x, 0);
    for (let j = 0; j < 20; j++) b[j] = (b[j] as number) * (sa / sb);
    const r = sinkhorn(a, b, C, { reg: 0.1, tolerance: 1e-8 });
    expect(r.converged).toBe(true);
    const { rows, cols } = marginals(r.plan.data, 30, 20);
    expect(maxDeviation(rows, a)).toBeLessThan(1e-6);
    expect(maxDeviation(cols, b)).toBeLessThan(1e-6);
    expect(r.marginalError).toBeLessThan(1e-6);
  });

  it("the plan is the Gibbs form exp((f_i + g_j - C_ij)/reg) of its potentials", () => {
    const rng = new Random(2);
    const C = pairwiseCost(rng.normalBatch(10, 2), rng.normalBatch(12, 2));
    const r = sinkhorn(null, null, C, { reg: 0.3 });
    for (let i = 0; i < 10; i++) for (let j = 0; j < 12; j++) {
      const gibbs = Math.exp(((r.f[i] as number) + (r.g[j] as number) - C.get(i, j)) / 0.3);
      expect(Math.abs(r.plan.get(i, j) - gibbs)).toBeLessThan(1e-12);
    }
  });

  it("its cost tends to the exact OT cost as reg -> 0", () => {
    const { x, y } = gaussiansToMoons(48, 4);
    const C = pairwiseCost(x, y);
    const exact = solveAssignment(C).cost / 48;
    const gaps = [1, 0.1, 0.01].map((reg) => sinkhorn(null, null, C, { reg, tolerance: 1e-7, maxIterations: 100000 }).cost - exact);
    expect(gaps[0]).toBeGreaterThan(gaps[1] as number);
    expect(Math.abs(gaps[2] as number)).toBeLessThan(0.02 * exact);
    expect(Math.abs(gaps[2] as number)).toBeLessThan(Math.abs(gaps[0] as number));
  });

  for (const [reg, n, tolerance] of [[0.05, 128, 1e-6], [0.01, 64, 1e-5]] as const) {
    it(`stable on 8 Gaussians -> moons at reg ${reg}: finite, converged, a real coupling`, () => {
      for (const seed of [1, 2]) {
        const { x, y } = gaussiansToMoons(n, seed);
        const C = pairwiseCost(x, y);
        const r = sinkhorn(null, null, C, { reg, tolerance, maxIterations: 100000 });
        expect(r.converged).toBe(true);
        expect(r.plan.data.every((p) => Number.isFinite(p) && p >= 0)).toBe(true);
        expect(r.f.every(Number.isFinite) && r.g.every(Number.isFinite)).toBe(true);
        const { rows, cols } = marginals(r.plan.data, n, n);
        expect(maxDeviation(rows, 1 / n)).toBeLessThan(tolerance);
        expect(maxDeviation(cols, 1 / n)).toBeLessThan(tolerance);
      }
    });
  }

  it("without epsilon scaling the iteration is the plain one: same fixed point", () => {
    const { x, y } = gaussiansToMoons(32, 7);
    const C = pairwiseCost(x, y);
    const p = sinkhorn(null, null, C, { reg: 0.5, tolerance: 1e-12, epsilonScaling: false });
    const q = sinkhorn(null, null, C, { reg: 0.5, tolerance: 1e-12, overRelaxation: 1.5 });
    expect(p.converged && q.converged).toBe(true);
    for (let k = 0; k < p.plan.data.length; k++) expect(Math.abs((p.plan.data[k] as number) - (q.plan.data[k] as number))).toBeLessThan(1e-12);
  });

  it("hitting maxIterations reports converged = false; strict throws ConvergenceError with the result", () => {
    const { x, y } = gaussiansToMoons(32, 3);
    const C = pairwiseCost(x, y);
    const r = sinkhorn(null, null, C, { reg: 0.05, maxIterations: 3, epsilonScaling: false });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(3);
    expect(r.marginalError).toBeGreaterThan(1e-9);
    expect(() => sinkhorn(null, null, C, { reg: 0.05, maxIterations: 3, strict: true })).toThrow(ConvergenceError);
    try { sinkhorn(null, null, C, { reg: 0.05, maxIterations: 3, strict: true }); } catch (e) {
      expect((e as ConvergenceError<{ iterations: number }>).partial?.iterations).toBe(3);
    }
  });

  it("rejects NaN/Inf costs, negative or zero weights, mismatched sums, bad options", () => {
    const C = fromRows([[0, 1], [1, 0]]);
    expect(() => sinkhorn(null, null, fromRows([[0, Number.NaN], [1, 0]]), { reg: 1 })).toThrow(NonFiniteError);
    expect(() => sinkhorn(null, null, fromRows([[0, Infinity], [1, 0]]), { reg: 1 })).toThrow(NonFiniteError);
    expect(() => sinkhorn([1.5, -0.5], null, C, { reg: 1 })).toThrow(DomainError);
    expect(() => sinkhorn([1, 0], [0.5, 0.5], C, { reg: 1 })).toThrow(DomainError);
    expect(() => sinkhorn([0.5, 0.5], [0.5, 0.6], C, { reg: 1 })).toThrow(/same total/);
    expect(() => sinkhorn([0.5, Number.NaN], null, C, { reg: 1 })).toThrow(NonFiniteError);
    expect(() => sinkhorn([1], null, C, { reg: 1 })).toThrow(ShapeError);
    expect(() => sinkhorn(null, null, C, { reg: 0 })).toThrow(DomainError);
    expect(() => sinkhorn(null, null, C, { reg: 1, maxIterations: 0 })).toThrow(DomainError);
    expect(() => sinkhorn(null, null, fromRows([]), { reg: 1 })).toThrow(ShapeError);
  });

  it("tiny reg on large costs (exp(-C/reg) underflows everywhere) still gives the exact assignment plan", () => {
    const C = fromRows([[0, 400], [400, 0]]);
    const r = sinkhorn(null, null, fromRows([[900, 500], [500, 900]]), { reg: 0.001 });
    expect(r.converged).toBe(true);
    expect(r.plan.get(0, 1)).toBeCloseTo(0.5, 12);
    expect(sinkhorn(null, null, C, { reg: 0.001 }).plan.get(0, 0)).toBeCloseTo(0.5, 12);
  });
});

describe("sinkhornUnbalanced", () => {
  it("matches the closed form of a single cell: p = (a^rho b^rho)^(1/(2 rho + reg)) for zero cost", () => {
    const r = sinkhornUnbalanced([1], [2], fromRows([[0]]), { reg: 0.1, regMarginal: 1, tolerance: 1e-13 });
    expect(r.converged).toBe(true);
    expect(r.plan.get(0, 0)).toBeCloseTo(Math.pow(2, 1 / 2.1), 8);
  });

  it("tends to balanced Sinkhorn as regMarginal -> infinity", () => {
    const rng = new Random(9);
    const C = pairwiseCost(rng.normalBatch(8, 2), rng.normalBatch(8, 2));
    const bal = sinkhorn(null, null, C, { reg: 0.5, tolerance: 1e-12 });
    const unb = sinkhornUnbalanced(null, null, C, { reg: 0.5, regMarginal: 1e5, tolerance: 1e-10, maxIterations: 100000 });
    for (let k = 0; k < 64; k++) expect(Math.abs((unb.plan.data[k] as number) - (bal.plan.data[k] as number))).toBeLessThan(1e-5);
  });

  it("destroys mass where transport is expensive and reports strict non-convergence", () => {
    const C = fromRows([[0, 100], [100, 100]]);
    const r = sinkhornUnbalanced([0.5, 0.5], [0.5, 0.5], C, { reg: 0.1, regMarginal: 1 });
    expect(r.plan.get(1, 1)).toBeLessThan(1e-3);
    expect(r.marginalError).toBeGreaterThan(0.5);
    expect(() => sinkhornUnbalanced(null, null, C, { reg: 0.1, regMarginal: 1, maxIterations: 1, strict: true, epsilonScaling: false })).toThrow(ConvergenceError);
    expect(() => sinkhornUnbalanced(null, null, C, { reg: 0.1 } as never)).toThrow(DomainError);
  });
});

describe("sinkhorn at the edges of the float64 range", () => {
  it("ends (no endless ε schedule) when the cost range overflows: max - min of ±9e307", () => {
    const C = fromRows([[9e307, -9e307], [-9e307, 9e307]]);
    const r = sinkhorn(null, null, C, { reg: 1, maxIterations: 100 });
    // the plan sits on the -9e307 cells
    expect(r.cost).toBe(-9e307);
    expect(() => sinkhornUnbalanced(null, null, C, { reg: 1, regMarginal: 1, maxIterations: 100 })).toThrow(NonFiniteError);
  });

  it("normalizeCost that would overflow is a DomainError; overflowing potentials a NonFiniteError (was converged with -Infinity)", () => {
    expect(() => sinkhorn(null, null, fromRows([[1e-310, -1e10], [-1e10, 1e-310]]), { reg: 1, normalizeCost: true })).toThrow(DomainError);
    expect(() => sinkhorn(null, null, fromRows([[1e300, 2e300], [3e300, 1e300]]), { reg: 1e10, normalizeCost: true, epsilonScaling: false })).toThrow(NonFiniteError);
    expect(() => sinkhorn(null, null, fromRows([[0, 1], [1, 0]]), { reg: 1, epsilonScaling: "yes" as never })).toThrow(DomainError);
  });
});

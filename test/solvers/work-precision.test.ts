import { describe, expect, it } from "vitest";
import type { WorkPrecisionPoint } from "./work-precision-problems.js";
import { geometricMean, problems, ratiosAtEqualError, scipyFixture, scipyMethod, solvePoint } from "./work-precision-problems.js";

/*
 * The default step-size control of dop853 and dopri5 against SciPy's DOP853 and RK45 on the
 * work-precision problems (docs/solvers.md), rtol = atol = 1e-4 ... 1e-12. SciPy's numbers are
 * a fixture made by scripts/ode-work-precision.py; the table is printed by
 * `npm run bench ode-work-precision`.
 */

/**
 * Largest factor by which SciPy's own end-point errors stray from their trend (a least-squares
 * line of log error against log tol): end-point errors are not monotone in tol (a step sequence
 * that happens to cancel errors), so ours and SciPy's can sit on opposite sides of the trend
 * by this factor each.
 */
function scatter(points: readonly WorkPrecisionPoint[]): number {
  const xs = points.map((p) => Math.log(p.tol)), ys = points.map((p) => Math.log(p.error));
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length, my = ys.reduce((s, v) => s + v, 0) / ys.length;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    sxx += ((xs[i] as number) - mx) ** 2;
  }
  const b = sxy / sxx;
  return Math.exp(Math.max(...xs.map((x, i) => Math.abs((ys[i] as number) - (my + b * (x - mx))))));
}

describe.each(["dop853", "dopri5"] as const)("%s default step control vs SciPy on Hairer's non-stiff problems and a flow-matching field", (method) => {
  it.each(problems.map((p) => [p.name, p] as const))("%s: fewer evaluations than SciPy at equal error (geometric mean over 1e-4 ... 1e-12), at most 15% more evaluations at each tolerance, errors within SciPy's own scatter", (_name, problem) => {
    const scipy = scipyFixture.problems[problem.name]![scipyMethod[method]];
    const ours = scipyFixture.tolerances.map((tol) => solvePoint(problem, method, tol));
    // the class-level claim the defaults were chosen for
    expect(geometricMean(ratiosAtEqualError(ours, scipy))).toBeLessThan(1);
    // errors at the same tolerance: no larger on average, and each within the squared scatter
    expect(geometricMean(ours.map((p, i) => p.error / scipy[i]!.error))).toBeLessThan(1);
    // of SciPy's errors about their trend where both are straight lines (tol <= 1e-6; looser,
    // Arenstorf's errors plateau near 1e-2)
    const factor = scatter(scipy.filter((q) => q.tol <= 1e-6)) ** 2;
    for (let i = 0; i < ours.length; i++) {
      const p = ours[i] as WorkPrecisionPoint, q = scipy[i] as WorkPrecisionPoint;
      if (p.tol <= 1e-6) expect(p.error, `tol ${p.tol}: error ${p.error} vs SciPy ${q.error}`).toBeLessThanOrEqual(factor * q.error);
      // safety 0.8 instead of SciPy's 0.9 shortens each step by 0.8/0.9, so a smooth problem
      // takes up to 12.5% more steps at a tolerance; 15% leaves 2.5% for rejections
      expect(p.nfe, `tol ${p.tol}: ${p.nfe} evaluations vs SciPy ${q.nfe}`).toBeLessThanOrEqual(1.15 * q.nfe);
    }
  });
});

describe("the work-precision fixture", () => {
  it("has SciPy's references accurate well below the smallest error they judge (spread of two tight solves), and SciPy's counts grow as tol shrinks", () => {
    for (const p of problems) {
      const fx = scipyFixture.problems[p.name]!;
      const smallest = Math.min(...fx.DOP853.map((q) => q.error), ...fx.RK45.map((q) => q.error));
      if (p.name !== "arenstorf") expect(fx.referenceSpread).toBeLessThan(0.1 * smallest); // arenstorf: the exact periodic state
      for (const m of ["DOP853", "RK45"] as const) {
        for (let i = 1; i < fx[m].length; i++) expect(fx[m][i]!.nfe).toBeGreaterThan(fx[m][i - 1]!.nfe);
      }
    }
  });
});

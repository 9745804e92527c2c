import ndarray from "ndarray";
import { asBatch } from "../core/batch.js";
import { checkFinite, checkOptions } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeShape } from "../core/format.js";
import type { CostMatrix } from "./cost.js";
import { emd, planCost, readMass, type EmdOptions, type EmdResult, type SparsePlan } from "./emd.js";
import { readPolicy, reportConvergence } from "./status.js";
import type { Weights } from "./weights.js";

/**
 * Exact partial optimal transport, POT's `ot.partial.partial_wasserstein`: the cheapest plan
 * moving exactly `mass` units, `min sum_ij C_ij P_ij` over `P >= 0`, `P 1 <= a`,
 * `P^T 1 <= b`, `sum_ij P_ij = mass`. Solved as in POT (Chapel et al. 2020) by {@link emd}
 * on the problem extended by one dummy row of mass `|b| - mass` and one dummy column of mass
 * `|a| - mass`, at zero cost to every real point and `2 max|C|` between the dummies (never
 * used), then dropping the dummies. The points left unmatched are where transport is
 * dearest.
 *
 * @param a - source weights (>= 0) or null for uniform 1/n
 * @param b - target weights (>= 0, any total) or null for uniform 1/m
 * @param cost - cost matrix, shape [n, m], finite
 * @param mass - mass to transport, in (0, min(|a|, |b|)]
 * @param options - as {@link emd}
 * @returns the sparse plan of total `mass`, its cost and status (`marginalError` is
 * `|sum P - mass|` plus any excess of the marginals over a and b), and potentials of the
 * extended problem restricted to the real points
 * @throws as {@link emd}; {@link DomainError} when mass is outside (0, min(|a|, |b|)]
 * @example
 * ```ts
 * const r = partialOT(null, null, fromRows([[0, 5], [5, 1]]), 0.5);
 * r.cost // => 0 (only the free pair (0, 0) is used)
 * ```
 * @category Couplings
 */
export function partialOT(a: Weights, b: Weights, cost: CostMatrix, mass: number, options: EmdOptions = {}): EmdResult {
  const fn = "partialOT";
  options = checkOptions(fn, "options", options);
  const c = asBatch(fn, "cost", cost);
  const n = c.shape[0] as number, m = c.shape[1] as number;
  if (n === 0 || m === 0) throw new ShapeError(fn, "cost", "have at least one row and one column", describeShape(c.shape));
  const wa = readMass(fn, "a", a, n) ?? new Float64Array(n).fill(1 / n);
  const wb = readMass(fn, "b", b, m) ?? new Float64Array(m).fill(1 / m);
  let sa = 0, sb = 0;
  for (let i = 0; i < n; i++) sa += wa[i] as number;
  for (let j = 0; j < m; j++) sb += wb[j] as number;
  checkFinite(fn, "mass", mass);
  const limit = Math.min(sa, sb);
  if (!(mass > 0) || mass > limit * (1 + 1e-12)) throw new DomainError(fn, "mass", `be in (0, min(|a|, |b|)] = (0, ${limit}]`, String(mass));
  const C = c.data;
  let big = 0;
  for (let k = 0; k < C.length; k++) big = Math.max(big, Math.abs(C[k] as number));
  const extended = new Float64Array((n + 1) * (m + 1));
  for (let i = 0; i < n; i++) extended.set(C.subarray(i * m, i * m + m), i * (m + 1));
  // the dummy-to-dummy cell above every real cost (2 max|C|, or the largest double when that overflows)
  extended[(n + 1) * (m + 1) - 1] = big > 0 ? Math.min(2 * big, Number.MAX_VALUE) : 1;
  const ea = new Float64Array(n + 1), eb = new Float64Array(m + 1);
  ea.set(wa); eb.set(wb);
  ea[n] = Math.max(sb - mass, 0); eb[m] = Math.max(sa - mass, 0);
  const r = emd(ea, eb, ndarray(extended, [n + 1, m + 1]), { ...options, onNonConvergence: "ignore" });
  const rows: number[] = [], columns: number[] = [], values: number[] = [];
  for (let k = 0; k < r.plan.values.length; k++) {
    const i = r.plan.rows[k] as number, j = r.plan.columns[k] as number;
    if (i === n || j === m) continue;
    rows.push(i); columns.push(j); values.push(r.plan.values[k] as number);
  }
  const plan: SparsePlan = { n, m, rows: Int32Array.from(rows), columns: Int32Array.from(columns), values: Float64Array.from(values) };
  const result: EmdResult = {
    plan, u: r.u.slice(0, n), v: r.v.slice(0, m), iterations: r.iterations, converged: r.converged,
    cost: planCost(plan, C), marginalError: partialError(plan, wa, wb, mass),
  };
  return reportConvergence(fn, readPolicy(fn, options.onNonConvergence, "ignore"), result, "optimality");
}

/** `|sum P - mass| + ||max(P 1 - a, 0)||_1 + ||max(P^T 1 - b, 0)||_1`. */
function partialError(plan: SparsePlan, a: Float64Array, b: Float64Array, mass: number): number {
  const ra = new Float64Array(plan.n), rb = new Float64Array(plan.m);
  let total = 0;
  for (let k = 0; k < plan.values.length; k++) {
    const v = plan.values[k] as number;
    total += v;
    ra[plan.rows[k] as number] = (ra[plan.rows[k] as number] as number) + v;
    rb[plan.columns[k] as number] = (rb[plan.columns[k] as number] as number) + v;
  }
  let e = Math.abs(total - mass);
  for (let i = 0; i < plan.n; i++) e += Math.max((ra[i] as number) - (a[i] as number), 0);
  for (let j = 0; j < plan.m; j++) e += Math.max((rb[j] as number) - (b[j] as number), 0);
  return e;
}

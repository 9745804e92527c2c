import { asBatch } from "../core/batch.js";
import { checkPositive, checkOptions, checkFiniteResult } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeShape, describeValue } from "../core/format.js";
import type { CostMatrix } from "./cost.js";
import { normalizeCostData, reportConvergence } from "./status.js";
import { anneal, finish, readOptions, scalePotentials, type SinkhornOptions, type SinkhornResult } from "./sinkhorn.js";
import { toWeights, total, type Weights } from "./weights.js";

/**
 * Options of {@link sinkhornUnbalanced}: those of {@link sinkhorn} plus the marginal penalty.
 * The stopping rule differs: the iteration stops when no potential moves by more than
 * `tolerance` (cost units) in one iteration, since the marginals are not matched exactly.
 *
 * @category Couplings
 */
export interface UnbalancedSinkhornOptions extends SinkhornOptions {
  /** Weight rho > 0 of the KL penalties `rho KL(P 1 | a) + rho KL(P^T 1 | b)`; rho -> infinity is balanced OT. */
  regMarginal: number;
  /**
   * The entropy term: `'entropy'` (default here), `-reg H(P)`; `'kl'`, `reg KL(P | a b^T)`
   * (POT's `sinkhorn_knopp_unbalanced` default since 0.9), which is the same problem on the
   * cost `C_ij - reg ln(a_i b_j)`.
   */
  regType?: "entropy" | "kl";
}

/**
 * Unbalanced entropic transport: `min_P <P, C> - reg H(P) + rho KL(P 1 | a) + rho KL(P^T 1 | b)`,
 * solved in the log domain by the scaling iteration of Chizat et al. (2018):
 * `f_i = (rho / (rho + reg)) (reg ln a_i - reg LSE_j((g_j - C_ij) / reg))` and likewise for g.
 * Mass may be created or destroyed where transport is expensive; `marginalError` reports
 * how far the marginals are from a and b, not a failure.
 *
 * @param a - source weights (> 0) or null for uniform
 * @param b - target weights (> 0, any total) or null for uniform
 * @param cost - cost matrix [n, m]
 * @param options - reg, regMarginal and the stopping rule (tolerance on the potentials, default 1e-9)
 * @returns plan, potentials, cost, iterations, convergence flag and marginal deviation
 * @throws as {@link sinkhorn}, except that weight sums may differ
 * @example
 * ```ts
 * const r = sinkhornUnbalanced([1], [2], fromRows([[0]]), { reg: 0.1, regMarginal: 1 });
 * r.plan.get(0, 0) // => 1.3803... (between the two masses: the geometric-mean-like compromise)
 * ```
 * @category Couplings
 */
export function sinkhornUnbalanced(a: Weights, b: Weights, cost: CostMatrix, options: UnbalancedSinkhornOptions): SinkhornResult {
  options = checkOptions("sinkhornUnbalanced", "options", options, true);
  const fn = "sinkhornUnbalanced";
  const c = asBatch(fn, "cost", cost);
  const n = c.shape[0] as number, m = c.shape[1] as number;
  if (n === 0 || m === 0) throw new ShapeError(fn, "cost", "have at least one row and one column", describeShape(c.shape));
  const o = readOptions(fn, options);
  if (options.regMarginal === undefined) throw new DomainError(fn, "options.regMarginal", "be a number > 0", "undefined");
  const rho = checkPositive(fn, "options.regMarginal", options.regMarginal);
  const wa = toWeights(fn, "a", a, n), wb = toWeights(fn, "b", b, m);
  const regType = options.regType ?? "entropy";
  if (regType !== "entropy" && regType !== "kl") throw new DomainError(fn, "options.regType", "be 'entropy' or 'kl'", describeValue(regType));
  const phi = rho / (rho + o.reg);
  const { data, scale } = normalizeCostData(c.data, o.normalizeCost, fn);
  let shifted = data;
  if (regType === "kl") {
    // exp(-C'/reg) = exp(-C/reg) a_i b_j: POT's kernel with the reference measure a b^T
    shifted = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      const la = Math.log(wa[i] as number);
      for (let j = 0; j < m; j++) shifted[i * m + j] = (data[i * m + j] as number) - o.reg * (la + Math.log(wb[j] as number));
    }
  }
  const r = anneal({
    a: wa, b: wb, cost: shifted, n, m, reg: o.reg, phiA: phi, phiB: phi, maxIterations: o.maxIterations,
    tolerance: o.tolerance, criterion: "potential", omega: o.overRelaxation,
  }, o.epsilonScaling, total(wa));
  scalePotentials(r.f, r.g, scale);
  const result = finish(r.plan, c.data, wa, wb, n, m, r.f, r.g, r.iterations, r.converged);
  checkFiniteResult(fn, "plan", result.plan.data);
  checkFiniteResult(fn, "f", result.f);
  checkFiniteResult(fn, "g", result.g);
  return reportConvergence(fn, o.onNonConvergence, result, `potential change <= ${o.tolerance}`);
}

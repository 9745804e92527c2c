import { checkOptions, checkPositive } from "../core/check.js";
import { samplingCoupling, type OTCoupling, type OTCouplingOptions } from "./ot-coupling.js";
import { readPolicy } from "./status.js";
import { sinkhornUnbalanced } from "./unbalanced.js";

/**
 * Options of {@link unbalancedOTCoupling}.
 *
 * @category Couplings
 */
export interface UnbalancedCouplingOptions extends OTCouplingOptions {
  /** The entropy term, as POT's `reg_type`: `'kl'` (default, POT's) or `'entropy'`. */
  regType?: "kl" | "entropy";
  /** Stop when no potential moves by more than this in one iteration (default 1e-9, cost units). */
  tolerance?: number;
}

/**
 * Minibatch unbalanced OT coupling (torchcfm's `OTPlanSampler(method="unbalanced")`): the
 * plan of `min_P <P, C> + reg KL(P | a b^T) + regM KL(P 1 | a) + regM KL(P^T 1 | b)` with
 * uniform a, b (POT's `sinkhorn_knopp_unbalanced` semantics, solved in the log domain by
 * {@link sinkhornUnbalanced}); x0's row count of pairs is drawn from the plan normalised to
 * mass 1, so points that the plan starves (outliers) are rarely drawn.
 *
 * @param reg - entropic regularisation reg > 0 (cost units)
 * @param regM - marginal relaxation regM > 0; regM -> infinity is balanced entropic OT
 * @param options - sampling, entropy type, tolerance and status options
 * @returns an {@link OTCoupling}
 * @throws {@link DomainError} for reg <= 0 or regM <= 0; (from `pair`) {@link ShapeError} when the dimensions differ
 * @example
 * ```ts
 * const c = unbalancedOTCoupling(0.05, 1).pair(fromRows([[0], [10]]), fromRows([[10.5], [0.5]]), new Random(1));
 * Array.from(c.indices0).map((i, k) => i + c.indices1[k]) // => [1, 1]
 * ```
 * @category Couplings
 */
export function unbalancedOTCoupling(reg: number, regM: number, options: UnbalancedCouplingOptions = {}): OTCoupling {
  const fn = "unbalancedOTCoupling";
  options = checkOptions(fn, "options", options);
  const sk = {
    reg: checkPositive(fn, "reg", reg), regMarginal: checkPositive(fn, "regM", regM), regType: options.regType ?? "kl",
    tolerance: options.tolerance ?? 1e-9, onNonConvergence: readPolicy(fn, options.onNonConvergence, "warn"),
    normalizeCost: options.normalizeCost ?? false, ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
  } as const;
  return samplingCoupling(`${fn}.pair`, options, (C) => sinkhornUnbalanced(null, null, C, sk));
}

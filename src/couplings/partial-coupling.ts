import { checkInRange, checkOptions } from "../core/check.js";
import { samplingCoupling, type OTCoupling, type OTCouplingOptions } from "./ot-coupling.js";
import { partialOT } from "./partial-ot.js";
import { readPolicy } from "./status.js";

/**
 * Minibatch partial OT coupling: with uniform weights 1/n and 1/m, only the fraction `mass`
 * of the mass is transported, by {@link partialOT} (POT's `partial_wasserstein`), so the
 * points whose transport is dearest (outliers, classes absent from the other batch) are left
 * out; x0's row count of pairs is drawn from the partial plan. `status.cost` is the cost of
 * the transported mass.
 *
 * @param mass - fraction of the mass to transport, in (0, 1]
 * @param options - sampling, cost normalisation, status options
 * @returns an {@link OTCoupling}
 * @throws {@link DomainError} when mass is outside (0, 1]; (from `pair`) {@link ShapeError} when the dimensions differ
 * @example
 * ```ts
 * // the outlier 100 of x1 is never paired when half the mass moves
 * const c = partialOTCoupling(0.5).pair(fromRows([[0], [1]]), fromRows([[0.5], [100]]), new Random(1));
 * Array.from(c.indices1) // => [0, 0]
 * ```
 * @category Couplings
 */
export function partialOTCoupling(mass: number, options: OTCouplingOptions = {}): OTCoupling {
  options = checkOptions("partialOTCoupling", "options", options);
  const fraction = checkInRange("partialOTCoupling", "mass", mass, Number.MIN_VALUE, 1);
  const solveOptions = {
    onNonConvergence: readPolicy("partialOTCoupling", options.onNonConvergence, "warn"), normalizeCost: options.normalizeCost ?? false,
    ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
  };
  return samplingCoupling("partialOTCoupling.pair", options, (C) => partialOT(null, null, C, fraction, solveOptions));
}

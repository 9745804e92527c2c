import { checkOptions, checkPositive } from "../core/check.js";
import { samplingCoupling, type OTCoupling, type OTCouplingOptions } from "./ot-coupling.js";
import { sinkhorn, type SinkhornOptions } from "./sinkhorn.js";
import { readPolicy } from "./status.js";

/**
 * Options of {@link entropicOTCoupling} and {@link schrodingerBridgeCoupling}.
 *
 * @category Couplings
 */
export interface EntropicCouplingOptions extends OTCouplingOptions {
  /** Most Sinkhorn iterations (default 10000). */
  maxIterations?: number;
  /** Sinkhorn marginal tolerance (default 1e-6). */
  tolerance?: number;
  /** Throw when Sinkhorn does not converge (same as `onNonConvergence: 'throw'`). */
  strict?: boolean;
}

/**
 * Minibatch entropic OT coupling (torchcfm's `OTPlanSampler(method="sinkhorn")`): solves
 * `P = argmin <P, C> - reg H(P)` with uniform marginals and squared Euclidean costs by
 * {@link sinkhorn}, then draws x0's row count of pairs (i, j) from P with {@link samplePlan}.
 * Batches may differ in size. A solve that stops before the tolerance warns by default
 * (`onNonConvergence`), and `status` reports every solve.
 *
 * @param reg - entropic regularisation (cost units, or relative to max C with normalizeCost; > 0)
 * @param options - sampling, Sinkhorn and status options
 * @returns an {@link OTCoupling}
 * @throws {@link DomainError} for reg <= 0; (from `pair`) {@link ShapeError} when the dimensions differ
 * @example
 * ```ts
 * const c = entropicOTCoupling(0.01).pair(fromRows([[0], [10]]), fromRows([[11], [1]]), new Random(1));
 * Array.from(c.indices1).map((j, k) => [c.indices0[k], j]).every(([i, j]) => i !== j) // => true
 * ```
 * @category Couplings
 */
export function entropicOTCoupling(reg: number, options: EntropicCouplingOptions = {}): OTCoupling {
  return planCoupling("entropicOTCoupling", checkPositive("entropicOTCoupling", "reg", reg), options);
}

/**
 * The Schrödinger bridge coupling of SB-CFM (Tong et al. 2023): the static Schrödinger
 * bridge with Brownian reference of variance sigma^2 is entropic OT with `reg = 2 sigma^2`
 * (see REFERENCES.md), so this is `entropicOTCoupling(2 sigma^2)`.
 *
 * @param sigma - noise level of the bridge (> 0)
 * @param options - sampling and Sinkhorn options
 * @returns an {@link OTCoupling}
 * @throws {@link DomainError} for sigma <= 0
 * @example
 * ```ts
 * schrodingerBridgeCoupling(0.1).pair(fromRows([[0]]), fromRows([[1]]), new Random(1)).indices1 // => Int32Array [0]
 * ```
 * @category Couplings
 */
export function schrodingerBridgeCoupling(sigma: number, options: EntropicCouplingOptions = {}): OTCoupling {
  const s = checkPositive("schrodingerBridgeCoupling", "sigma", sigma);
  return planCoupling("schrodingerBridgeCoupling", 2 * s * s, options);
}

function planCoupling(name: string, reg: number, given: EntropicCouplingOptions): OTCoupling {
  const options = checkOptions(name, "options", given);
  const sk: SinkhornOptions = {
    reg, maxIterations: options.maxIterations ?? 10000, tolerance: options.tolerance ?? 1e-6,
    onNonConvergence: readPolicy(name, options.onNonConvergence, options.strict ? "throw" : "warn"),
    normalizeCost: options.normalizeCost ?? false,
  };
  return samplingCoupling(`${name}.pair`, options, (C) => sinkhorn(null, null, C, sk));
}

import { asBatch, gatherRows, type Batch } from "../core/batch.js";
import { checkPositive, checkOptions, checkRandom } from "../core/check.js";
import { ShapeError } from "../core/errors.js";
import { describeShape } from "../core/format.js";
import type { Coupling, CoupledBatch } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import { pairwiseCost } from "./cost.js";
import { samplePlan } from "./sample-plan.js";
import { sinkhorn, type SinkhornOptions } from "./sinkhorn.js";

/**
 * Options of {@link entropicOTCoupling} and {@link schrodingerBridgeCoupling}.
 *
 * @category Couplings
 */
export interface EntropicCouplingOptions {
  /** Draw pairs with replacement (default true, as torchcfm: independent draws from the plan). */
  replace?: boolean;
  /** Most Sinkhorn iterations (default 10000). */
  maxIterations?: number;
  /** Sinkhorn marginal tolerance (default 1e-6). */
  tolerance?: number;
  /** Throw when Sinkhorn does not converge (default false: the plan reached is used). */
  strict?: boolean;
}

/**
 * Minibatch entropic OT coupling: solves `P = argmin <P, C> - reg H(P)` with uniform
 * marginals and squared Euclidean costs by {@link sinkhorn}, then draws n pairs (i, j) from P
 * with {@link samplePlan}. Batches may differ in size; the output has x0's row count.
 *
 * @param reg - entropic regularisation (cost units, > 0)
 * @param options - sampling and Sinkhorn options
 * @returns a {@link Coupling}
 * @throws {@link DomainError} for reg <= 0; (from `pair`) {@link ShapeError} when the dimensions differ
 * @example
 * ```ts
 * const c = entropicOTCoupling(0.01).pair(fromRows([[0], [10]]), fromRows([[11], [1]]), new Random(1));
 * Array.from(c.indices1).map((j, k) => [c.indices0[k], j]).every(([i, j]) => i !== j) // => true
 * ```
 * @category Couplings
 */
export function entropicOTCoupling(reg: number, options: EntropicCouplingOptions = {}): Coupling {
  options = checkOptions("entropicOTCoupling", "options", options);
  return planCoupling("entropicOTCoupling", checkPositive("entropicOTCoupling", "reg", reg), options);
}

/**
 * The Schrödinger bridge coupling of SB-CFM (Tong et al. 2023): the static Schrödinger
 * bridge with Brownian reference of variance sigma^2 is entropic OT with `reg = 2 sigma^2`
 * (see REFERENCES.md), so this is `entropicOTCoupling(2 sigma^2)`.
 *
 * @param sigma - noise level of the bridge (> 0)
 * @param options - sampling and Sinkhorn options
 * @returns a {@link Coupling}
 * @throws {@link DomainError} for sigma <= 0
 * @example
 * ```ts
 * schrodingerBridgeCoupling(0.1).pair(fromRows([[0]]), fromRows([[1]]), new Random(1)).indices1 // => Int32Array [0]
 * ```
 * @category Couplings
 */
export function schrodingerBridgeCoupling(sigma: number, options: EntropicCouplingOptions = {}): Coupling {
  options = checkOptions("schrodingerBridgeCoupling", "options", options);
  const s = checkPositive("schrodingerBridgeCoupling", "sigma", sigma);
  return planCoupling("schrodingerBridgeCoupling", 2 * s * s, options);
}

function planCoupling(name: string, reg: number, options: EntropicCouplingOptions): Coupling {
  const fn = `${name}.pair`;
  const sk: SinkhornOptions = {
    reg, maxIterations: options.maxIterations ?? 10000, tolerance: options.tolerance ?? 1e-6, strict: options.strict ?? false,
  };
  return {
    pair(x0: Batch, x1: Batch, rng: Random): CoupledBatch {
      checkRandom(fn, "rng", rng);
      const a = asBatch(fn, "x0", x0);
      const b = asBatch(fn, "x1", x1);
      if (a.shape[1] !== b.shape[1]) throw new ShapeError(fn, "x1", `have shape [m, ${a.shape[1]}] like x0`, describeShape(b.shape));
      const { plan } = sinkhorn(null, null, pairwiseCost(a, b), sk);
      const { indices0, indices1 } = samplePlan(plan, a.shape[0] as number, rng, { replace: options.replace ?? true });
      return { x0: gatherRows(a, indices0), x1: gatherRows(b, indices1), indices0, indices1 };
    },
  };
}

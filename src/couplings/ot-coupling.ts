import { asBatch, gatherRows, type Batch } from "../core/batch.js";
import { checkBoolean, checkRandom } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeShape } from "../core/format.js";
import type { CoupledBatch, Coupling } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import type { CostMatrix } from "./cost.js";
import { pairwiseCost } from "./cost.js";
import type { SparsePlan } from "./emd.js";
import { samplePlan } from "./sample-plan.js";
import type { NonConvergencePolicy, TransportStatus } from "./status.js";
import type { NdArray } from "ndarray";

/**
 * A coupling that solves a transport problem per batch and exposes the status of its last
 * solve (torchcfm's `OTPlanSampler` warns; here the numbers stay readable).
 *
 * @category Couplings
 */
export interface OTCoupling extends Coupling {
  /** Status of the last `pair` call's solve, or null before the first call. */
  readonly status: TransportStatus | null;
}

/**
 * Options shared by the OT couplings ({@link exactOTCoupling}, {@link entropicOTCoupling},
 * {@link partialOTCoupling}, {@link unbalancedOTCoupling}).
 *
 * @category Couplings
 */
export interface OTCouplingOptions {
  /**
   * Draw pairs from the plan with replacement (default true, torchcfm's default); without
   * replacement the pairs are distinct cells. The exact coupling of equal-size batches ignores
   * it and returns the optimal permutation.
   */
  replace?: boolean;
  /** Divide the cost matrix by its largest entry before solving (torchcfm's normalize_cost); default false. */
  normalizeCost?: boolean;
  /** On a solve that stops before convergence: default `'warn'` (torchcfm's behaviour). */
  onNonConvergence?: NonConvergencePolicy;
  /** Most iterations of the solver (simplex pivots or Sinkhorn iterations); the solver's default otherwise. */
  maxIterations?: number;
}

/** Validates two batches of the same dimension (row counts may differ). @internal */
export function checkBatches(fn: string, x0: Batch, x1: Batch): [Batch, Batch] {
  const a = asBatch(fn, "x0", x0);
  const b = asBatch(fn, "x1", x1);
  if (a.shape[1] !== b.shape[1]) throw new ShapeError(fn, "x1", `have shape [m, ${a.shape[1]}] like x0`, describeShape(b.shape));
  if ((a.shape[0] as number) === 0 || (b.shape[0] as number) === 0) {
    throw new ShapeError(fn, (a.shape[0] as number) === 0 ? "x0" : "x1", "have at least one row", describeShape((a.shape[0] as number) === 0 ? a.shape : b.shape));
  }
  return [a, b];
}

/**
 * A coupling that solves `solve(C)` on the squared Euclidean costs of each batch pair and
 * draws x0's row count of pairs from the plan; indices name the input rows, so labels and
 * conditions travel with them. @internal
 */
export function samplingCoupling(fn: string, options: OTCouplingOptions,
  solve: (C: CostMatrix) => TransportStatus & { plan: NdArray<Float64Array> | SparsePlan }): OTCoupling {
  let status: TransportStatus | null = null;
  const replace = checkBoolean(fn.replace(/\.pair$/, ""), "options.replace", options.replace, true);
  return {
    get status() { return status; },
    pair(x0: Batch, x1: Batch, rng: Random): CoupledBatch {
      checkRandom(fn, "rng", rng);
      const [a, b] = checkBatches(fn, x0, x1);
      const C = pairwiseCost(a, b);
      const r = solve(C);
      status = { converged: r.converged, iterations: r.iterations, marginalError: r.marginalError, cost: r.cost };
      // a plan with no positive cell (stops at the first one: no second pass over a dense plan)
      const values = "values" in r.plan ? r.plan.values : r.plan.data;
      let k = 0;
      while (k < values.length && !((values[k] as number) > 0)) k++;
      if (k === values.length) {
        // an unbalanced plan may rightly move nothing: every transport costs more than destroying mass
        let min = Infinity;
        for (let j = 0; j < C.data.length; j++) min = Math.min(min, C.data[j] as number);
        throw new DomainError(fn, "x1", "be within transport reach of x0 (the plan moves no mass: normalizeCost, or a larger reg or regM)",
          `a plan of total 0 at smallest squared distance ${min}`);
      }
      const { indices0, indices1 } = samplePlan(r.plan, a.shape[0] as number, rng, { replace });
      return { x0: gatherRows(a, indices0), x1: gatherRows(b, indices1), indices0, indices1 };
    },
  };
}

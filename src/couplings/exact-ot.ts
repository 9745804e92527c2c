import ndarray from "ndarray";
import { checkFiniteResult, checkOptions } from "../core/check.js";
import { squaredDistances2 } from "../engine/simplex-f64.js";
import { gatherRows, type Batch } from "../core/batch.js";
import type { CoupledBatch } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import { pairwiseCost, type CostMatrix } from "./cost.js";
import { emd, solveEmd } from "./emd.js";
import { checkBatches, samplingCoupling, type OTCoupling, type OTCouplingOptions } from "./ot-coupling.js";
import { samplePlan } from "./sample-plan.js";
import { readPolicy } from "./status.js";

/**
 * Minibatch exact optimal transport (OT-CFM, Tong et al. 2023; torchcfm's
 * `OTPlanSampler(method="exact")`): the plan `P = argmin sum_ij P_ij ||x0_i - x1_j||^2` with
 * uniform marginals, solved by {@link emd}. With equal batch sizes the plan is a permutation
 * sigma and row i of x0 is paired with row sigma(i) of x1 (deterministic: rng unused);
 * otherwise x0's row count of pairs is drawn from the plan (with replacement by default).
 * The solve's status is in `status` after each `pair`.
 *
 * @param options - sampling, cost normalisation, non-convergence policy, pivot limit
 * @returns an {@link OTCoupling}
 * @throws (from `pair`) {@link ShapeError} when the dimensions differ or a batch is empty; {@link NonFiniteError} for NaN/Inf rows
 * @example
 * ```ts
 * const c = exactOTCoupling();
 * c.pair(fromRows([[0], [10]]), fromRows([[11], [1]]), new Random(1)).indices1 // => Int32Array [1, 0]
 * c.status?.cost // => 1 (two pairs at squared distance 1, mass 1/2 each)
 * ```
 * @category Couplings
 */
export function exactOTCoupling(options: OTCouplingOptions = {}): OTCoupling {
  options = checkOptions("exactOTCoupling", "options", options);
  const fn = "exactOTCoupling.pair";
  const policy = readPolicy("exactOTCoupling", options.onNonConvergence, "warn");
  const solveOptions = {
    onNonConvergence: policy, normalizeCost: options.normalizeCost ?? false,
    ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
  };
  const sampled = samplingCoupling(fn, options, (C) => emd(null, null, C, solveOptions));
  let status = sampled.status;
  return {
    get status() { return status; },
    pair(x0: Batch, x1: Batch, rng: Random): CoupledBatch {
      const [a, b] = checkBatches(fn, x0, x1);
      const n = a.shape[0] as number;
      if (n !== b.shape[0]) {
        const out = sampled.pair(a, b, rng);
        status = sampled.status;
        return out;
      }
      // pairwiseCost checked its entries: the solve skips emd's second pass over them
      const r = solveEmd(null, null, costMatrix(a, b, solveOptions.normalizeCost), solveOptions);
      status = { converged: r.converged, iterations: r.iterations, marginalError: r.marginalError, cost: r.cost };
      // equal sizes, uniform weights: the plan is a permutation with one cell per row
      const indices0 = new Int32Array(n), indices1 = new Int32Array(n);
      if (r.plan.values.length === n) {
        for (let i = 0; i < n; i++) indices0[i] = i;
        for (let k = 0; k < n; k++) indices1[r.plan.rows[k] as number] = r.plan.columns[k] as number;
      } else {
        // only when stopped before optimality with a fractional basis: draw from the plan
        const s = samplePlan(r.plan, n, rng, { replace: options.replace ?? true });
        indices0.set(s.indices0); indices1.set(s.indices1);
      }
      return { x0: gatherRows(a, indices0), x1: gatherRows(b, indices1), indices0, indices1 };
    },
  };
}

/**
 * pairwiseCost(a, b) for equal batch sizes; 2-D points without cost normalisation are computed
 * on WebAssembly SIMD straight into the simplex's memory (same bits as pairwiseCost, no copy).
 * The view lives until the next solve, so the caller uses it for this one solve only.
 */
function costMatrix(a: Batch, b: Batch, normalizeCost: boolean): CostMatrix {
  const n = a.shape[0] as number, m = b.shape[0] as number;
  const fused = a.shape[1] === 2 && !normalizeCost ? squaredDistances2(a.data, b.data, n, m) : null;
  if (fused === null) return pairwiseCost(a, b);
  if (fused.overflow) checkFiniteResult("pairwiseCost", "cost", fused.C);
  return ndarray(fused.C, [n, m]);
}

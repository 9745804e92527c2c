import { gatherRows, type Batch } from "../core/batch.js";
import type { Coupling, CoupledBatch } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import { solveAssignment } from "./assignment.js";
import { pairwiseCost } from "./cost.js";
import { checkPair } from "./independent.js";

/**
 * Minibatch exact optimal transport (OT-CFM, Tong et al. 2023): with uniform weights and
 * equal batch sizes the OT plan for the squared Euclidean cost is a permutation, found
 * exactly by {@link solveAssignment}; row i of x0 is paired with row sigma(i) of x1, where
 * sigma minimises `sum_i ||x0_i - x1_sigma(i)||^2`.
 *
 * @returns a {@link Coupling} (deterministic: rng unused)
 * @throws (from `pair`) {@link ShapeError} when the batches differ in shape; {@link NonFiniteError} for NaN/Inf rows
 * @example
 * ```ts
 * const c = exactOTCoupling().pair(fromRows([[0], [10]]), fromRows([[11], [1]]), new Random(1));
 * c.indices1 // => Int32Array [1, 0]
 * ```
 * @category Couplings
 */
export function exactOTCoupling(): Coupling {
  return {
    pair(x0: Batch, x1: Batch, _rng: Random): CoupledBatch {
      const [a, b] = checkPair("exactOTCoupling.pair", x0, x1);
      const n = a.shape[0] as number;
      const indices0 = new Int32Array(n);
      for (let i = 0; i < n; i++) indices0[i] = i;
      const indices1 = solveAssignment(pairwiseCost(a, b)).rowToColumn;
      return { x0: gatherRows(a, indices0), x1: gatherRows(b, indices1), indices0, indices1 };
    },
  };
}

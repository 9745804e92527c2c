import { gatherRows, type Batch } from "../core/batch.js";
import type { Coupling, CoupledBatch } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import { checkPair } from "./independent.js";

/**
 * The coupling of paired data: row i of x0 goes with row i of x1 (for example an image and
 * its corrupted version, or a cell before and after treatment), unchanged.
 *
 * @returns a {@link Coupling} whose `pair` keeps the given pairs (copies the rows; rng unused)
 * @throws (from `pair`) {@link ShapeError} when the batches differ in shape
 * @example
 * ```ts
 * const c = pairedCoupling().pair(fromRows([[0], [1]]), fromRows([[5], [6]]), new Random(1));
 * c.x1.get(1, 0) // => 6
 * ```
 * @category Couplings
 */
export function pairedCoupling(): Coupling {
  return {
    pair(x0: Batch, x1: Batch, _rng: Random): CoupledBatch {
      const [a, b] = checkPair("pairedCoupling.pair", x0, x1);
      const n = a.shape[0] as number;
      const indices0 = new Int32Array(n);
      for (let i = 0; i < n; i++) indices0[i] = i;
      const indices1 = Int32Array.from(indices0);
      return { x0: gatherRows(a, indices0), x1: gatherRows(b, indices1), indices0, indices1 };
    },
  };
}

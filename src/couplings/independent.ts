import { asBatch, gatherRows, type Batch } from "../core/batch.js";
import { ShapeError } from "../core/errors.js";
import { describeShape } from "../core/format.js";
import type { Coupling, CoupledBatch } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import { checkRandom } from "../core/check.js";

/**
 * The independent coupling pi = p0 x p1: pairs row i of x0 with row sigma(i) of x1 for a
 * uniformly random permutation sigma, so pairs are independent even if the inputs were not.
 *
 * @returns a {@link Coupling}; its `pair` needs equal row counts and dimensions
 * @throws (from `pair`) {@link ShapeError} when the batches differ in shape
 * @example
 * ```ts
 * const c = independentCoupling().pair(fromRows([[0], [1]]), fromRows([[5], [6]]), new Random(1));
 * c.x1.get(0, 0) === 5 + c.indices1[0] // => true
 * ```
 * @category Couplings
 */
export function independentCoupling(): Coupling {
  return {
    pair(x0: Batch, x1: Batch, rng: Random): CoupledBatch {
      const [a, b] = checkPair("independentCoupling.pair", x0, x1);
      checkRandom("independentCoupling.pair", "rng", rng);
      const n = a.shape[0] as number;
      const indices0 = new Int32Array(n);
      for (let i = 0; i < n; i++) indices0[i] = i;
      const indices1 = rng.permutation(n);
      return { x0: gatherRows(a, indices0), x1: gatherRows(b, indices1), indices0, indices1 };
    },
  };
}

/** Validates two batches of equal shape [n, d]. @internal */
export function checkPair(fn: string, x0: Batch, x1: Batch): [Batch, Batch] {
  const a = asBatch(fn, "x0", x0);
  const b = asBatch(fn, "x1", x1);
  if (a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    throw new ShapeError(fn, "x1", `have the shape of x0 ${describeShape(a.shape)}`, describeShape(b.shape));
  }
  return [a, b];
}

import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch, copyBatch } from "../core/batch.js";
import { checkInteger, checkDraw, checkOptions } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Distribution } from "../core/interfaces.js";
import type { Random } from "../random/random.js";

/** Options of {@link empirical}. @category Distributions */
export interface EmpiricalOptions {
  /** Sample with replacement (default true). Without replacement, `n` may not exceed the data set's size. */
  replace?: boolean;
}

/** The uniform distribution over a finite data set. @category Distributions */
export interface EmpiricalDistribution extends Distribution {
  /** The data points (a private copy; do not mutate). */
  readonly data: Batch;
  /** Number of data points. */
  readonly size: number;
  /** Draws `n` rows; `indices[i]` is the data row of output row i. */
  sampleWithIndices(n: number, rng: Random): { x: Batch; indices: Int32Array };
}

/**
 * The empirical distribution (1/N) sum_i delta_{y_i} of a finite data set. Sampling is
 * with replacement by default (independent draws); without replacement it returns `n`
 * distinct rows (a partial Fisher–Yates shuffle).
 *
 * @param data - the data set, shape [N, d] with N >= 1 (copied)
 * @throws {@link ShapeError} for an empty data set; {@link NonFiniteError} for NaN/Infinity in it; {@link DomainError} for a `replace` that is
 *   not a boolean, or when `n > N` without replacement
 * @example
 * ```ts
 * const e = empirical(fromRows([[1, 1], [2, 2]]), { replace: false });
 * toRows(e.sample(2, new Random(0))).length // => 2 (both rows, in random order)
 * ```
 * @category Distributions
 */
export function empirical(data: Batch, options: EmpiricalOptions = {}): EmpiricalDistribution {
  options = checkOptions("empirical", "options", options);
  const fn = "empirical";
  const points = copyBatch(asBatch(fn, "data", data));
  const [size, dim] = points.shape as [number, number];
  if (size === 0) throw new ShapeError(fn, "data", "have at least one row", "[0, " + dim + "]");
  const replace = options.replace ?? true;
  // "no" or 0 would silently pick a mode by truthiness
  if (typeof replace !== "boolean") throw new DomainError(fn, "replace", "be a boolean", describeValue(replace));
  const sampleWithIndices = (n: number, rng: Random) => {
    checkDraw("empirical.sample", n, dim, rng);
    let indices: Int32Array;
    if (replace) {
      indices = new Int32Array(n);
      for (let i = 0; i < n; i++) indices[i] = rng.int(size);
    } else {
      if (n > size) throw new DomainError("empirical.sample", "n", `be <= the data set size ${size} without replacement`, String(n));
      const perm = new Int32Array(size);
      for (let i = 0; i < size; i++) perm[i] = i;
      for (let i = 0; i < n; i++) {
        const j = i + rng.int(size - i);
        const tmp = perm[i] as number;
        perm[i] = perm[j] as number;
        perm[j] = tmp;
      }
      indices = perm.slice(0, n);
    }
    const out = new Float64Array(n * dim);
    for (let i = 0; i < n; i++) {
      const r = indices[i] as number;
      out.set(points.data.subarray(r * dim, (r + 1) * dim), i * dim);
    }
    return { x: ndarray(out, [n, dim]), indices };
  };
  return {
    dim,
    size,
    data: points,
    sampleWithIndices,
    sample: (n: number, rng: Random) => sampleWithIndices(n, rng).x,
  };
}

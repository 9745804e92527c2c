import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { checkFiniteArray, checkInteger, checkDraw, checkOptions } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { DensityDistribution } from "../core/interfaces.js";
import type { Random } from "../random/random.js";

/** Options of {@link uniformBox}. @category Distributions */
export interface UniformBoxOptions {
  /** Lower corner; its length is the dimension. */
  low: ArrayLike<number>;
  /** Upper corner, each entry strictly greater than `low`'s. */
  high: ArrayLike<number>;
}

/**
 * The uniform distribution on the box prod_i [low_i, high_i), with log density
 * -sum_i ln(high_i - low_i) inside and -Infinity outside. A side wider than the largest double
 * (low -1e308, high 1e308) keeps its finite log width and its samples.
 *
 * @throws {@link ShapeError} for corners of different lengths; {@link DomainError} when high_i <= low_i
 * @example
 * ```ts
 * uniformBox({ low: [0, 0], high: [2, 2] }).logProb(fromRows([[1, 1]]))[0] // => -1.3862943611198906 (= -ln 4)
 * ```
 * @category Distributions
 */
export function uniformBox(options: UniformBoxOptions): DensityDistribution {
  options = checkOptions("uniformBox", "options", options, true);
  const fn = "uniformBox";
  const low = Float64Array.from(checkFiniteArray(fn, "low", options?.low ?? []));
  const high = Float64Array.from(checkFiniteArray(fn, "high", options?.high ?? []));
  const dim = low.length;
  if (dim === 0) throw new ShapeError(fn, "low", "have at least one entry", "[]");
  if (high.length !== dim) throw new ShapeError(fn, "high", `have length ${dim} like low`, String(high.length));
  let logVolume = 0;
  for (let j = 0; j < dim; j++) {
    const w = (high[j] as number) - (low[j] as number);
    if (!(w > 0)) throw new DomainError(fn, `high[${j}]`, `be > low[${j}] = ${low[j]}`, describeValue(high[j]));
    // a width that overflows: ln w = ln(high / 2 - low / 2) + ln 2 (halving is exact there)
    logVolume += w <= Number.MAX_VALUE ? Math.log(w) : Math.log((high[j] as number) / 2 - (low[j] as number) / 2) + Math.LN2;
  }
  return {
    dim,
    sample(n: number, rng: Random): Batch {
      checkDraw("uniformBox.sample", n, dim, rng);
      const data = new Float64Array(n * dim);
      for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) data[i * dim + j] = rng.uniform(low[j], high[j]);
      return ndarray(data, [n, dim]);
    },
    logProb(x: Batch): Float64Array {
      const b = asBatch("uniformBox.logProb", "x", x, { dim });
      const n = b.shape[0] as number;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let inside = true;
        for (let j = 0; j < dim; j++) {
          const v = b.data[i * dim + j] as number;
          if (v < (low[j] as number) || v >= (high[j] as number)) inside = false;
        }
        out[i] = inside ? -logVolume : -Infinity;
      }
      return out;
    },
  };
}

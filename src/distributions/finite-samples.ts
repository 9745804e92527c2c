import { NonFiniteError } from "../core/errors.js";
import { describeValue } from "../core/format.js";

/**
 * Checks, in one pass after a sampler's fill, that every draw is finite: parameters near the
 * largest double (a std of 1e308, a scale of 1e-320 to divide by) overflow to ±Infinity, which
 * becomes a {@link NonFiniteError} naming the sampler and the options that scale its draws.
 * Private to the distributions (not re-exported).
 *
 * @param fn - the sampler, for example `"moons.sample"`
 * @param options - the options that set the draws' scale, for example `"noise, scale, shift"`
 * @param data - the draws, row-major with `dim` columns
 * @param dim - columns per row, for the message
 * @returns `data`
 * @throws {@link NonFiniteError} at the first non-finite draw
 * @example
 * ```ts
 * checkFiniteSamples("moons.sample", "noise, scale, shift", new Float64Array([1, 2]), 2) // => Float64Array [1, 2]
 * ```
 */
export function checkFiniteSamples(fn: string, options: string, data: Float64Array, dim: number): Float64Array {
  for (let k = 0; k < data.length; k++) {
    const v = data[k] as number;
    if (v - v !== 0) {
      throw new NonFiniteError(fn, options, "give finite samples (overflow; rescale the distribution)",
        `${describeValue(v)} at row ${Math.floor(k / dim)}, column ${k % dim}`);
    }
  }
  return data;
}

/**
 * (x - mean) / std; where x - mean overflows (x and mean of opposite signs near the largest
 * double) x / std - mean / std, which does not overflow unless the quotient itself does, so such
 * a point keeps a finite density. Shared by gaussian and gaussianMixture (not re-exported).
 *
 * @internal
 */
export function standardize(x: number, mean: number, std: number): number {
  const d = x - mean;
  return d - d === 0 ? d / std : x / std - mean / std;
}

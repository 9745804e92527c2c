import { asBatch, type Batch } from "../core/batch.js";
import { checkPositive, checkOptions } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeShape, describeValue } from "../core/format.js";
import { powerOfTwoScale, scaled } from "./scale.js";

/**
 * Options of {@link mmdSquared}.
 *
 * @category Metrics
 */
export interface MmdOptions {
  /** RBF bandwidths h (the kernel is the sum over them); default [0.1, 0.2, 0.5, 1, 2, 5, 10]. */
  bandwidths?: readonly number[];
  /** Biased V-statistic (>= 0, includes i = j terms) instead of the unbiased U-statistic (default false). */
  biased?: boolean;
}

/**
 * Squared maximum mean discrepancy with a multi-bandwidth RBF kernel
 * `k(x, y) = sum_h exp(-||x - y||^2 / (2 h^2))`:
 * `MMD^2 = E k(X, X') + E k(Y, Y') - 2 E k(X, Y)`. The default unbiased U-statistic drops the
 * i = j terms (needs n, m >= 2) and can be slightly negative when the distributions agree;
 * the biased V-statistic keeps them and is always >= 0.
 *
 * Coordinates beyond 2^400 or below 2^-400 (in largest magnitude) are scaled by a power of two
 * first, together with the bandwidths (the kernel depends only on ||x - y|| / h), so squared
 * distances neither overflow nor underflow; a bandwidth so small that 2 h^2 underflows gives
 * k = 1 for identical points and 0 otherwise, one so large that it overflows gives k = 1.
 *
 * @param x - samples of P, shape [n, d]
 * @param y - samples of Q, shape [m, d]
 * @param options - bandwidths and estimator
 * @returns the MMD^2 estimate
 * @throws {@link ShapeError} for too few rows or different dimensions; {@link DomainError} for bandwidths
 *   that are not an array of numbers > 0, or `biased` that is not a boolean
 * @example
 * ```ts
 * mmdSquared(fromRows([[0], [1]]), fromRows([[0], [1]]), { biased: true }) // => 0
 * ```
 * @category Metrics
 */
export function mmdSquared(x: Batch, y: Batch, options: MmdOptions = {}): number {
  options = checkOptions("mmdSquared", "options", options);
  const fn = "mmdSquared";
  const a = asBatch(fn, "x", x), b = asBatch(fn, "y", y);
  const d = a.shape[1] as number, n = a.shape[0] as number, m = b.shape[0] as number;
  if (b.shape[1] !== d) throw new ShapeError(fn, "y", `have shape [m, ${d}] like x`, describeShape(b.shape));
  const biased = options.biased === undefined ? false : options.biased;
  if (typeof biased !== "boolean") throw new DomainError(fn, "options.biased", "be a boolean", describeValue(biased));
  const least = biased ? 1 : 2;
  if (n < least) throw new ShapeError(fn, "x", `have at least ${least} rows`, describeShape(a.shape));
  if (m < least) throw new ShapeError(fn, "y", `have at least ${least} rows`, describeShape(b.shape));
  const hs: unknown = options.bandwidths === undefined ? [0.1, 0.2, 0.5, 1, 2, 5, 10] : options.bandwidths;
  if (!Array.isArray(hs) && !(ArrayBuffer.isView(hs) && !(hs instanceof DataView))) {
    throw new DomainError(fn, "options.bandwidths", "be an array of numbers > 0", describeValue(hs));
  }
  const list = Array.from(hs as ArrayLike<unknown>);
  if (list.length === 0) throw new DomainError(fn, "options.bandwidths", "be non-empty", "[]");
  const bandwidths = list.map((h, k) => checkPositive(fn, `options.bandwidths[${k}]`, h));
  // the kernel depends on ||x - y|| / h only: points and bandwidths scaled by one power of two
  // (exact) keep squared distances inside the float64 range
  const s = powerOfTwoScale(a.data, b.data);
  const p = scaled(a.data, s), q = scaled(b.data, s);
  const gammas = bandwidths.map((h) => 1 / (2 * (h / s) ** 2));
  const kxx = meanKernel(p, p, n, n, d, gammas, !biased);
  const kyy = meanKernel(q, q, m, m, d, gammas, !biased);
  const kxy = meanKernel(p, q, n, m, d, gammas, false);
  return kxx + kyy - 2 * kxy;
}

/** Mean of k(p_i, q_j) over pairs, excluding i = j when `offDiagonal`. */
function meanKernel(p: Float64Array, q: Float64Array, n: number, m: number, d: number, gammas: number[], offDiagonal: boolean): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      if (offDiagonal && i === j) continue;
      let r2 = 0;
      for (let k = 0; k < d; k++) {
        const t = (p[i * d + k] as number) - (q[j * d + k] as number);
        r2 += t * t;
      }
      // exp(-gamma 0) = 1 also where gamma overflowed (Infinity * 0 would be NaN)
      if (r2 === 0) for (let k = 0; k < gammas.length; k++) sum += 1;
      else for (const g of gammas) sum += Math.exp(-g * r2);
    }
  }
  return sum / (offDiagonal ? n * (m - 1) : n * m);
}

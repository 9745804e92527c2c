import { asBatch, type Batch } from "../core/batch.js";
import { checkPositive, checkOptions } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeShape } from "../core/format.js";

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
 * @param x - samples of P, shape [n, d]
 * @param y - samples of Q, shape [m, d]
 * @param options - bandwidths and estimator
 * @returns the MMD^2 estimate
 * @throws {@link ShapeError} for too few rows or different dimensions; {@link DomainError} for bandwidths <= 0
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
  const biased = options.biased ?? false;
  const least = biased ? 1 : 2;
  if (n < least) throw new ShapeError(fn, "x", `have at least ${least} rows`, describeShape(a.shape));
  if (m < least) throw new ShapeError(fn, "y", `have at least ${least} rows`, describeShape(b.shape));
  const hs = options.bandwidths ?? [0.1, 0.2, 0.5, 1, 2, 5, 10];
  if (hs.length === 0) throw new DomainError(fn, "options.bandwidths", "be non-empty", "[]");
  const gammas = hs.map((h, k) => 1 / (2 * checkPositive(fn, `options.bandwidths[${k}]`, h) ** 2));
  const kxx = meanKernel(a.data, a.data, n, n, d, gammas, !biased);
  const kyy = meanKernel(b.data, b.data, m, m, d, gammas, !biased);
  const kxy = meanKernel(a.data, b.data, n, m, d, gammas, false);
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
      for (const g of gammas) sum += Math.exp(-g * r2);
    }
  }
  return sum / (offDiagonal ? n * (m - 1) : n * m);
}

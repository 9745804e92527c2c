import { asBatch, type Batch } from "../core/batch.js";
import { checkPositive, checkOptions } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeShape, describeValue } from "../core/format.js";
import { emd } from "../couplings/emd.js";
import { pairwiseCost } from "../couplings/cost.js";
import { sinkhorn } from "../couplings/sinkhorn.js";

/**
 * Options of {@link wasserstein}.
 *
 * @category Metrics
 */
export interface WassersteinOptions {
  /** Order p of the distance (ground cost `||x - y||^p`), 1 or 2; default 2. */
  p?: 1 | 2;
  /** `'exact'` (default): assignment; `'sinkhorn'`: entropic plan (an upper bound). */
  method?: "exact" | "sinkhorn";
  /** Sinkhorn regularisation in cost units; default 3e-4 times the mean cost (see {@link wasserstein}). */
  reg?: number;
  /** Sinkhorn stopping rule: L1 marginal error below this fraction of the mass; default 1e-3. */
  tolerance?: number;
  /** Unused since the exact method solves unequal sizes directly with {@link emd}; kept for compatibility. */
  maxExpandedSize?: number;
}

/**
 * The p-Wasserstein distance between two empirical measures with uniform weights,
 * `W_p = (min_P sum_ij P_ij ||x_i - y_j||^p)^(1/p)`. `'exact'` solves the transport problem
 * with uniform weights 1/n and 1/m by {@link emd} (network simplex, any n and m);
 * `'sinkhorn'` uses the transport cost of the epsilon-scaled entropic plan, which is >= the
 * exact value and tends to it as reg -> 0. Its defaults (reg = 3e-4 times the mean cost,
 * marginal tolerance 1e-3) were chosen on 2-D batches of 1000 points, where they land within
 * 2.1% of the exact W2 for two moons samples, 0.3% for two N(0, I) samples and 0.0% for
 * 8 Gaussians -> moons; the former defaults (0.01 times the mean cost, tolerance 1e-9) gave
 * +8% to +97%. The exact method is the faster one at these sizes (0.1-0.2 s against 2-10 s
 * for Sinkhorn at n = 1000 on the bench machine): use 'sinkhorn' for its smooth plan, not speed.
 *
 * @param x - points, shape [n, d]
 * @param y - points, shape [m, d]
 * @param options - order, method, regularisation
 * @returns W_p(x, y) >= 0
 * @throws {@link ShapeError} for empty batches or different dimensions; {@link DomainError} for a bad option
 * @example
 * ```ts
 * wasserstein(fromRows([[0], [1]]), fromRows([[2], [3]]), { p: 1 }) // => 2
 * ```
 * @category Metrics
 */
export function wasserstein(x: Batch, y: Batch, options: WassersteinOptions = {}): number {
  options = checkOptions("wasserstein", "options", options);
  const fn = "wasserstein";
  const a = asBatch(fn, "x", x), b = asBatch(fn, "y", y);
  const n = a.shape[0] as number, m = b.shape[0] as number;
  if (n === 0 || m === 0) throw new ShapeError(fn, n === 0 ? "x" : "y", "have at least one row", describeShape(n === 0 ? a.shape : b.shape));
  if (a.shape[1] !== b.shape[1]) throw new ShapeError(fn, "y", `have shape [m, ${a.shape[1]}] like x`, describeShape(b.shape));
  const p = options.p ?? 2;
  if (p !== 1 && p !== 2) throw new DomainError(fn, "options.p", "be 1 or 2", describeValue(p));
  const method = options.method ?? "exact";
  const C = pairwiseCost(a, b, p);
  let total: number;
  if (method === "sinkhorn") {
    let mean = 0;
    for (let k = 0; k < C.data.length; k++) mean += C.data[k] as number;
    mean /= C.data.length;
    const reg = options.reg === undefined ? Math.max(3e-4 * mean, 1e-12) : checkPositive(fn, "options.reg", options.reg);
    const tolerance = options.tolerance === undefined ? 1e-3 : checkPositive(fn, "options.tolerance", options.tolerance);
    total = sinkhorn(null, null, C, { reg, tolerance, maxIterations: 100000 }).cost;
  } else if (method === "exact") {
    total = emd(null, null, C).cost;
  } else {
    throw new DomainError(fn, "options.method", "be 'exact' or 'sinkhorn'", describeValue(method));
  }
  return Math.pow(Math.max(total, 0), 1 / p);
}

import ndarray from "ndarray";
import { asBatch, type Batch } from "../core/batch.js";
import { checkPositive, checkOptions } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeShape, describeValue } from "../core/format.js";
import { solveAssignment } from "../couplings/assignment.js";
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
  /** Sinkhorn regularisation in cost units; default 0.01 times the mean cost. */
  reg?: number;
  /** Largest lcm(n, m) the exact method expands unequal sizes to (default 2048). */
  maxExpandedSize?: number;
}

/**
 * The p-Wasserstein distance between two empirical measures with uniform weights,
 * `W_p = (min_P sum_ij P_ij ||x_i - y_j||^p)^(1/p)`. `'exact'` solves the assignment problem
 * (for n != m, each point is split into lcm(n, m)/n equal copies, which is exact);
 * `'sinkhorn'` uses the cost of the entropic plan, which is >= the exact value and tends to it
 * as reg -> 0.
 *
 * @param x - points, shape [n, d]
 * @param y - points, shape [m, d]
 * @param options - order, method, regularisation
 * @returns W_p(x, y) >= 0
 * @throws {@link ShapeError} for empty batches or different dimensions; {@link DomainError} for a bad option
 * or lcm(n, m) above maxExpandedSize with the exact method
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
    const reg = options.reg === undefined ? Math.max(0.01 * mean, 1e-12) : checkPositive(fn, "options.reg", options.reg);
    total = sinkhorn(null, null, C, { reg, tolerance: 1e-9 }).cost;
  } else if (method === "exact") {
    total = exactCost(fn, C.data, n, m, options.maxExpandedSize ?? 2048);
  } else {
    throw new DomainError(fn, "options.method", "be 'exact' or 'sinkhorn'", describeValue(method));
  }
  return Math.pow(Math.max(total, 0), 1 / p);
}

function exactCost(fn: string, C: Float64Array, n: number, m: number, limit: number): number {
  const L = (n / gcd(n, m)) * m;
  if (L > limit) throw new DomainError(fn, "x, y", `have lcm(n, m) <= maxExpandedSize ${limit} for the exact method`, `lcm ${L}`);
  if (L === n && L === m) return solveAssignment(ndarray(C, [n, m])).cost / n;
  const rx = L / n, ry = L / m;
  const big = new Float64Array(L * L);
  for (let I = 0; I < L; I++) {
    const i = Math.floor(I / rx), o = I * L, src = i * m;
    for (let J = 0; J < L; J++) big[o + J] = C[src + Math.floor(J / ry)] as number;
  }
  return solveAssignment(ndarray(big, [L, L])).cost / L;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

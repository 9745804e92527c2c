import ndarray from "ndarray";
import type { NdArray } from "ndarray";
import { asBatch } from "../core/batch.js";
import { ShapeError } from "../core/errors.js";
import { describeShape } from "../core/format.js";
import { checkPositive, checkFiniteResult } from "../core/check.js";
import { squaredDistance, squaredDistancesGemm } from "../engine/cost-f64.js";
import { pow } from "../core/pow.js";

/** Smallest dimension for the GEMM form (below it the loop is faster: bench/cost.bench.ts). */
const GEMM_MIN_DIM = 4;
/** Smallest n m d for the GEMM form (below it the module's setup is not paid back). */
const GEMM_MIN_WORK = 2 ** 16;

/**
 * A cost matrix: an `NdArray<Float64Array>` of shape `[n, m]`, row-major and contiguous, so
 * `C[i][j]` (the cost of moving source point i to target point j) is `data[i * m + j]`.
 * Every solver in this module takes costs in this one form; wrap a flat array with
 * `fromData(data, [n, m])` or build one with {@link pairwiseCost}.
 *
 * @category Couplings
 */
export type CostMatrix = NdArray<Float64Array>;

/**
 * The matrix of pairwise costs `C_ij = ||x_i - y_j||_2^p` between the rows of two batches.
 * `p = 2` (the default) is the squared Euclidean cost of minibatch OT couplings.
 *
 * For d >= 4 and n m d >= 2^16 the squared distances come from one float64 matrix product on the
 * CPU engine, |x'_i|^2 - 2 x'_i . y'_j + |y'_j|^2 with both sets centred on their common mean;
 * an entry whose rounding bound (2 d + 5) 2^-52 (|x'_i| + |y'_j|)^2 is not below 2^-40 of the
 * entry (near points far from the centre: cancellation) is recomputed as sum_k (x_ik - y_jk)^2,
 * so every squared distance is within 2^-40 (relative) of the exact one (the loop's own
 * rounding is (d + 2) 2^-52 relative). Smaller or 2-D inputs use that loop throughout.
 *
 * @param x - source points, shape [n, d]
 * @param y - target points, shape [m, d]
 * @param p - exponent of the Euclidean distance, > 0 (default 2)
 * @returns the cost matrix, shape [n, m]
 * @throws {@link ShapeError} when the dimensions differ; {@link DomainError} for p <= 0; {@link NonFiniteError} for NaN or infinite entries
 * @example
 * ```ts
 * pairwiseCost(fromRows([[0, 0]]), fromRows([[3, 4], [1, 0]])).data // => Float64Array [25, 1]
 * pairwiseCost(fromRows([[0, 0]]), fromRows([[3, 4]]), 1).data // => Float64Array [5]
 * ```
 * @category Couplings
 */
export function pairwiseCost(x: NdArray<Float64Array>, y: NdArray<Float64Array>, p = 2): CostMatrix {
  checkPositive("pairwiseCost", "p", p);
  const a = asBatch("pairwiseCost", "x", x);
  const d = a.shape[1] as number;
  const b = asBatch("pairwiseCost", "y", y);
  if (b.shape[1] !== d) throw new ShapeError("pairwiseCost", "y", `have shape [m, ${d}] like x`, describeShape(b.shape));
  const n = a.shape[0] as number, m = b.shape[0] as number;
  const xs = a.data, ys = b.data;
  const out = new Float64Array(n * m);
  if (d >= GEMM_MIN_DIM && n * m * d >= GEMM_MIN_WORK && squaredDistancesGemm(xs, ys, n, m, d, out)) {
    // done: the engine's float64 GEMM (see the note above)
  } else if (d === 2) {
    // the common 2-D case without the inner loop (same sums, same order)
    for (let i = 0; i < n; i++) {
      const x0 = xs[2 * i] as number, x1 = xs[2 * i + 1] as number, ro = i * m;
      for (let j = 0; j < m; j++) {
        const t0 = x0 - (ys[2 * j] as number), t1 = x1 - (ys[2 * j + 1] as number);
        out[ro + j] = t0 * t0 + t1 * t1;
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      const xo = i * d, ro = i * m;
      for (let j = 0; j < m; j++) out[ro + j] = squaredDistance(xs, xo, ys, j * d, d);
    }
  }
  if (p !== 2) for (let k = 0; k < out.length; k++) out[k] = p === 1 ? Math.sqrt(out[k] as number) : pow(out[k] as number, p / 2);
  checkFiniteResult("pairwiseCost", "cost", out);
  return ndarray(out, [n, m]);
}

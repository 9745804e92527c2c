import { asBatch, type Batch } from "../core/batch.js";
import { checkFiniteResult } from "../core/check.js";
import { ShapeError } from "../core/errors.js";
import { describeShape } from "../core/format.js";
import { powerOfTwoScale, scaled } from "./scale.js";

/**
 * The (squared) energy distance of Székely and Rizzo between two samples,
 * `D^2 = 2 E||X - Y|| - E||X - X'|| - E||Y - Y'||`, estimated by the V-statistic (all pairs,
 * i = j included, divided by n^2, nm, m^2), which is >= 0 and zero exactly when the two
 * empirical measures coincide.
 *
 * Coordinates beyond 2^400 or below 2^-400 (in largest magnitude) are scaled by a power of two
 * first (D^2 is homogeneous of degree 1), so distances neither overflow nor underflow.
 *
 * @param x - samples, shape [n, d]
 * @param y - samples, shape [m, d]
 * @returns D^2 >= 0
 * @throws {@link ShapeError} for empty batches or different dimensions; {@link NonFiniteError} when
 *   D^2 itself exceeds the float64 range (coordinates near 1e308)
 * @example
 * ```ts
 * energyDistance(fromRows([[0]]), fromRows([[3]])) // => 6
 * ```
 * @category Metrics
 */
export function energyDistance(x: Batch, y: Batch): number {
  const fn = "energyDistance";
  const a = asBatch(fn, "x", x), b = asBatch(fn, "y", y);
  const d = a.shape[1] as number, n = a.shape[0] as number, m = b.shape[0] as number;
  if (b.shape[1] !== d) throw new ShapeError(fn, "y", `have shape [m, ${d}] like x`, describeShape(b.shape));
  if (n === 0 || m === 0) throw new ShapeError(fn, n === 0 ? "x" : "y", "have at least one row", describeShape(n === 0 ? a.shape : b.shape));
  // D^2 is homogeneous of degree 1 (D^2(cx, cy) = c D^2(x, y)): far-out or tiny coordinates are
  // scaled by a power of two (exact) first, so squared distances neither overflow nor underflow.
  const s = powerOfTwoScale(a.data, b.data);
  const p = scaled(a.data, s), q = scaled(b.data, s);
  const value = 2 * meanDistance(p, q, n, m, d) - meanDistance(p, p, n, n, d) - meanDistance(q, q, m, m, d);
  const result = Math.max(value, 0) * s;
  checkFiniteResult(fn, "result", [result]);
  return result;
}

function meanDistance(p: Float64Array, q: Float64Array, n: number, m: number, d: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let r2 = 0;
      for (let k = 0; k < d; k++) {
        const t = (p[i * d + k] as number) - (q[j * d + k] as number);
        r2 += t * t;
      }
      sum += Math.sqrt(r2);
    }
  }
  return sum / (n * m);
}

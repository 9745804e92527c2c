import { asBatch, type Batch } from "../core/batch.js";
import { ShapeError } from "../core/errors.js";
import { describeShape } from "../core/format.js";

/**
 * The (squared) energy distance of Székely and Rizzo between two samples,
 * `D^2 = 2 E||X - Y|| - E||X - X'|| - E||Y - Y'||`, estimated by the V-statistic (all pairs,
 * i = j included, divided by n^2, nm, m^2), which is >= 0 and zero exactly when the two
 * empirical measures coincide.
 *
 * @param x - samples, shape [n, d]
 * @param y - samples, shape [m, d]
 * @returns D^2 >= 0
 * @throws {@link ShapeError} for empty batches or different dimensions
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
  // E is homogeneous of degree 1 (E(cx, cy) = c E(x, y)): coordinates past 1e150 are scaled
  // down first, so squared distances of finite input never overflow.
  let scale = 0;
  for (const v of a.data) scale = Math.max(scale, Math.abs(v));
  for (const v of b.data) scale = Math.max(scale, Math.abs(v));
  const s = scale > 1e150 ? scale : 1;
  const p = s === 1 ? a.data : a.data.map((v) => v / s), q = s === 1 ? b.data : b.data.map((v) => v / s);
  const value = 2 * meanDistance(p, q, n, m, d) - meanDistance(p, p, n, n, d) - meanDistance(q, q, m, m, d);
  return Math.max(value, 0) * s;
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

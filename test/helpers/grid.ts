import { fromData, type Batch } from "../../src/index.js";

/** Midpoint grid over [lo, hi]^2 with m cells per side: the cell centres as a batch and the cell area. */
export function grid2d(lo: number, hi: number, m: number): { points: Batch; area: number } {
  const h = (hi - lo) / m;
  const data = new Float64Array(2 * m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      data[2 * (i * m + j)] = lo + (i + 0.5) * h;
      data[2 * (i * m + j) + 1] = lo + (j + 0.5) * h;
    }
  }
  return { points: fromData(data, [m * m, 2]), area: h * h };
}

/** Integral of exp(logProb) over the grid (midpoint rule). */
export function integrate2d(logProb: (x: Batch) => Float64Array, lo: number, hi: number, m: number): number {
  const { points, area } = grid2d(lo, hi, m);
  let total = 0;
  for (const v of logProb(points)) total += Math.exp(v);
  return total * area;
}

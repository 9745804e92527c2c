/** The difference form, sum_k (x_ik - y_jk)^2 of n x m pairs of d-dimensional rows (relative error below (d + 2) 2^-52): the reference of the cost tests. */
export function squaredDistancesLoop(xs: Float64Array, ys: Float64Array, n: number, m: number, d: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) { const t = (xs[i * d + k] as number) - (ys[j * d + k] as number); s += t * t; }
    out[i * m + j] = s;
  }
  return out;
}

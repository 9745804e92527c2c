// The direct (difference) form of the empirical marginal field, row by row: the reference the
// GEMM form of marginal-f64.ts falls back to, and what worker threads run from source text.

/**
 * Values of the empirical marginal field (see velocity/marginal.ts for the formulas) at rows
 * first..first+count-1 (@internal): `coef` holds [alpha, sigma, alpha', sigma'] per row (row r at
 * 4 r), `x` and `out` rows of `d` (row r at r d), `y` the K data points. Leaves the last row's
 * posterior weights in `w` and its posterior mean in `yHat` (not set on the singular branch).
 * It calls only `softmax` and `nearest` of this module, so worker threads can run it from the
 * source text of the three functions.
 */
export function empiricalValueRows(y: Float64Array, d: number, K: number, x: ArrayLike<number>, coef: ArrayLike<number>, first: number, count: number, logits: Float64Array, w: Float64Array, yHat: Float64Array, out: Float64Array): void {
  for (let r = first; r < first + count; r++) {
    const alpha = coef[4 * r] as number, sigma = coef[4 * r + 1] as number, dAlpha = coef[4 * r + 2] as number, dSigma = coef[4 * r + 3] as number;
    const xo = r * d;
    if (sigma <= 2 ** -52 * alpha) {
      // sigma x0 is below the rounding of alpha x1 (2^-52 alpha), so x_t carries no trace of x0
      // (cosine's sigma_1 = 6.1e-17 lands here): the field is singular off the data, and we
      // return its value on the support, x1 = x / alpha (see marginalVelocity)
      const rate = dAlpha / alpha;
      for (let j = 0; j < d; j++) out[xo + j] = rate * (x[xo + j] as number);
      nearest(x, xo, y, alpha, d, K, w);
      continue;
    }
    let max = -Infinity;
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) { const e = ((x[xo + j] as number) - alpha * (y[k * d + j] as number)) / sigma; s += e * e; }
      const l = -0.5 * s;
      logits[k] = l;
      if (l > max) max = l;
    }
    if (max === -Infinity) nearest(x, xo, y, alpha, d, K, w);
    else softmax(logits, max, K, w);
    // y_hat = sum_k w_k y_k
    yHat.fill(0);
    for (let k = 0; k < K; k++) { const wk = w[k] as number; if (wk === 0) continue; for (let j = 0; j < d; j++) yHat[j] = (yHat[j] as number) + wk * (y[k * d + j] as number); }
    for (let j = 0; j < d; j++) out[xo + j] = dAlpha * (yHat[j] as number) + (dSigma * ((x[xo + j] as number) - alpha * (yHat[j] as number))) / sigma;
  }
}

/** w = softmax of logits (max given). Self-contained (see empiricalValueRows). @internal */
export function softmax(logits: Float64Array, max: number, K: number, w: Float64Array): void {
  let total = 0;
  for (let k = 0; k < K; k++) { const e = Math.exp((logits[k] as number) - max); w[k] = e; total += e; }
  for (let k = 0; k < K; k++) w[k] = (w[k] as number) / total;
}

/** Hard posterior on the nearest scaled data point(s) alpha y_k (ties share equally) of the row of `x` at `xo`. Self-contained (see empiricalValueRows). @internal */
export function nearest(x: ArrayLike<number>, xo: number, y: Float64Array, alpha: number, d: number, K: number, w: Float64Array): void {
  let best = Infinity, count = 0;
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let j = 0; j < d; j++) { const e = (x[xo + j] as number) - alpha * (y[k * d + j] as number); s += e * e; }
    w[k] = s;
    if (s < best) best = s;
  }
  for (let k = 0; k < K; k++) { const hit = w[k] === best ? 1 : 0; w[k] = hit; count += hit; }
  for (let k = 0; k < K; k++) w[k] = (w[k] as number) / count;
}

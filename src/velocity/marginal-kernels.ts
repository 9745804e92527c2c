import type { Scheduler } from "../core/interfaces.js";
import { DomainError, NonFiniteError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import { maxAbs } from "../core/row-norm.js";
import { valuesAt } from "./scheduler-like.js";
import { empiricalValueRows, softmax } from "../engine/marginal-direct.js";

/** 2^-52: relative spacing of float64 numbers near 1. */
const FLOAT64_RESOLUTION = 2 ** -52;

/** Target of a marginal field, flattened. @internal */
export interface MixtureParameters {
  /** True for a data set (all stds 0, equal weights). */
  empirical: boolean;
  dim: number;
  components: number;
  /** K x d means (data points). */
  means: Float64Array;
  /** K x d variances (mixtures only). */
  variances: Float64Array;
  /** K x d standard deviations (mixtures only; the square roots of `variances` when absent): the scaled row works from these where a variance leaves the float64 range. */
  stds?: Float64Array;
  /** K log weights (mixtures only). */
  logWeights: Float64Array;
  /** Largest |y| of a data set (set by marginalVelocity when it reads one; farRow needs it): the scale of its squared distances. */
  maxAbs?: number;
}

/** Per-row outputs of a marginal field. @internal */
export interface RowResult {
  u: Float64Array;
  jvp: Float64Array;
  divergence: number;
  weights: Float64Array;
}

/** Smallest positive normal float64, 2^-1022: below it a variance has lost precision (or is 0). */
const MIN_NORMAL = 2 ** -1022;

/** [alpha, sigma, alpha', sigma'] of the row that empiricalRow is computing. */
const rowCoef = new Float64Array(4);

/**
 * Marginal velocity of an empirical target at one row (see marginalVelocity for the
 * formulas). `v` null: value and weights only; `v` empty: also the divergence; else also
 * the JVP along v. `row` numbers the row in messages.
 *
 * @internal
 */
export function empiricalRow(fn: string, scheduler: Scheduler, p: MixtureParameters, x: Float64Array, t: number, v: Float64Array | null, logits: Float64Array, res: RowResult, row = 0): void {
  const { alpha, sigma, dAlpha, dSigma } = valuesAt(fn, scheduler, t);
  const d = p.dim, K = p.components, y = p.means, w = res.weights;
  rowCoef[0] = alpha;
  rowCoef[1] = sigma;
  rowCoef[2] = dAlpha;
  rowCoef[3] = dSigma;
  const yHat = res.jvp;
  empiricalValueRows(y, d, K, x, rowCoef, 0, 1, logits, w, yHat, res.u);
  farRow(fn, p, x, 0, rowCoef, 0, w, yHat, res.u, row);
  if (v === null) return;
  if (sigma <= FLOAT64_RESOLUTION * alpha) {
    const rate = dAlpha / alpha;
    for (let j = 0; j < v.length; j++) res.jvp[j] = rate * (v[j] as number);
    res.divergence = d * rate;
    return;
  }
  // Du = (sigma'/sigma) I + kappa (alpha / sigma^2) Cov_w(y), kappa = alpha' - sigma' alpha / sigma
  const rate = dSigma / sigma;
  const gain = ((dAlpha - (dSigma * alpha) / sigma) * alpha) / (sigma * sigma);
  if (v.length === 0) {
    let spread = 0;
    for (let k = 0; k < K; k++) { const wk = w[k] as number; if (wk === 0) continue; let s = 0; for (let j = 0; j < d; j++) { const e = (y[k * d + j] as number) - (yHat[j] as number); s += e * e; } spread += wk * s; }
    res.divergence = d * rate + gain * spread;
    return;
  }
  const out = new Float64Array(d);
  for (let j = 0; j < d; j++) out[j] = rate * (v[j] as number);
  for (let k = 0; k < K; k++) {
    const wk = w[k] as number;
    if (wk === 0) continue;
    let dot = 0;
    for (let j = 0; j < d; j++) dot += ((y[k * d + j] as number) - (yHat[j] as number)) * (v[j] as number);
    const c = gain * wk * dot;
    for (let j = 0; j < d; j++) out[j] = (out[j] as number) + c * ((y[k * d + j] as number) - (yHat[j] as number));
  }
  res.jvp.set(out);
}

/** Squared distances below d S^2 < 2^1020 cannot overflow, whatever the data: the cheap test. @internal */
export const SAFE_SQUARE = 2 ** 1020;
/** A distance below 2^511 squares (and sums over a row) below the float64 limit. */
const SAFE_DISTANCE = 2 ** 511;

/**
 * The empirical field at a row so far from the data that every squared distance |x - alpha y_k|^2
 * overflows float64: the engine's forms then read every distance as Infinity and share the
 * posterior equally. Here the distances are measured scaled (by S = max|x| + alpha max|y|), and the
 * posterior is the nearest point (ties shared): every logit gap |x - alpha y_k|^2 - |x - alpha y_min|^2
 * that float64 can resolve at that size is past 2^970, so exp(-gap / (2 sigma^2)) is 0 for any
 * sigma below 2^400 (a larger sigma is a NonFiniteError). Writes the weights to `w`, the posterior
 * mean to `yHat` and the value to `out` at `xo` (the value on the support (alpha'/alpha) x where
 * sigma <= 2^-52 alpha, as the engine); returns false, writing nothing, for any other row. The test is
 * O(d) unless the coordinatewise bound |x - alpha y_k| <= S is past 2^510.
 *
 * @internal
 */
export function farRow(
  fn: string, p: MixtureParameters, x: Float64Array, xo: number, coef: ArrayLike<number>, co: number,
  w: Float64Array, yHat: Float64Array, out: Float64Array, row: number,
): boolean {
  const d = p.dim, K = p.components, y = p.means;
  const alpha = coef[co] as number, sigma = coef[co + 1] as number, dAlpha = coef[co + 2] as number, dSigma = coef[co + 3] as number;
  const scale = maxAbs(x, xo, d) + alpha * (p.maxAbs as number);
  if (d * scale * scale < SAFE_SQUARE) return false;
  let best = Infinity;
  for (let k = 0; k < K; k++) {
    let q = 0;
    for (let j = 0; j < d; j++) { const e = ((x[xo + j] as number) - alpha * (y[k * d + j] as number)) / scale; q += e * e; }
    w[k] = q;
    if (q < best) best = q;
  }
  if (Math.sqrt(best) * scale < SAFE_DISTANCE) return false;
  if (!(sigma < 2 ** 400)) {
    throw new NonFiniteError(fn, "x", "lie close enough to the data that a squared distance |x - alpha y|^2 stays within float64 (rescale the data and x)",
      `row ${row} at distance ${describeValue(Math.sqrt(best) * scale)} from the nearest alpha y (sigma = ${sigma})`);
  }
  let count = 0;
  for (let k = 0; k < K; k++) { const hit = w[k] === best ? 1 : 0; w[k] = hit; count += hit; }
  yHat.fill(0);
  for (let k = 0; k < K; k++) {
    const wk = (w[k] as number) / count;
    w[k] = wk;
    if (wk !== 0) for (let j = 0; j < d; j++) yHat[j] = (yHat[j] as number) + wk * (y[k * d + j] as number);
  }
  if (sigma <= FLOAT64_RESOLUTION * alpha) {
    const rate = dAlpha / alpha;
    for (let j = 0; j < d; j++) out[xo + j] = rate * (x[xo + j] as number);
  } else {
    for (let j = 0; j < d; j++) out[xo + j] = dAlpha * (yHat[j] as number) + (dSigma * ((x[xo + j] as number) - alpha * (yHat[j] as number))) / sigma;
  }
  return true;
}

/**
 * Marginal velocity of a diagonal Gaussian-mixture target at one row.
 *
 * @internal
 */
export function mixtureRow(fn: string, scheduler: Scheduler, p: MixtureParameters, x: Float64Array, t: number, v: Float64Array | null, logits: Float64Array, res: RowResult): void {
  const { alpha, sigma, dAlpha, dSigma } = valuesAt(fn, scheduler, t);
  const d = p.dim, K = p.components, m = p.means, s2 = p.variances, w = res.weights, u = res.u;
  let max = -Infinity;
  let normal = true;
  for (let k = 0; k < K; k++) {
    let s = p.logWeights[k] as number;
    for (let j = 0; j < d; j++) {
      const vk = alpha * alpha * (s2[k * d + j] as number) + sigma * sigma;
      if (!(vk >= MIN_NORMAL && vk < Infinity)) normal = false;
      const e = (x[j] as number) - alpha * (m[k * d + j] as number);
      s -= (0.5 * e * e) / vk + 0.5 * Math.log(vk);
    }
    logits[k] = s;
    if (s > max) max = s;
  }
  // a variance alpha^2 s^2 + sigma^2 past the float64 range (a std of 1e200 or 1e-200): the same field, scaled
  if (!normal) {
    mixtureRowScaled(fn, p, x, alpha, sigma, dAlpha, dSigma, v, logits, res);
    return;
  }
  if (!Number.isFinite(max)) throw new DomainError(fn, "x", "be where some component has positive density", "a point with zero density under every component");
  softmax(logits, max, K, w);
  u.fill(0);
  const uk = new Float64Array(K * d), gk = new Float64Array(K * d), gBar = new Float64Array(d);
  let trace = 0;
  const cv = new Float64Array(d);
  for (let k = 0; k < K; k++) {
    const wk = w[k] as number;
    for (let j = 0; j < d; j++) {
      const i = k * d + j;
      const vk = alpha * alpha * (s2[i] as number) + sigma * sigma;
      const c = (dAlpha * alpha * (s2[i] as number) + dSigma * sigma) / vk;
      const e = (x[j] as number) - alpha * (m[i] as number);
      uk[i] = dAlpha * (m[i] as number) + c * e;
      gk[i] = -e / vk;
      u[j] = (u[j] as number) + wk * (uk[i] as number);
      gBar[j] = (gBar[j] as number) + wk * (gk[i] as number);
      trace += wk * c;
      if (v !== null && v.length > 0) cv[j] = (cv[j] as number) + wk * c * (v[j] as number);
    }
  }
  if (v === null) return;
  const cross = covarianceTerm(K, d, w, uk, gk, u, gBar, v, cv);
  if (v.length === 0) res.divergence = trace + cross;
  else res.jvp.set(cv);
}

/**
 * The posterior-covariance part of the mixture field's derivative: with v empty, the trace term
 * sum_k w_k (u_k - u) . (g_k - gBar) (returned); else cv += sum_k w_k ((g_k - gBar) . v) (u_k - u)
 * (returns 0).
 */
function covarianceTerm(K: number, d: number, w: Float64Array, uk: Float64Array, gk: Float64Array, u: Float64Array,
  gBar: Float64Array, v: Float64Array, cv: Float64Array): number {
  let cross = 0;
  for (let k = 0; k < K; k++) {
    const wk = w[k] as number;
    if (wk === 0) continue;
    if (v.length === 0) {
      for (let j = 0; j < d; j++) cross += wk * ((uk[k * d + j] as number) - (u[j] as number)) * ((gk[k * d + j] as number) - (gBar[j] as number));
    } else {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += ((gk[k * d + j] as number) - (gBar[j] as number)) * (v[j] as number);
      for (let j = 0; j < d; j++) cv[j] = (cv[j] as number) + wk * dot * ((uk[k * d + j] as number) - (u[j] as number));
    }
  }
  return cross;
}

/**
 * {@link mixtureRow} where some variance v = alpha^2 s^2 + sigma^2 leaves the float64 range: each
 * coordinate is scaled by r = max(alpha s, sigma), so v = r^2 q with q = a^2 + b^2 in [1, 2]
 * (a = alpha s / r, b = sigma / r), log v = 2 ln r + ln q, (x - alpha m)^2 / v = ((x - alpha m) / r)^2 / q
 * and c = (alpha' alpha s^2 + sigma' sigma) / v = (alpha' a (s / r) + sigma' b / r) / q. One component has
 * posterior weight 1 whatever its density. Results that still overflow are a NonFiniteError.
 *
 * @internal
 */
function mixtureRowScaled(
  fn: string, p: MixtureParameters, x: Float64Array, alpha: number, sigma: number, dAlpha: number, dSigma: number,
  v: Float64Array | null, logits: Float64Array, res: RowResult,
): void {
  const d = p.dim, K = p.components, m = p.means, std = p.stds ?? p.variances.map(Math.sqrt), w = res.weights, u = res.u;
  const uk = new Float64Array(K * d), gk = new Float64Array(K * d), ck = new Float64Array(K * d);
  let max = -Infinity;
  for (let k = 0; k < K; k++) {
    let logit = p.logWeights[k] as number;
    for (let j = 0; j < d; j++) {
      const i = k * d + j;
      const s = std[i] as number;
      const signal = alpha * s;
      const r = Math.max(signal, sigma);
      if (!(r > 0 && r < Infinity)) {
        throw new NonFiniteError(fn, "target.stds", "give a variance alpha^2 s^2 + sigma^2 that float64 can scale", `alpha s = ${signal}, sigma = ${sigma} (component ${k}, coordinate ${j})`);
      }
      const a = signal / r, b = sigma / r, q = a * a + b * b;
      const e = (x[j] as number) - alpha * (m[i] as number);
      const z = e / r;
      logit -= (0.5 * z * z) / q + Math.log(r) + 0.5 * Math.log(q);
      const c = ((a === 0 ? 0 : dAlpha * a * (s / r)) + (b === 0 ? 0 : (dSigma * b) / r)) / q;
      ck[i] = c;
      uk[i] = dAlpha * (m[i] as number) + c * e;
      gk[i] = -z / (r * q);
    }
    logits[k] = logit;
    if (logit > max) max = logit;
  }
  if (K === 1) w[0] = 1;
  else {
    if (!Number.isFinite(max)) throw new DomainError(fn, "x", "be where some component has positive density", "a point with zero density under every component");
    softmax(logits, max, K, w);
  }
  u.fill(0);
  const gBar = new Float64Array(d), cv = new Float64Array(d);
  let trace = 0;
  for (let k = 0; k < K; k++) {
    const wk = w[k] as number;
    if (wk === 0) continue;
    for (let j = 0; j < d; j++) {
      const i = k * d + j;
      u[j] = (u[j] as number) + wk * (uk[i] as number);
      gBar[j] = (gBar[j] as number) + wk * (gk[i] as number);
      trace += wk * (ck[i] as number);
      if (v !== null && v.length > 0) cv[j] = (cv[j] as number) + wk * (ck[i] as number) * (v[j] as number);
    }
  }
  checkRow(fn, "velocity", u);
  if (v === null) return;
  // one component: u_k - u = 0, so the covariance term vanishes (its g_k may overflow; 0 * Infinity is not 0)
  const cross = K > 1 ? covarianceTerm(K, d, w, uk, gk, u, gBar, v, cv) : 0;
  if (v.length === 0) {
    res.divergence = trace + cross;
    checkRow(fn, "divergence", [res.divergence]);
  } else {
    res.jvp.set(cv);
    checkRow(fn, "Jacobian-vector product", cv);
  }
}

/** A value of the scaled mixture row that overflowed anyway is named, not returned. */
function checkRow(fn: string, what: string, values: ArrayLike<number>): void {
  for (let j = 0; j < values.length; j++) {
    const value = values[j] as number;
    if (value - value !== 0) throw new NonFiniteError(fn, "x", `give a finite ${what} (it overflows float64 at this point; rescale the data)`, `${describeValue(value)} at coordinate ${j}`);
  }
}

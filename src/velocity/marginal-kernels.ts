import type { Scheduler } from "../core/interfaces.js";
import { DomainError } from "../core/errors.js";
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
  /** K log weights (mixtures only). */
  logWeights: Float64Array;
}

/** Per-row outputs of a marginal field. @internal */
export interface RowResult {
  u: Float64Array;
  jvp: Float64Array;
  divergence: number;
  weights: Float64Array;
}

/** [alpha, sigma, alpha', sigma'] of the row that empiricalRow is computing. */
const rowCoef = new Float64Array(4);

/**
 * Marginal velocity of an empirical target at one row (see marginalVelocity for the
 * formulas). `v` null: value and weights only; `v` empty: also the divergence; else also
 * the JVP along v.
 *
 * @internal
 */
export function empiricalRow(fn: string, scheduler: Scheduler, p: MixtureParameters, x: Float64Array, t: number, v: Float64Array | null, logits: Float64Array, res: RowResult): void {
  const { alpha, sigma, dAlpha, dSigma } = valuesAt(fn, scheduler, t);
  const d = p.dim, K = p.components, y = p.means, w = res.weights;
  rowCoef[0] = alpha;
  rowCoef[1] = sigma;
  rowCoef[2] = dAlpha;
  rowCoef[3] = dSigma;
  const yHat = res.jvp;
  empiricalValueRows(y, d, K, x, rowCoef, 0, 1, logits, w, yHat, res.u);
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

/**
 * Marginal velocity of a diagonal Gaussian-mixture target at one row.
 *
 * @internal
 */
export function mixtureRow(fn: string, scheduler: Scheduler, p: MixtureParameters, x: Float64Array, t: number, v: Float64Array | null, logits: Float64Array, res: RowResult): void {
  const { alpha, sigma, dAlpha, dSigma } = valuesAt(fn, scheduler, t);
  const d = p.dim, K = p.components, m = p.means, s2 = p.variances, w = res.weights, u = res.u;
  let max = -Infinity;
  for (let k = 0; k < K; k++) {
    let s = p.logWeights[k] as number;
    for (let j = 0; j < d; j++) {
      const vk = alpha * alpha * (s2[k * d + j] as number) + sigma * sigma;
      const e = (x[j] as number) - alpha * (m[k * d + j] as number);
      s -= (0.5 * e * e) / vk + 0.5 * Math.log(vk);
    }
    logits[k] = s;
    if (s > max) max = s;
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
  if (v.length === 0) res.divergence = trace + cross;
  else res.jvp.set(cv);
}

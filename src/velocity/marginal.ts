import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { checkTime, timeAt } from "../core/time.js";
import type { Time } from "../core/time.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Scheduler, VelocityField } from "../core/interfaces.js";
import type { SchedulerSource } from "./scheduler-like.js";
import { resolveScheduler } from "./scheduler-like.js";
import { empiricalRow, farRow, mixtureRow, SAFE_SQUARE } from "./marginal-kernels.js";
import type { MixtureParameters, RowResult } from "./marginal-kernels.js";
import { valuesAt } from "./scheduler-like.js";
import { checkElements, checkFiniteArray, checkInteger, outputArray } from "../core/check.js";
import { maxAbs } from "../core/row-norm.js";
import { MarginalEngine } from "../engine/marginal.js";
import { MixtureEngine } from "../engine/mixture.js";

/**
 * Options of {@link marginalVelocity}.
 *
 * @category Velocity fields
 */
export interface MarginalOptions {
  /**
   * Threads of a large `evaluate`: the calling thread and `threads - 1`
   * worker threads (default: the cores, at most 8; 1 where blocking worker threads are missing,
   * as in browsers). `1` pins every call to the calling thread. Results are the same bits
   * whatever the count.
   */
  threads?: number;
}

/**
 * A target with a closed-form marginal velocity: a finite data set (a batch of points or
 * an empirical distribution, which has `data`) or a Gaussian mixture (`means`, `stds`,
 * `weights`, as built by `gaussianMixture`).
 *
 * @category Velocity fields
 */
export type MarginalTarget = Batch | { readonly data: Batch } | {
  /** Component means (K rows of d). */
  readonly means: readonly Float64Array[];
  /** Component standard deviations (K rows of d). */
  readonly stds: readonly Float64Array[];
  /** Component weights (K), >= 0 with a positive sum (normalised ones, as `gaussianMixture` gives, or any multiple). */
  readonly weights: Float64Array;
};

/**
 * The closed-form marginal velocity field, with exact JVP and divergence and the
 * posterior over the target's points or components.
 *
 * @category Velocity fields
 */
export interface MarginalVelocityField extends VelocityField {
  /** Number of target points or mixture components K. */
  readonly components: number;
  /** Exact Jacobian-vector product. */
  jvp(x: Batch, t: Time, v: Batch, out?: Batch): Batch;
  /** Exact divergence. */
  divergence(x: Batch, t: Time, out?: Float64Array): Float64Array;
  /**
   * Posterior weights p(z = k | x_t = x), shape [n, K] (rows sum to 1).
   * @param x - points [n, dim]
   * @param t - times
   */
  posterior(x: Batch, t: Time): Batch;
}

/**
 * The marginal velocity u_t(x) = E[alpha'_t x1 + sigma'_t x0 | x_t = x] of the affine path
 * x_t = alpha_t x1 + sigma_t x0 from a standard normal source x0 to an empirical or
 * Gaussian-mixture target x1. Given component k (a data point y_k, or N(m_k, diag s_k^2)),
 * x_t is Gaussian with variance v_k = alpha^2 s_k^2 + sigma^2 per coordinate and
 * u_k(x) = alpha' m_k + c_k (x - alpha m_k), c_k = (alpha' alpha s_k^2 + sigma' sigma) / v_k;
 * u_t(x) = sum_k w_k(x) u_k(x) with posterior weights w = softmax_k(log pi_k + log N(x; alpha m_k, v_k))
 * computed by log-sum-exp.
 *
 * Near sigma_t = 0 (t -> 1): for an empirical target the field is written
 * u = alpha' y_hat + sigma' (x - alpha y_hat) / sigma with distances scaled by sigma before
 * squaring, so it stays finite for any sigma > 0. Once sigma <= 2^-52 alpha (sigma = 0, or
 * cosine's sigma_1 = 6.1e-17), sigma x0 is below the float64 rounding of alpha x1, so x_t
 * no longer carries x0; the empirical field is singular off the data there, and the value
 * returned is its value on the support, u = (alpha'/alpha) x (x1 = x / alpha; also the
 * limit of Gaussian-smoothed targets), with jvp and divergence to match. A solver stage
 * at t = 1 thus sees a finite field; its error is O(step) on the last step only. For a mixture with positive stds every v_k > 0 and nothing is singular.
 * JVP: sum_k w_k c_k v + sum_k w_k (u_k - u)(g_k - g_bar) . v with g_k = -(x - alpha m_k) / v_k;
 * divergence: its trace.
 *
 * `evaluate` of an empirical target runs on the CPU engine: all logits of a block of rows by one
 * matrix product, |x - alpha y_k|^2 = |x|^2 - 2 alpha x . y_k + alpha^2 |y_k|^2 (data centred
 * first), a SIMD exp and a streaming weighted sum, over worker threads when the call is large;
 * rows where that form would lose accuracy (its rounding grows like 1 / sigma^2 as t -> 1) use
 * the difference form above. Weights below 1e-20 of the largest are dropped. `evaluate` of a
 * Gaussian mixture at one time for all rows runs the same way, with logits
 * b_k + x . (alpha m_k / v_k) - |x|^2_(1 / 2 v_k) (the last term left out when all components share
 * their variances), rows whose GEMM rounding bound exceeds 2^-30 taking the loop above.
 *
 * Extreme scales: a mixture whose variance v_k leaves the float64 range (a std past 1e154 or
 * below 1e-154) is evaluated row by row with each coordinate scaled by max(alpha s, sigma), and one
 * component has weight 1 whatever its density. An empirical row so far from the data that every
 * |x - alpha y_k|^2 overflows takes the nearest point (measured scaled) as its posterior, since
 * every gap between such distances is far past 2 sigma^2. A velocity, JVP or divergence that
 * overflows float64 for finite x is a NonFiniteError, not an infinity.
 *
 * @param path - scheduler or affine path (see {@link SchedulerSource})
 * @param target - data points or a Gaussian mixture (see {@link MarginalTarget})
 * @param options - threads (see {@link MarginalOptions})
 * @returns the field
 * @throws {@link DomainError} for an unsupported target or path, bad options, or a mixture with a std <= 0 or a weight < 0 (or weights summing to 0);
 *   {@link ShapeError} for an empty data set or a mixture without components, of dimension 0, or whose means, stds and weights differ in count or length;
 *   {@link NonFiniteError} for a non-finite mean, std or weight; from the field's methods, {@link NonFiniteError} where the result overflows float64
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * const u = marginalVelocity(condOT, fromRows([[2, 0]]));
 * u.evaluate(fromRows([[1, 1]]), 0.5).data // => Float64Array [2, -2] ((y - x) / (1 - t))
 * ```
 * @category Velocity fields
 */
export function marginalVelocity(path: SchedulerSource, target: MarginalTarget, options: MarginalOptions = {}): MarginalVelocityField {
  const fn = "marginalVelocity";
  const scheduler = resolveScheduler(fn, path);
  const params = readTarget(fn, target);
  const { dim, components: K } = params;
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object", describeValue(options));
  const threads = options.threads === undefined ? undefined : checkInteger(fn, "options.threads", options.threads, 1, 256);
  // a variance s^2 outside the float64 normal range (a std past 1e154 or below 1e-154): the engine's unscaled form would give NaN
  const extremeVariance = !params.empirical && params.variances.some((v) => !(v >= 2 ** -1022 && v < Infinity));
  let engine: MarginalEngine | null = null;
  let mixture: MixtureEngine | null = null;
  const scratch = { logits: new Float64Array(K), weights: new Float64Array(K) };
  const run = (name: string, x: Batch, t: Time, visit: (r: number, res: RowResult, xr: Float64Array) => void, tangent?: Float64Array) => {
    const xb = asBatch(name, "x", x, { dim });
    const n = xb.shape[0] as number;
    checkTime(name, "t", t, n);
    const res: RowResult = { u: new Float64Array(dim), jvp: new Float64Array(dim), divergence: 0, weights: scratch.weights };
    for (let r = 0; r < n; r++) {
      const xr = xb.data.subarray(r * dim, (r + 1) * dim);
      const vr = tangent === undefined ? null : tangent.subarray(r * dim, (r + 1) * dim);
      const time = timeAt(t, r);
      if (params.empirical) empiricalRow(name, scheduler, params, xr, time, vr, scratch.logits, res, r);
      else mixtureRow(name, scheduler, params, xr, time, vr, scratch.logits, res);
      visit(r, res, xr);
    }
    return n;
  };
  return {
    dim, components: K,
    evaluate(x, t, out) {
      const xb = asBatch("marginalVelocity.evaluate", "x", x, { dim });
      const n = xb.shape[0] as number;
      const result = outputBatch("marginalVelocity.evaluate", out, n, dim);
      checkTime("marginalVelocity.evaluate", "t", t, n);
      // the output may alias x: compute into a fresh buffer when it does
      const into = result.data.buffer === xb.data.buffer ? new Float64Array(n * dim) : result.data;
      const coef = coefficients("marginalVelocity.evaluate", scheduler, t, n);
      if (params.empirical) {
        engine ??= new MarginalEngine(params.means, K, dim, { threads }, "marginalVelocity.evaluate");
        engine.evaluate(xb.data, coef, n, into);
        farRows(params, xb.data, coef, n, typeof t === "number", into, scratch.weights);
        checkFiniteRows("marginalVelocity.evaluate", "velocity", into, dim);
      } else {
        if (!extremeVariance) {
          mixture ??= new MixtureEngine(params.means, params.variances, params.logWeights, K, dim, { threads }, "marginalVelocity.evaluate");
          mixture.evaluate(xb.data, coef, n, into);
        }
        // a variance outside the float64 range, or a row the engine leaves NaN (zero density under every
        // component): the row loop, which scales such variances and reports a typed error where it must
        // (the engine's rows, when all finite, need no second check)
        if (extremeVariance || !allFinite(into)) {
          run("marginalVelocity.evaluate", xb, t, (r, res) => into.set(res.u, r * dim));
          checkFiniteRows("marginalVelocity.evaluate", "velocity", into, dim);
        }
      }
      if (into !== result.data) result.data.set(into);
      return result;
    },
    jvp(x, t, v, out) {
      const n = asBatch("marginalVelocity.jvp", "x", x, { dim }).shape[0] as number;
      const vb = asBatch("marginalVelocity.jvp", "v", v, { dim, rows: n });
      const result = outputBatch("marginalVelocity.jvp", out, n, dim);
      run("marginalVelocity.jvp", x, t, (r, res) => result.data.set(res.jvp, r * dim), vb.data);
      checkFiniteRows("marginalVelocity.jvp", "Jacobian-vector product", result.data, dim);
      return result;
    },
    divergence(x, t, out) {
      const n = asBatch("marginalVelocity.divergence", "x", x, { dim }).shape[0] as number;
      const result = outputArray("marginalVelocity.divergence", out, n);
      run("marginalVelocity.divergence", x, t, (r, res) => { result[r] = res.divergence; }, new Float64Array(0));
      checkFiniteRows("marginalVelocity.divergence", "divergence", result, 1);
      return result;
    },
    posterior(x, t) {
      const n = asBatch("marginalVelocity.posterior", "x", x, { dim }).shape[0] as number;
      const result = ndarray(new Float64Array(n * K), [n, K]) as Batch;
      run("marginalVelocity.posterior", x, t, (r, res) => result.data.set(res.weights, r * K));
      return result;
    },
  };
}

/**
 * Rows so far from the data that every squared distance overflows (see `farRow`) get their value
 * from the scaled distances, over the engine's. One pass over x settles ordinary inputs (`same`: one
 * time for every row, so one alpha).
 */
function farRows(params: MixtureParameters, x: Float64Array, coef: Float64Array, n: number, same: boolean, out: Float64Array, w: Float64Array): void {
  const d = params.dim;
  let alphaMax = 0;
  if (same) alphaMax = n > 0 ? (coef[0] as number) : 0;
  else for (let r = 0; r < n; r++) alphaMax = Math.max(alphaMax, coef[4 * r] as number);
  const scale = maxAbs(x, 0, x.length) + alphaMax * (params.maxAbs as number);
  if (d * scale * scale < SAFE_SQUARE) return;
  const yHat = new Float64Array(d);
  for (let r = 0; r < n; r++) farRow("marginalVelocity.evaluate", params, x, r * d, coef, 4 * r, w, yHat, out, r);
}

/** Every entry of a Float64Array is finite (a tight loop; Array.prototype.some costs a call per entry). */
function allFinite(values: Float64Array): boolean {
  for (let k = 0; k < values.length; k++) if ((values[k] as number) - (values[k] as number) !== 0) return false;
  return true;
}

/** A jvp or divergence that overflows float64 for finite x is named, not returned. */
function checkFiniteRows(fn: string, what: string, values: Float64Array, width: number): void {
  if (allFinite(values)) return;
  const k = values.findIndex((v) => !Number.isFinite(v));
  throw new NonFiniteError(fn, "x", `give a finite ${what} (it overflows float64 here; rescale the data and x)`, `${describeValue(values[k])} at row ${Math.floor(k / width)}`);
}

/** [alpha, sigma, alpha', sigma'] per row (one scheduler call for a scalar time). */
function coefficients(fn: string, scheduler: Scheduler, t: Time, n: number): Float64Array {
  const coef = new Float64Array(4 * n);
  for (let r = 0; r < n; r++) {
    if (r > 0 && typeof t === "number") {
      coef.copyWithin(4 * r, 0, 4);
      continue;
    }
    const s = valuesAt(fn, scheduler, timeAt(t, r));
    coef[4 * r] = s.alpha;
    coef[4 * r + 1] = s.sigma;
    coef[4 * r + 2] = s.dAlpha;
    coef[4 * r + 3] = s.dSigma;
  }
  return coef;
}

function readTarget(fn: string, target: MarginalTarget): MixtureParameters {
  if (target === null || typeof target !== "object") throw new DomainError(fn, "target", "be a data batch, an empirical distribution or a Gaussian mixture", describeValue(target));
  if ((target as { means?: unknown }).means !== undefined) return readMixture(fn, target as Partial<Record<"means" | "stds" | "weights", unknown>>);
  const nd = target as { shape?: unknown; data?: unknown };
  const data = Array.isArray(nd.shape) ? (target as Batch) : (nd.data as Batch);
  const b = asBatch(fn, "target", data);
  const [K, dim] = b.shape as [number, number];
  if (K === 0 || dim === 0) throw new ShapeError(fn, "target", "have at least one point of dimension >= 1", `[${K}, ${dim}]`);
  const means = Float64Array.from(b.data);
  return { empirical: true, dim, components: K, means, variances: new Float64Array(0), logWeights: new Float64Array(0), maxAbs: maxAbs(means, 0, means.length) };
}

/**
 * A Gaussian mixture target, checked as `gaussianMixture` checks its options: K >= 1 components
 * of one dimension d >= 1, finite means, positive finite stds, and K finite weights >= 0 with a
 * positive sum (the posterior does not depend on their scale).
 */
function readMixture(fn: string, mixture: Partial<Record<"means" | "stds" | "weights", unknown>>): MixtureParameters {
  const rows = (key: "means" | "stds"): ArrayLike<number>[] => {
    const value = mixture[key];
    if (!Array.isArray(value)) throw new ShapeError(fn, `target.${key}`, "be an array of rows (one per component)", describeValue(value));
    return value as ArrayLike<number>[];
  };
  const meanRows = rows("means"), stdRows = rows("stds");
  const K = meanRows.length;
  if (K === 0) throw new ShapeError(fn, "target.means", "have at least one component", "[]");
  const row = (key: "means" | "stds", k: number, r: unknown, dim: number): ArrayLike<number> => {
    const length = (r as { length?: unknown } | null)?.length;
    if (r === null || typeof r !== "object" || typeof length !== "number") throw new ShapeError(fn, `target.${key}[${k}]`, "be an array of numbers", describeValue(r));
    if (dim >= 0 && length !== dim) throw new ShapeError(fn, `target.${key}[${k}]`, `have length ${dim} like target.means[0]`, String(length));
    return checkFiniteArray(fn, `target.${key}[${k}]`, r as ArrayLike<number>);
  };
  const dim = row("means", 0, meanRows[0], -1).length;
  if (dim === 0) throw new ShapeError(fn, "target.means[0]", "have at least one entry", "[]");
  checkElements(fn, "target.means", K, dim);
  if (stdRows.length !== K) throw new ShapeError(fn, "target.stds", `have one row per component (${K})`, String(stdRows.length));
  const weights = mixture.weights as ArrayLike<number> | null | undefined;
  if (weights === null || typeof weights !== "object" || typeof weights.length !== "number") {
    throw new ShapeError(fn, "target.weights", `be an array of ${K} weights`, describeValue(weights));
  }
  if (weights.length !== K) throw new ShapeError(fn, "target.weights", `have one entry per component (${K})`, String(weights.length));
  checkFiniteArray(fn, "target.weights", weights);
  let total = 0;
  for (let k = 0; k < K; k++) {
    const w = weights[k] as number;
    if (!(w >= 0)) throw new DomainError(fn, `target.weights[${k}]`, "be >= 0", describeValue(w));
    total += w;
  }
  if (!(total > 0)) throw new DomainError(fn, "target.weights", "have a positive sum", describeValue(total));
  const means = new Float64Array(K * dim), stds = new Float64Array(K * dim), variances = new Float64Array(K * dim), logWeights = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    means.set(row("means", k, meanRows[k], dim), k * dim);
    const s = row("stds", k, stdRows[k], dim);
    for (let j = 0; j < dim; j++) {
      const sj = s[j] as number;
      if (!(sj > 0)) throw new DomainError(fn, `target.stds[${k}][${j}]`, "be > 0", describeValue(sj));
      stds[k * dim + j] = sj;
      variances[k * dim + j] = sj ** 2;
    }
    logWeights[k] = Math.log(weights[k] as number);
  }
  return { empirical: false, dim, components: K, means, variances, stds, logWeights };
}

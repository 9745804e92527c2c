import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { checkFiniteResult, checkNonNegative, checkOptions, checkPositive } from "../core/check.js";
import { DomainError, NonFiniteError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import { cfmLoss } from "../losses/cfm-loss.js";
import { squaredEuclidean } from "../losses/divergences.js";
import type { TrainableTwoTimeModel, TwoTimeField } from "./two-time.js";
import { checkTimePair, checkTwoTimeField } from "./two-time.js";
import { pow } from "../core/pow.js";

/**
 * One batch of a two-time loss: points x on the path at their start times r, end times t
 * (r <= t row by row) and the conditional velocity v of the path at (x, r) (for the
 * condOT path x = (1 - r) x0 + r x1 and v = x1 - x0).
 *
 * @category Few-step generation
 */
export interface TwoTimeBatch {
  /** Points at time r, [n, dim]. */
  x: Batch;
  /** Start times, one per row, in [0, 1]. */
  r: Float64Array;
  /** End times, one per row, in [r, 1]. */
  t: Float64Array;
  /** Conditional velocity at (x, r), [n, dim]. */
  v: Batch;
}

/** Result of a two-time loss ({@link meanFlowLoss}, {@link shortcutLoss}). @category Few-step generation */
export interface TwoTimeLossResult {
  /** The loss minimised: (1/n) sum_i w_i |u_theta(x_i, r_i, t_i) - target_i|^2. */
  loss: number;
  /** Unweighted mean squared error (1/n) sum_i |u_theta - target_i|^2. */
  mse: number;
  /** The stop-gradient regression target, [n, dim]. */
  target: Batch;
  /** The per-row weights w_i (stop-gradient; all 1 without adaptive weighting). */
  weights: Float64Array;
}

/**
 * The MeanFlow regression target (Geng et al. 2025, eq. 10) in this library's time
 * convention: differentiating (t - r) u(x_r, r, t) = integral_r^t v(x_s, s) ds along the
 * trajectory in its start time r gives the identity u = v + (t - r) d u / d r, with the total
 * derivative d u / d r = (du/dx) v + du/dr, a forward-mode JVP along (v, 1, 0) in (x, r, t).
 * (The paper puts data at 0 and writes u = v - (t - r) d u / d t along (v, 0, 1); with
 * r' = 1 - t, t' = 1 - r it is the same identity.) With r = t the target is v: flow matching.
 *
 * @param field - a two-time model with `averageJvp`
 * @param batch - x, r, t and the conditional velocity v (see {@link TwoTimeBatch})
 * @returns target_i = v_i + (t_i - r_i) ((du/dx) v_i + du/dr) at (x_i, r_i, t_i), shape [n, dim]
 * @throws {@link DomainError} for a model without the two-time input or without `averageJvp`, r > t or times outside [0, 1];
 *   {@link ShapeError} for mismatched shapes or a JVP that is not an [n, dim] batch; {@link NonFiniteError} for a
 *   non-finite JVP or a target that overflows
 * @example
 * ```ts
 * // u = 2 x does not depend on the times: target = v + (t - r) 2 v
 * const u = { dim: 1, average: (x: Batch) => fromData(x.data.map((a) => 2 * a), [x.shape[0], 1]), averageJvp: (x: Batch, r: Time, t: Time, dx: Batch) => fromData(dx.data.map((a) => 2 * a), [1, 1]) };
 * meanFlowTarget(u, { x: fromRows([[1]]), r: new Float64Array([0]), t: new Float64Array([0.5]), v: fromRows([[3]]) }).data[0] // => 6
 * ```
 * @category Few-step generation
 */
export function meanFlowTarget(field: TwoTimeField, batch: TwoTimeBatch): Batch {
  const fn = "meanFlowTarget";
  checkTwoTimeField(fn, "field", field);
  if (typeof field.averageJvp !== "function") throw new DomainError(fn, "field", "have averageJvp(x, r, t, dx, dr, dt) for the MeanFlow JVP", "no averageJvp");
  const { x, r, t, v } = checkBatch(fn, field.dim, batch);
  const n = x.shape[0] as number, d = field.dim;
  const derivative = asBatch(fn, "field.averageJvp(x, r, t, v, 1, 0)", field.averageJvp(x, r, t, v, 1, 0), { dim: d, rows: n });
  const target = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const h = (t[i] as number) - (r[i] as number);
    for (let j = 0; j < d; j++) target[i * d + j] = (v.data[i * d + j] as number) + h * (derivative.data[i * d + j] as number);
  }
  checkFiniteResult(fn, "target", target);
  return ndarray(target, [n, d]);
}

/** Options of {@link meanFlowLoss}. @category Few-step generation */
export interface MeanFlowLossOptions {
  /** Power p of the adaptive weight w = 1 / (|u - target|^2 + c)^p (Geng et al. 2025, sec. 4.3; default 0: plain squared error). */
  adaptivePower?: number;
  /** The constant c of the adaptive weight (default 1e-3). */
  adaptiveEps?: number;
}

/**
 * The MeanFlow loss L = (1/n) sum_i w_i |u_theta(x_i, r_i, t_i) - sg(target_i)|^2 with the
 * target of {@link meanFlowTarget} held fixed (stop-gradient) and optional adaptive weights
 * w_i = sg(1 / (|u_theta - target_i|^2 + c)^p). Runs `model.forward` and `model.backward`, so
 * that `model.gradient` holds dL/dtheta afterwards.
 *
 * @param model - a trainable two-time model with `averageJvp` (for example a {@link TwoTimeMlp})
 * @param batch - see {@link TwoTimeBatch}
 * @param options - adaptive weighting
 * @returns the loss, the unweighted error, the target and the weights
 * @throws the errors of {@link meanFlowTarget}; {@link DomainError} for a model that cannot be trained or options that
 *   are not an object; {@link NonFiniteError} when an adaptive weight overflows (a large `adaptivePower` with a small residual)
 * @example
 * ```ts
 * const u = twoTimeMlp({ dim: 2, hidden: [8], seed: 0 });
 * const batch = { x: fromRows([[0, 0]]), r: new Float64Array([0.2]), t: new Float64Array([0.7]), v: fromRows([[1, 0]]) };
 * meanFlowLoss(u, batch).loss >= 0 // => true, and u.gradient now holds dL/dtheta
 * ```
 * @category Few-step generation
 */
export function meanFlowLoss(model: TrainableTwoTimeModel, batch: TwoTimeBatch, options: MeanFlowLossOptions = {}): TwoTimeLossResult {
  const fn = "meanFlowLoss";
  options = checkOptions(fn, "options", options);
  checkTwoTimeField(fn, "model", model, true);
  const power = checkNonNegative(fn, "options.adaptivePower", options.adaptivePower ?? 0);
  const eps = checkPositive(fn, "options.adaptiveEps", options.adaptiveEps ?? 1e-3);
  const target = meanFlowTarget(model, batch);
  return regress(fn, model, batch, target, power, eps);
}

/** Forward, (weighted) squared error against a fixed target, backward; `fn` names the public loss in errors. */
export function regress(fn: string, model: TrainableTwoTimeModel, batch: TwoTimeBatch, target: Batch, power: number, eps: number): TwoTimeLossResult {
  const n = target.shape[0] as number;
  const prediction = asBatch(fn, "model.forward(x, r, t)", model.forward(batch.x, batch.r, batch.t), { dim: target.shape[1] as number, rows: n });
  const errors = overflowAs(fn, () => squaredEuclidean.value(target, prediction));
  const weights = new Float64Array(n);
  let mse = 0;
  for (let i = 0; i < n; i++) {
    const e = errors[i] as number;
    mse += e;
    weights[i] = power === 0 ? 1 : 1 / pow(e + eps, power);
    if (weights[i] === Infinity) {
      throw new NonFiniteError(fn, "weights", "be finite (1 / (|u - target|^2 + adaptiveEps)^adaptivePower overflows: lower options.adaptivePower or raise options.adaptiveEps)",
        `Infinity at row ${i} (|u - target|^2 = ${e}, adaptivePower = ${power}, adaptiveEps = ${eps})`);
    }
  }
  const { loss, gradient } = overflowAs(fn, () => cfmLoss(prediction, target, squaredEuclidean, weights));
  model.backward(gradient);
  return { loss, mse: mse / n, target, weights };
}

/** Runs `compute`; an overflow inside it (a NonFiniteError of the divergence or of cfmLoss) is reported as `fn`'s loss. */
function overflowAs<T>(fn: string, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (!(error instanceof NonFiniteError) || error.fn === fn) throw error;
    throw new NonFiniteError(fn, "loss", "be finite for finite input (overflow; rescale the input)", error.message);
  }
}

/** Validates a {@link TwoTimeBatch} against the model's dimension. */
export function checkBatch(fn: string, dim: number, batch: TwoTimeBatch): TwoTimeBatch {
  if (batch === null || typeof batch !== "object") throw new DomainError(fn, "batch", "be { x, r, t, v }", describeValue(batch));
  const x = asBatch(fn, "batch.x", batch.x, { dim });
  const n = x.shape[0] as number;
  if (n === 0) throw new DomainError(fn, "batch.x", "have at least one row", "0 rows");
  const v = asBatch(fn, "batch.v", batch.v, { dim, rows: n });
  if (!(batch.r instanceof Float64Array)) throw new DomainError(fn, "batch.r", "be a Float64Array (one start time per row)", describeValue(batch.r));
  if (!(batch.t instanceof Float64Array)) throw new DomainError(fn, "batch.t", "be a Float64Array (one end time per row)", describeValue(batch.t));
  checkTimePair(fn, batch.r, batch.t, n, "batch.r", "batch.t");
  return { x, r: batch.r, t: batch.t, v };
}

import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { checkFinite, checkMethods, checkFiniteResult, outputArray } from "../core/check.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import type { BregmanDivergence } from "../core/interfaces.js";
import { pair } from "./rows.js";
import { describeValue } from "../core/format.js";
import { maxAbs } from "../core/row-norm.js";

/**
 * Value and gradient of the conditional flow-matching loss. @category Losses
 */
export interface CfmLossResult {
  /** (1/n) sum_i w_i D(u_i, v_i). */
  loss: number;
  /** d loss / d v, shape [n, d]: (w_i / n) grad_v D(u_i, v_i). */
  gradient: Batch;
}

/**
 * The CFM loss of a batch, L = (1/n) sum_i w_i D(u_i, v_i) with D a Bregman divergence,
 * u_i the regression target (the conditional velocity) and v_i the prediction, and its
 * gradient w.r.t. the prediction (to feed a model's backward).
 *
 * @param prediction - v, shape [n, d]
 * @param target - u, shape [n, d]
 * @param divergence - D, for example {@link squaredEuclidean}
 * @param weights - optional non-negative per-row weights w_i (default 1)
 * @param out - optional output for the gradient [n, d]
 * @returns `{ loss, gradient }`
 * @throws {@link ShapeError} for mismatched shapes; {@link DomainError} for negative weights, an empty batch or a
 *   divergence value below 0 beyond rounding (more negative than -1e-10 max(1, max_i |D_i|)); {@link NonFiniteError}
 *   for non-finite weights, a non-finite divergence value or gradient, or a loss or gradient that overflows
 * @example
 * ```ts
 * cfmLoss(fromRows([[1, 1]]), fromRows([[0, 0]]), squaredEuclidean).loss // => 2
 * ```
 * @category Losses
 */
export function cfmLoss(prediction: Batch, target: Batch, divergence: BregmanDivergence, weights?: ArrayLike<number>, out?: Batch): CfmLossResult {
  const fn = "cfmLoss";
  checkMethods(fn, "divergence", divergence, ["value", "gradient"], "a BregmanDivergence");
  const [u, v, n, d] = pair(fn, target, prediction, null, "target", "prediction");
  if (n === 0) throw new DomainError(fn, "prediction", "have at least one row", "0 rows");
  if (weights !== undefined) {
    if (weights === null || typeof weights !== "object" || typeof weights.length !== "number") throw new ShapeError(fn, "weights", `be ${n} numbers`, describeValue(weights));
    if (weights.length !== n) throw new ShapeError(fn, "weights", `have length ${n}`, String(weights.length));
    for (let i = 0; i < n; i++) if (!(checkFinite(fn, `weights[${i}]`, weights[i]) >= 0)) throw new DomainError(fn, `weights[${i}]`, "be >= 0", String(weights[i]));
  }
  const valueName = "divergence.value(target, prediction)", gradientName = "divergence.gradient(target, prediction)";
  const values = checkFiniteResult(fn, valueName, outputArray(fn, divergence.value(u, v), n, valueName));
  checkNonNegative(fn, valueName, values);
  const result = outputBatch(fn, out, n, d);
  const gradient = divergence.gradient(u, v, result);
  if (gradient !== result && asBatch(fn, gradientName, gradient, { dim: d, rows: n, finite: false }) !== gradient) {
    throw new ShapeError(fn, gradientName, "be a contiguous Float64Array batch", describeValue(gradient));
  }
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : (weights[i] as number);
    loss += w * (values[i] as number);
    const scale = w / n;
    for (let j = 0; j < d; j++) {
      const k = i * d + j, g = gradient.data[k] as number, scaled = g * scale;
      if (!Number.isFinite(scaled)) {
        throw Number.isFinite(g)
          ? new NonFiniteError(fn, "gradient", "be finite for finite input (overflow; rescale the input or the weights)", `${describeValue(scaled)} at row ${i}`)
          : new NonFiniteError(fn, gradientName, "be finite", `${describeValue(g)} at row ${i}, column ${j}`);
      }
      gradient.data[k] = scaled;
    }
  }
  if (!Number.isFinite(loss)) checkFiniteResult(fn, "loss", [loss]);
  return { loss: loss / n, gradient };
}

/**
 * Rejects divergence values below zero beyond rounding: a Bregman divergence is >= 0, and a value
 * more negative than -1e-10 max(1, max_i |D_i|) is a bug in the divergence, not rounding.
 */
function checkNonNegative(fn: string, what: string, values: Float64Array): void {
  let floor = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (value >= 0) continue;
    if (Number.isNaN(floor)) {
      floor = -1e-10 * Math.max(1, maxAbs(values, 0, values.length));
    }
    if (value < floor) throw new DomainError(fn, what, "be >= 0 (a Bregman divergence is nonnegative)", `${describeValue(value)} at row ${i}`);
  }
}

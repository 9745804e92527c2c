import type { Batch } from "../core/batch.js";
import { checkInteger } from "../core/check.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Time } from "../core/time.js";
import type { ConditionedVelocityField, FieldExtras } from "../velocity/conditioned.js";
import type { TfFieldOptions } from "./field.js";
import { divergence, launch, readBatch, readBatchAsync, readValues, readValuesAsync, vjp } from "./field.js";
import type { TfModel } from "./model.js";
import { modelCall } from "./model.js";

/**
 * Options of {@link tfConditionedVelocityField}.
 *
 * @category TensorFlow.js
 */
export interface TfConditionedFieldOptions extends TfFieldOptions {
  /** Width c of the condition columns the model takes (for a model trained by `trainTf` on a labelled target: classes + 1, the one-hot label). */
  conditionDim: number;
}

/**
 * A conditioned TensorFlow.js model u_t(x | c) as a {@link ConditionedVelocityField} with every
 * method, sync and async: bind the conditions with `withCondition(field, c)` or
 * `conditionGuidance(field, c, nullCondition, w)` and pass the result to `sample`/`logLikelihood`
 * or `sampleAsync`/`logLikelihoodAsync`.
 *
 * @category TensorFlow.js
 */
export interface TfConditionedVelocityField extends ConditionedVelocityField {
  /** u_t(x | c) per row, read back synchronously. */
  evaluateConditioned(x: Batch, t: Time, condition: Batch, out?: Batch, extras?: FieldExtras): Batch;
  /** J^T v per row, J = du_t(x | c)/dx (one `tf.grad` pass). */
  vjpConditioned(x: Batch, t: Time, condition: Batch, v: Batch, out?: Batch, extras?: FieldExtras): Batch;
  /** Exact divergence tr(du_t(x | c)/dx) per row (stacked unit-vector VJPs, one readback). */
  divergenceConditioned(x: Batch, t: Time, condition: Batch, out?: Float64Array, extras?: FieldExtras): Float64Array;
  /** u_t(x | c) per row, read back without blocking. */
  evaluateConditionedAsync(x: Batch, t: Time, condition: Batch, out?: Batch, extras?: FieldExtras): Promise<Batch>;
  /** {@link TfConditionedVelocityField.vjpConditioned}, read back without blocking. */
  vjpConditionedAsync(x: Batch, t: Time, condition: Batch, v: Batch, out?: Batch, extras?: FieldExtras): Promise<Batch>;
  /** {@link TfConditionedVelocityField.divergenceConditioned}, read back without blocking. */
  divergenceConditionedAsync(x: Batch, t: Time, condition: Batch, out?: Float64Array, extras?: FieldExtras): Promise<Float64Array>;
}

/**
 * Wraps a conditioned TensorFlow.js model, one trained by `trainTf` on a conditioned or labelled
 * target, as a {@link ConditionedVelocityField}. The model receives the columns `trainTf` gave it:
 * [x, t, cond] ([n, dim + 1 + c]) for a one-input model, x and [t, cond] for a two-input one, and
 * `(x, t, cond, extras)` for a function model, where `extras` is the object bound by
 * `withCondition(field, c, { extras })`. A model trained on labels takes the one-hot label
 * (conditionDim = classes + 1, the last column the null label): bind one-hot rows, and guide with
 * the one-hot null label as `nullCondition`. Each call uploads x, t and c as float32, as
 * {@link tfVelocityField} does, and has the same derivatives (reverse mode, condition held fixed).
 *
 * @param model - the model (see {@link TfModel} for the layouts)
 * @param options - `conditionDim` (required), `dim` (required for a function model) and `divergenceRows`
 * @returns the conditioned field (it owns no tensors)
 * @throws `DomainError` for a model that is not one, a missing dim or a conditionDim that is not a positive integer; `ShapeError` when the
 *   model's static input width is not dim + 1 + conditionDim. Its methods throw the errors of {@link tfVelocityField}, and a `ShapeError` for a condition batch of the wrong shape
 * @example
 * ```ts
 * const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 32, activation: "tanh" }), tf.layers.dense({ units: 2 })] });
 * const field = tfConditionedVelocityField(model, { conditionDim: 1 });
 * const c = fromData(new Float64Array(256).fill(0.5), [256, 1]);
 * const { y } = await sampleAsync(withCondition(field, c), standardNormal(2).sample(256, new Random(0)), { method: "rk4", steps: 20 });
 * y.shape // => [256, 2]
 * ```
 * @category TensorFlow.js
 */
export function tfConditionedVelocityField(model: TfModel, options: TfConditionedFieldOptions): TfConditionedVelocityField {
  const fn = "tfConditionedVelocityField";
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object with conditionDim", describeValue(options));
  const c = checkInteger(fn, "options.conditionDim", options.conditionDim, 1);
  const call = modelCall(fn, model, options.dim, c);
  const maxRows = checkInteger(fn, "options.divergenceRows", options.divergenceRows ?? 65536, 1);
  const m = (method: string): string => `${fn}.${method}`;
  const bound = (condition: Batch, extras: FieldExtras | undefined): { condition: Batch; extras: FieldExtras | undefined } => ({ condition, extras });
  return {
    dim: call.dim,
    conditionDim: c,
    evaluateConditioned: (x, t, cond, out, extras) =>
      readBatch(launch(call, m("evaluateConditioned"), x, t, null, (a) => call.predict(m("evaluateConditioned"), a.x, a.t, false, a.cond, a.extras), bound(cond, extras)), out),
    evaluateConditionedAsync: async (x, t, cond, out, extras) =>
      readBatchAsync(launch(call, m("evaluateConditionedAsync"), x, t, null, (a) => call.predict(m("evaluateConditionedAsync"), a.x, a.t, false, a.cond, a.extras), bound(cond, extras)), out),
    vjpConditioned: (x, t, cond, v, out, extras) => readBatch(launch(call, m("vjpConditioned"), x, t, v, (a) => vjp(call, m("vjpConditioned"), a), bound(cond, extras)), out),
    vjpConditionedAsync: async (x, t, cond, v, out, extras) =>
      readBatchAsync(launch(call, m("vjpConditionedAsync"), x, t, v, (a) => vjp(call, m("vjpConditionedAsync"), a), bound(cond, extras)), out),
    divergenceConditioned: (x, t, cond, out, extras) =>
      readValues(launch(call, m("divergenceConditioned"), x, t, null, (a) => divergence(call, m("divergenceConditioned"), a, maxRows), bound(cond, extras)), out),
    divergenceConditionedAsync: async (x, t, cond, out, extras) =>
      readValuesAsync(launch(call, m("divergenceConditionedAsync"), x, t, null, (a) => divergence(call, m("divergenceConditionedAsync"), a, maxRows), bound(cond, extras)), out),
  };
}

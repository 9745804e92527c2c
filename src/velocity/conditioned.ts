import type { Batch } from "../core/batch.js";
import { asBatch, fromData, outputBatch } from "../core/batch.js";
import { checkFinite, checkFiniteArray } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeShape, describeValue } from "../core/format.js";
import type { Time } from "../core/time.js";
import type { AsyncVelocityField, VelocityField } from "../core/interfaces.js";
import { guide, modelBatch, modelValues } from "./field-output.js";

/**
 * What {@link withCondition} and {@link conditionGuidance} pass to every call of the model
 * besides x, t and the condition: anything else it needs (the `model_extras` of Meta's
 * flow_matching and torchcfm; the same object as `extras` of `train` and `trainTf`). It does not
 * move with rows: it is passed unchanged.
 *
 * @category Velocity fields
 */
export type FieldExtras = Readonly<Record<string, unknown>>;

/**
 * A velocity field conditioned on a continuous (or embedded) condition u_t(x | c): row i of
 * `x` goes with row i of `condition` (shape [n, c]). The continuous counterpart of
 * {@link LabeledVelocityField}. Every method receives, last, the bound `extras` (undefined when
 * none were bound). The `...Async` methods (a TensorFlow.js field has them) make the bound field
 * an {@link AsyncVelocityField} for `sampleAsync` and `logLikelihoodAsync`.
 *
 * @category Velocity fields
 */
export interface ConditionedVelocityField {
  /** Dimension of the space. */
  readonly dim: number;
  /** Width c of a condition row. */
  readonly conditionDim: number;
  /** u_t(x_i | c_i) for every row. */
  evaluateConditioned(x: Batch, t: Time, condition: Batch, out?: Batch, extras?: FieldExtras): Batch;
  /** (du_t(x | c)/dx) v for every row. */
  jvpConditioned?(x: Batch, t: Time, condition: Batch, v: Batch, out?: Batch, extras?: FieldExtras): Batch;
  /** J^T v for every row, J = du_t(x | c)/dx (reverse mode). */
  vjpConditioned?(x: Batch, t: Time, condition: Batch, v: Batch, out?: Batch, extras?: FieldExtras): Batch;
  /** tr(du_t(x | c)/dx) for every row. */
  divergenceConditioned?(x: Batch, t: Time, condition: Batch, out?: Float64Array, extras?: FieldExtras): Float64Array;
  /** {@link ConditionedVelocityField.evaluateConditioned}, without blocking. */
  evaluateConditionedAsync?(x: Batch, t: Time, condition: Batch, out?: Batch, extras?: FieldExtras): Promise<Batch>;
  /** {@link ConditionedVelocityField.jvpConditioned}, without blocking. */
  jvpConditionedAsync?(x: Batch, t: Time, condition: Batch, v: Batch, out?: Batch, extras?: FieldExtras): Promise<Batch>;
  /** {@link ConditionedVelocityField.vjpConditioned}, without blocking. */
  vjpConditionedAsync?(x: Batch, t: Time, condition: Batch, v: Batch, out?: Batch, extras?: FieldExtras): Promise<Batch>;
  /** {@link ConditionedVelocityField.divergenceConditioned}, without blocking. */
  divergenceConditionedAsync?(x: Batch, t: Time, condition: Batch, out?: Float64Array, extras?: FieldExtras): Promise<Float64Array>;
}

/**
 * Options of {@link withCondition} and {@link conditionGuidance}.
 *
 * @category Velocity fields
 */
export interface ConditionOptions {
  /** Passed unchanged, last, to every call of the field's conditioned methods (see {@link FieldExtras}). */
  extras?: FieldExtras;
}

/**
 * What {@link withCondition} and {@link conditionGuidance} return: a {@link VelocityField}, and
 * the async methods of an {@link AsyncVelocityField} for each `...ConditionedAsync` method the
 * conditioned field has.
 *
 * @category Velocity fields
 */
export type BoundConditionField = VelocityField & Partial<Omit<AsyncVelocityField, "dim">>;

/**
 * Binds a batch of conditions to a conditioned field, giving an ordinary {@link VelocityField}
 * x -> u_t(x | c) for `sample`, `integrate`, `sdeSample`, the likelihood solvers (jvp, vjp and
 * divergence when the field has them) and, when the field has `...Async` methods (a
 * TensorFlow.js field), `sampleAsync` and `logLikelihoodAsync`. Row i of every batch the solver
 * passes is row i of `condition`, so every call must have exactly that many rows: the solvers
 * keep the batch whole, except `perSample` steps, which retire rows and are refused here with
 * a {@link ShapeError}. The condition is copied; `options.extras` is passed unchanged, last, to
 * every call of the field.
 *
 * @param field - the conditioned field
 * @param condition - one condition row per sample, shape [n, field.conditionDim]
 * @param options - `extras` for the model (see {@link ConditionOptions})
 * @returns the field with its conditions bound
 * @throws {@link DomainError} for a field without `evaluateConditioned` or extras that are not an object; {@link ShapeError} for a condition of the wrong width
 *   and (from the bound field) for a batch whose row count differs from the condition's; {@link NonFiniteError} for NaN/Inf conditions
 * @example
 * ```ts
 * // u_t(x | c) = c - x: rows move towards their own condition
 * const f = { dim: 1, conditionDim: 1, evaluateConditioned: (x, t, c) => fromRows(toRows(x).map(([v], i) => [c.data[i] - v])) };
 * withCondition(f, fromRows([[2], [-1]])).evaluate(fromRows([[0], [0]]), 0.5).data // => Float64Array [2, -1]
 * ```
 * @category Velocity fields
 */
export function withCondition(field: ConditionedVelocityField, condition: Batch, options: ConditionOptions = {}): BoundConditionField {
  const fn = "withCondition";
  checkConditioned(fn, field);
  const e = checkExtras(fn, options);
  const c = copyCondition(fn, "condition", condition, field.conditionDim);
  const n = c.shape[0] as number;
  const rows = (x: Batch): void => {
    const m = asBatch(fn, "x", x, { dim: field.dim }).shape[0] as number;
    if (m !== n) {
      throw new ShapeError(fn, "condition", `have one row per row of x (${m}; per-sample steps, which retire rows, cannot carry conditions)`, describeShape(c.shape));
    }
  };
  const f = field as Required<ConditionedVelocityField>;
  const result: BoundConditionField = {
    dim: field.dim,
    evaluate: (x, t, out) => { rows(x); return f.evaluateConditioned(x, t, c, out, e); },
  };
  if (field.jvpConditioned) result.jvp = (x, t, v, out) => { rows(x); return f.jvpConditioned(x, t, c, v, out, e); };
  if (field.vjpConditioned) result.vjp = (x, t, v, out) => { rows(x); return f.vjpConditioned(x, t, c, v, out, e); };
  if (field.divergenceConditioned) result.divergence = (x, t, out) => { rows(x); return f.divergenceConditioned(x, t, c, out, e); };
  if (field.evaluateConditionedAsync) result.evaluateAsync = async (x, t, out) => { rows(x); return f.evaluateConditionedAsync(x, t, c, out, e); };
  if (field.jvpConditionedAsync) result.jvpAsync = async (x, t, v, out) => { rows(x); return f.jvpConditionedAsync(x, t, c, v, out, e); };
  if (field.vjpConditionedAsync) result.vjpAsync = async (x, t, v, out) => { rows(x); return f.vjpConditionedAsync(x, t, c, v, out, e); };
  if (field.divergenceConditionedAsync) result.divergenceAsync = async (x, t, out) => { rows(x); return f.divergenceConditionedAsync(x, t, c, out, e); };
  return result;
}

/**
 * Classifier-free guidance for continuous conditions: u = (1 + w) u_t(x | c) - w u_t(x | null),
 * where `nullCondition` is the condition the model learned as "unconditional" (for example a
 * zero row with a flag column, substituted for c with some probability during training). This is
 * the convention of {@link classifierFreeGuidance} and of Meta's flow_matching examples
 * (`(1 + cfg_scale) * cond - cfg_scale * uncond`): w = 0 is the conditional field, w = -1 the
 * unconditional one. Libraries that write uncond + s (cond - uncond) (a "guidance scale" s, as
 * diffusers' `guidance_scale`) have s = 1 + w. Train the null condition with `conditionDropout`
 * and `nullCondition` of {@link train}. JVP, VJP and divergence are the same combination of the
 * field's, and so are the async methods of a field that has them (a TensorFlow.js model trained
 * on labels takes one-hot rows: the null condition is then the one-hot of the null label).
 *
 * @param field - the conditioned field
 * @param condition - one condition row per sample, shape [n, field.conditionDim]
 * @param nullCondition - the null condition, one row of width field.conditionDim
 * @param scale - guidance weight w (finite)
 * @param options - `extras` for the model, as in {@link withCondition}
 * @returns the guided field (rows must match `condition`, as in {@link withCondition})
 * @throws the errors of {@link withCondition}; {@link NonFiniteError} for a non-finite scale or null condition; from the guided
 *   field's methods, {@link ShapeError} when the field returns a result of the wrong shape (or none), {@link NonFiniteError} when it
 *   returns non-finite values or the guided velocity overflows in every form
 * @example
 * ```ts
 * const f = { dim: 1, conditionDim: 1, evaluateConditioned: (x, t, c) => fromRows(toRows(c).map(([v]) => [v])) };
 * conditionGuidance(f, fromRows([[2]]), [0], 1).evaluate(fromRows([[0]]), 0.5).data // => Float64Array [4]
 * ```
 * @category Velocity fields
 */
export function conditionGuidance(field: ConditionedVelocityField, condition: Batch, nullCondition: ArrayLike<number>, scale: number, options: ConditionOptions = {}): BoundConditionField {
  const fn = "conditionGuidance";
  checkConditioned(fn, field);
  const w = checkFinite(fn, "scale", scale);
  const c = copyCondition(fn, "condition", condition, field.conditionDim);
  const n = c.shape[0] as number;
  const width = field.conditionDim;
  const empty = Float64Array.from(checkFiniteArray(fn, "nullCondition", nullCondition));
  if (empty.length !== width) throw new ShapeError(fn, "nullCondition", `have ${width} entries (field.conditionDim)`, String(empty.length));
  const nullRows = new Float64Array(n * width);
  for (let i = 0; i < n; i++) nullRows.set(empty, i * width);
  const cond = withCondition(field, c, options);
  const uncond = withCondition(field, fromData(nullRows, [n, width]), options);
  const d = field.dim;
  // the field's method that gave a result, for messages: evaluateAsync -> field.evaluateConditionedAsync
  const conditionedCall = (name: string): string => `field.${name.replace(/(Async)?$/, "Conditioned$1")}`;
  // what the field returned for the conditional (a) and null (b) rows is checked before it is combined
  const batch = (name: string, a: unknown, b: unknown, out?: Batch): Batch => {
    const call = conditionedCall(name);
    const ca = modelBatch(`${fn}.${name}`, call, a, n, d), cb = modelBatch(`${fn}.${name}`, call, b, n, d);
    const res = outputBatch(`${fn}.${name}`, out, n, d);
    guide(`${fn}.${name}`, w, ca.data, cb.data, res.data, d);
    return res;
  };
  const values = (name: string, a: unknown, b: unknown, out?: Float64Array): Float64Array => {
    const call = conditionedCall(name);
    const ca = modelValues(`${fn}.${name}`, call, a, n), cb = modelValues(`${fn}.${name}`, call, b, n);
    const res = out ?? new Float64Array(n);
    if (!(res instanceof Float64Array) || res.length !== n) throw new ShapeError(`${fn}.${name}`, "out", `be a Float64Array of length ${n}`, describeValue(out));
    guide(`${fn}.${name}`, w, ca, cb, res, 1);
    return res;
  };
  const result: BoundConditionField = { dim: field.dim, evaluate: (x, t, out) => batch("evaluate", cond.evaluate(x, t), uncond.evaluate(x, t), out) };
  const [A, B] = [cond as Required<BoundConditionField>, uncond as Required<BoundConditionField>];
  if (cond.jvp) result.jvp = (x, t, v, out) => batch("jvp", A.jvp(x, t, v), B.jvp(x, t, v), out);
  if (cond.vjp) result.vjp = (x, t, v, out) => batch("vjp", A.vjp(x, t, v), B.vjp(x, t, v), out);
  if (cond.divergence) result.divergence = (x, t, out) => values("divergence", A.divergence(x, t), B.divergence(x, t), out);
  if (cond.evaluateAsync) result.evaluateAsync = async (x, t, out) => batch("evaluateAsync", ...await Promise.all([A.evaluateAsync(x, t), B.evaluateAsync(x, t)]), out);
  if (cond.jvpAsync) result.jvpAsync = async (x, t, v, out) => batch("jvpAsync", ...await Promise.all([A.jvpAsync(x, t, v), B.jvpAsync(x, t, v)]), out);
  if (cond.vjpAsync) result.vjpAsync = async (x, t, v, out) => batch("vjpAsync", ...await Promise.all([A.vjpAsync(x, t, v), B.vjpAsync(x, t, v)]), out);
  if (cond.divergenceAsync) result.divergenceAsync = async (x, t, out) => values("divergenceAsync", ...await Promise.all([A.divergenceAsync(x, t), B.divergenceAsync(x, t)]), out);
  return result;
}

function checkExtras(fn: string, options: ConditionOptions): FieldExtras | undefined {
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object", describeValue(options));
  const e = options.extras;
  if (e !== undefined && (e === null || typeof e !== "object")) throw new DomainError(fn, "options.extras", "be an object", describeValue(e));
  return e;
}

function checkConditioned(fn: string, field: ConditionedVelocityField): void {
  if (field === null || typeof field !== "object" || typeof field.evaluateConditioned !== "function"
    || !Number.isInteger(field.dim) || field.dim < 1 || !Number.isInteger(field.conditionDim) || field.conditionDim < 1) {
    throw new DomainError(fn, "field", "be a conditioned velocity field (dim, conditionDim, evaluateConditioned)", describeValue(field));
  }
}

/** A finite [n, width] copy of a condition batch. */
function copyCondition(fn: string, argument: string, condition: Batch, width: number): Batch {
  const c = asBatch(fn, argument, condition);
  if (c.shape[1] !== width) throw new ShapeError(fn, argument, `have ${width} columns (field.conditionDim)`, describeShape(c.shape));
  checkFiniteArray(fn, argument, c.data);
  return fromData(Float64Array.from(c.data), [c.shape[0] as number, width]);
}

import type { Batch } from "../core/batch.js";
import { asBatch, fromData, outputBatch } from "../core/batch.js";
import { checkFinite, checkFiniteArray } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeShape, describeValue } from "../core/format.js";
import type { Time } from "../core/time.js";
import type { VelocityField } from "../core/interfaces.js";

/**
 * A velocity field conditioned on a continuous (or embedded) condition u_t(x | c): row i of
 * `x` goes with row i of `condition` (shape [n, c]). The continuous counterpart of
 * {@link LabeledVelocityField}.
 *
 * @category Velocity fields
 */
export interface ConditionedVelocityField {
  /** Dimension of the space. */
  readonly dim: number;
  /** Width c of a condition row. */
  readonly conditionDim: number;
  /** u_t(x_i | c_i) for every row. */
  evaluateConditioned(x: Batch, t: Time, condition: Batch, out?: Batch): Batch;
  /** (du_t(x | c)/dx) v for every row. */
  jvpConditioned?(x: Batch, t: Time, condition: Batch, v: Batch, out?: Batch): Batch;
  /** tr(du_t(x | c)/dx) for every row. */
  divergenceConditioned?(x: Batch, t: Time, condition: Batch, out?: Float64Array): Float64Array;
}

/**
 * Binds a batch of conditions to a conditioned field, giving an ordinary {@link VelocityField}
 * x -> u_t(x | c) for `sample`, `integrate`, `sdeSample`, the likelihood solvers (jvp and
 * divergence when the field has them) and the async solvers. Row i of every batch the solver
 * passes is row i of `condition`, so every call must have exactly that many rows: the solvers
 * keep the batch whole, except `perSample` steps, which retire rows and are refused here with
 * a {@link ShapeError}. The condition is copied.
 *
 * @param field - the conditioned field
 * @param condition - one condition row per sample, shape [n, field.conditionDim]
 * @returns the field with its conditions bound
 * @throws {@link DomainError} for a field without `evaluateConditioned`; {@link ShapeError} for a condition of the wrong width
 *   and (from the bound field) for a batch whose row count differs from the condition's; {@link NonFiniteError} for NaN/Inf conditions
 * @example
 * ```ts
 * // u_t(x | c) = c - x: rows move towards their own condition
 * const f = { dim: 1, conditionDim: 1, evaluateConditioned: (x, t, c) => fromRows(toRows(x).map(([v], i) => [c.data[i] - v])) };
 * withCondition(f, fromRows([[2], [-1]])).evaluate(fromRows([[0], [0]]), 0.5).data // => Float64Array [2, -1]
 * ```
 * @category Velocity fields
 */
export function withCondition(field: ConditionedVelocityField, condition: Batch): VelocityField {
  const fn = "withCondition";
  checkConditioned(fn, field);
  const c = copyCondition(fn, "condition", condition, field.conditionDim);
  const n = c.shape[0] as number;
  const rows = (x: Batch): void => {
    const m = asBatch(fn, "x", x, { dim: field.dim }).shape[0] as number;
    if (m !== n) {
      throw new ShapeError(fn, "condition", `have one row per row of x (${m}; per-sample steps, which retire rows, cannot carry conditions)`, describeShape(c.shape));
    }
  };
  const result: VelocityField = {
    dim: field.dim,
    evaluate: (x, t, out) => { rows(x); return field.evaluateConditioned(x, t, c, out); },
  };
  if (field.jvpConditioned) {
    const jvp = field.jvpConditioned.bind(field);
    result.jvp = (x, t, v, out) => { rows(x); return jvp(x, t, c, v, out); };
  }
  if (field.divergenceConditioned) {
    const div = field.divergenceConditioned.bind(field);
    result.divergence = (x, t, out) => { rows(x); return div(x, t, c, out); };
  }
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
 * and `nullCondition` of {@link train}. JVP and divergence are the same combination of the field's.
 *
 * @param field - the conditioned field
 * @param condition - one condition row per sample, shape [n, field.conditionDim]
 * @param nullCondition - the null condition, one row of width field.conditionDim
 * @param scale - guidance weight w (finite)
 * @returns the guided field (rows must match `condition`, as in {@link withCondition})
 * @throws the errors of {@link withCondition}; {@link NonFiniteError} for a non-finite scale or null condition
 * @example
 * ```ts
 * const f = { dim: 1, conditionDim: 1, evaluateConditioned: (x, t, c) => fromRows(toRows(c).map(([v]) => [v])) };
 * conditionGuidance(f, fromRows([[2]]), [0], 1).evaluate(fromRows([[0]]), 0.5).data // => Float64Array [4]
 * ```
 * @category Velocity fields
 */
export function conditionGuidance(field: ConditionedVelocityField, condition: Batch, nullCondition: ArrayLike<number>, scale: number): VelocityField {
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
  const cond = withCondition(field, c);
  const uncond = withCondition(field, fromData(nullRows, [n, width]));
  const mix = (a: Float64Array, b: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < out.length; i++) out[i] = (1 + w) * (a[i] as number) - w * (b[i] as number);
  };
  const result: VelocityField = {
    dim: field.dim,
    evaluate(x, t, out) {
      const a = cond.evaluate(x, t), b = uncond.evaluate(x, t);
      const res = outputBatch(`${fn}.evaluate`, out, n, field.dim);
      mix(a.data, b.data, res.data);
      return res;
    },
  };
  if (cond.jvp && uncond.jvp) {
    const [ja, jb] = [cond.jvp, uncond.jvp];
    result.jvp = (x, t, v, out) => {
      const res = outputBatch(`${fn}.jvp`, out, n, field.dim);
      mix(ja(x, t, v).data, jb(x, t, v).data, res.data);
      return res;
    };
  }
  if (cond.divergence && uncond.divergence) {
    const [da, db] = [cond.divergence, uncond.divergence];
    result.divergence = (x, t, out) => {
      const res = out ?? new Float64Array(n);
      mix(da(x, t), db(x, t), res);
      return res;
    };
  }
  return result;
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

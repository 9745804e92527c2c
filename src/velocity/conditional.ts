import type { Batch } from "../core/batch.js";
import { outputBatch, asBatch } from "../core/batch.js";
import { checkFinite, outputArray } from "../core/check.js";
import { DomainError } from "../core/errors.js";
import { guide, modelBatch, modelValues } from "./field-output.js";
import { describeValue } from "../core/format.js";
import type { Time } from "../core/time.js";
import type { VelocityField } from "../core/interfaces.js";

/**
 * Class labels: one integer for every row, or one per row.
 *
 * @category Velocity fields
 */
export type ClassLabels = number | ArrayLike<number>;

/**
 * A velocity field conditioned on class labels u_t(x | y) (for example a conditional
 * `Mlp`). Label `classes` is the "null" label of classifier-free guidance.
 *
 * @category Velocity fields
 */
export interface LabeledVelocityField {
  /** Dimension of the space. */
  readonly dim: number;
  /** Number of real classes; label `classes` means "no label". */
  readonly classes: number;
  /** u_t(x | y) for every row. */
  evaluateLabeled(x: Batch, t: Time, labels: ClassLabels, out?: Batch): Batch;
  /** (du_t(x | y)/dx) v for every row. */
  jvpLabeled?(x: Batch, t: Time, labels: ClassLabels, v: Batch, out?: Batch): Batch;
  /** tr(du_t(x | y)/dx) for every row. */
  divergenceLabeled?(x: Batch, t: Time, labels: ClassLabels, out?: Float64Array): Float64Array;
}

/**
 * Fixes the labels of a conditional field, giving an ordinary {@link VelocityField}
 * x -> u_t(x | y) for solvers and likelihoods (jvp and divergence when the field has them).
 *
 * @param field - the conditional field
 * @param labels - one label or one per row (then every call must have that many rows)
 * @returns the field with labels bound
 * @throws {@link DomainError} for a field without `evaluateLabeled`
 * @example
 * ```ts
 * const net = mlp({ dim: 2, hidden: [8], classes: 3 });
 * withLabels(net, 1).evaluate(fromRows([[0, 0]]), 0.5).shape // => [1, 2]
 * ```
 * @category Velocity fields
 */
export function withLabels(field: LabeledVelocityField, labels: ClassLabels): VelocityField {
  checkLabeled("withLabels", field);
  const result: VelocityField = {
    dim: field.dim,
    evaluate: (x, t, out) => field.evaluateLabeled(x, t, labels, out),
  };
  if (field.jvpLabeled) { const jvp = field.jvpLabeled.bind(field); result.jvp = (x, t, v, out) => jvp(x, t, labels, v, out); }
  if (field.divergenceLabeled) { const div = field.divergenceLabeled.bind(field); result.divergence = (x, t, out) => div(x, t, labels, out); }
  return result;
}

/**
 * Classifier-free guidance (Ho & Salimans 2022) of a conditional field:
 * u = (1 + w) u_t(x | y) - w u_t(x | null), with `null` the label `field.classes`. w = 0 is
 * the conditional field, w = -1 the unconditional one. JVP and divergence are the same
 * combination of the field's.
 *
 * @param field - the conditional field (trained with label dropout to the null label)
 * @param labels - the class to guide towards, one or one per row
 * @param scale - guidance weight w (finite)
 * @returns the guided field
 * @throws {@link DomainError} for a non-finite scale or a field without `evaluateLabeled`; from the guided field's methods,
 *   {@link ShapeError} when the field returns a result of the wrong shape (or none), {@link NonFiniteError} when it returns
 *   non-finite values or the guided velocity overflows in every form
 * @example
 * ```ts
 * const net = mlp({ dim: 2, hidden: [8], classes: 3 });
 * classifierFreeGuidance(net, 2, 1.5).evaluate(fromRows([[0, 0]]), 0.5).shape // => [1, 2]
 * ```
 * @category Velocity fields
 */
export function classifierFreeGuidance(field: LabeledVelocityField, labels: ClassLabels, scale: number): VelocityField {
  const fn = "classifierFreeGuidance";
  checkLabeled(fn, field);
  const w = checkFinite(fn, "scale", scale);
  const nullLabel = field.classes;
  const d = field.dim;
  const rows = (name: string, x: Batch): number => asBatch(`${fn}.${name}`, "x", x, { dim: d }).shape[0] as number;
  const result: VelocityField = {
    dim: d,
    evaluate(x, t, out) {
      const name = `${fn}.evaluate`;
      const n = rows("evaluate", x);
      const res = outputBatch(name, out, n, d);
      const a = modelBatch(name, "field.evaluateLabeled", field.evaluateLabeled(x, t, labels), n, d);
      const b = modelBatch(name, "field.evaluateLabeled", field.evaluateLabeled(x, t, nullLabel), n, d);
      guide(name, w, a.data, b.data, res.data, d);
      return res;
    },
  };
  if (field.jvpLabeled) {
    const jvp = field.jvpLabeled.bind(field);
    result.jvp = (x, t, v, out) => {
      const name = `${fn}.jvp`;
      const n = rows("jvp", x);
      const a = modelBatch(name, "field.jvpLabeled", jvp(x, t, labels, v), n, d);
      const b = modelBatch(name, "field.jvpLabeled", jvp(x, t, nullLabel, v), n, d);
      const res = outputBatch(name, out, n, d);
      guide(name, w, a.data, b.data, res.data, d);
      return res;
    };
  }
  if (field.divergenceLabeled) {
    const div = field.divergenceLabeled.bind(field);
    result.divergence = (x, t, out) => {
      const name = `${fn}.divergence`;
      const n = rows("divergence", x);
      const a = modelValues(name, "field.divergenceLabeled", div(x, t, labels), n);
      const b = modelValues(name, "field.divergenceLabeled", div(x, t, nullLabel), n);
      const res = outputArray(name, out, n);
      guide(name, w, a, b, res, 1);
      return res;
    };
  }
  return result;
}

function checkLabeled(fn: string, field: LabeledVelocityField): void {
  if (field === null || typeof field !== "object" || typeof field.evaluateLabeled !== "function" || !Number.isSafeInteger(field.classes)) {
    throw new DomainError(fn, "field", "be a labeled velocity field (evaluateLabeled, classes)", describeValue(field));
  }
}

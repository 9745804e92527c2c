import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeShape, describeValue } from "../core/format.js";
import type { AsyncVelocityField, VelocityField } from "../core/interfaces.js";
import type { Time } from "../core/time.js";

/**
 * @internal One evaluation of a field that an estimator needs, written into `out`. The
 * estimators (JVP by differences, exact divergence, Hutchinson, Hutch++) and the likelihood's
 * right-hand side are generators of these requests, so one implementation serves a synchronous
 * field ({@link runFieldSync}) and an asynchronous one ({@link runFieldAsync}).
 */
export type FieldRequest =
  | { op: "evaluate"; x: Batch; t: Time; out: Batch }
  | { op: "jvp"; x: Batch; t: Time; v: Batch; out: Batch }
  | { op: "vjp"; x: Batch; t: Time; v: Batch; out: Batch }
  | { op: "divergence"; x: Batch; t: Time; out: Float64Array };

/** @internal Estimator code: yields field evaluations, returns R. */
export type FieldSteps<R> = Generator<FieldRequest, R, void>;

/** @internal Which requests a field answers itself (the others are built from evaluations). */
export interface FieldOps {
  jvp: boolean;
  vjp: boolean;
  divergence: boolean;
}

/** @internal A field of either contract. */
export type AnyVelocityField = VelocityField | AsyncVelocityField;

/** @internal The operations a synchronous field provides. */
export function syncOps(field: VelocityField): FieldOps {
  return { jvp: typeof field.jvp === "function", vjp: typeof field.vjp === "function", divergence: typeof field.divergence === "function" };
}

/** @internal The operations an async driver can ask of a field (async methods, else sync ones). */
export function asyncOps(field: AnyVelocityField): FieldOps {
  const f = field as Partial<VelocityField & AsyncVelocityField>;
  return {
    jvp: typeof f.jvpAsync === "function" || typeof f.jvp === "function",
    vjp: typeof f.vjpAsync === "function" || typeof f.vjp === "function",
    divergence: typeof f.divergenceAsync === "function" || typeof f.divergence === "function",
  };
}

/** @internal Runs estimator code, evaluating each request with the field's synchronous methods. */
export function runFieldSync<R>(fn: string, steps: FieldSteps<R>, field: VelocityField): R {
  let next = steps.next();
  while (next.done !== true) {
    const q = next.value;
    if (q.op === "evaluate") settle(fn, "evaluate", field.evaluate(q.x, q.t, q.out), q.out);
    else if (q.op === "jvp") settle(fn, "jvp", (field.jvp as NonNullable<VelocityField["jvp"]>)(q.x, q.t, q.v, q.out), q.out);
    else if (q.op === "vjp") settle(fn, "vjp", (field.vjp as NonNullable<VelocityField["vjp"]>)(q.x, q.t, q.v, q.out), q.out);
    else settle(fn, "divergence", (field.divergence as NonNullable<VelocityField["divergence"]>)(q.x, q.t, q.out), q.out);
    checkFiniteOutput(fn, q.op, q.out, q.t);
    next = steps.next();
  }
  return next.value;
}

/** @internal Runs estimator code, awaiting each request (async methods first, else sync ones). */
export async function runFieldAsync<R>(fn: string, steps: FieldSteps<R>, field: AnyVelocityField): Promise<R> {
  const f = field as Partial<VelocityField & AsyncVelocityField>;
  let next = steps.next();
  while (next.done !== true) {
    const q = next.value;
    if (q.op === "evaluate") {
      if (f.evaluateAsync !== undefined) settle(fn, "evaluateAsync", await f.evaluateAsync(q.x, q.t, q.out), q.out);
      else settle(fn, "evaluate", (f.evaluate as VelocityField["evaluate"])(q.x, q.t, q.out), q.out);
    } else if (q.op === "jvp") {
      if (f.jvpAsync !== undefined) settle(fn, "jvpAsync", await f.jvpAsync(q.x, q.t, q.v, q.out), q.out);
      else settle(fn, "jvp", (f.jvp as NonNullable<VelocityField["jvp"]>)(q.x, q.t, q.v, q.out), q.out);
    } else if (q.op === "vjp") {
      if (f.vjpAsync !== undefined) settle(fn, "vjpAsync", await f.vjpAsync(q.x, q.t, q.v, q.out), q.out);
      else settle(fn, "vjp", (f.vjp as NonNullable<VelocityField["vjp"]>)(q.x, q.t, q.v, q.out), q.out);
    } else if (f.divergenceAsync !== undefined) settle(fn, "divergenceAsync", await f.divergenceAsync(q.x, q.t, q.out), q.out);
    else settle(fn, "divergence", (f.divergence as NonNullable<VelocityField["divergence"]>)(q.x, q.t, q.out), q.out);
    checkFiniteOutput(fn, q.op, q.out, q.t);
    next = steps.next();
  }
  return next.value;
}

/**
 * @internal Checks that an estimate computed from finite field values is finite: an overflow in
 * the estimator's own arithmetic (probes or Jacobian entries near 1e154 and beyond, a sum of
 * entries near 1e308) becomes a {@link NonFiniteError} naming the function and the row, instead
 * of a silent Infinity or NaN. `width` is the number of values per row.
 */
export function checkFiniteEstimate(fn: string, what: string, data: ArrayLike<number>, width: number, remedy: string): void {
  for (let k = 0; k < data.length; k++) {
    const v = data[k] as number;
    if (!Number.isFinite(v)) {
      throw new NonFiniteError(fn, what, `be finite for finite input (it overflowed: ${remedy})`, `${describeValue(v)} at row ${Math.floor(k / width)}`);
    }
  }
}

/** A field method's result must be finite: a NaN or infinite velocity would pass silently into the estimate. */
function checkFiniteOutput(fn: string, op: string, out: Batch | Float64Array, t: Time): void {
  const data = out instanceof Float64Array ? out : out.data;
  const width = out instanceof Float64Array ? 1 : (out.shape[1] as number);
  for (let k = 0; k < data.length; k++) {
    const v = data[k] as number;
    if (!Number.isFinite(v)) {
      const row = Math.floor(k / width), time = typeof t === "number" ? t : t[row];
      throw new NonFiniteError(fn, `field.${op}(x, t)`, "return finite values", `${describeValue(v)} at row ${row}, t = ${time}`);
    }
  }
}

/**
 * @internal Makes sure `out` holds what a field method returned: a method may write into the
 * `out` it was given (nothing to do) or return another result of the same shape, copied: values
 * (a typed array of length n) for a divergence, else an ndarray of shape [n, d] read through its
 * own strides and offset (a transposed or sliced view is copied element by element, not as flat
 * data).
 */
export function settle(fn: string, method: string, got: unknown, out: Batch | Float64Array): void {
  if (got === out) return;
  if (got !== null && typeof got === "object" && typeof (got as { then?: unknown }).then === "function") {
    const hint = fn.endsWith("Async") ? `give the field ${method}Async for a result that is a Promise` : `use ${fn}Async for a field that returns a Promise`;
    throw new DomainError(fn, `field.${method}`, `return its result synchronously (${hint})`, "a Promise");
  }
  if (out instanceof Float64Array) {
    if (!isNumberArray(got) || got.length !== out.length) {
      throw new ShapeError(fn, `field.${method}`, `return values of shape [${out.length}]`, describeResult(got));
    }
    out.set(got);
    return;
  }
  const shape = (got as Partial<Batch> | null | undefined)?.shape;
  if (!Array.isArray(shape) || shape.length !== 2 || shape[0] !== out.shape[0] || shape[1] !== out.shape[1] || !isNumberArray((got as Batch).data)) {
    throw new ShapeError(fn, `field.${method}`, `return a batch of shape ${describeShape(out.shape)}`, describeResult(got));
  }
  // a contiguous float64 batch is itself; a view (strides, offset, a larger buffer) comes back as a contiguous copy
  out.data.set(asBatch(fn, `field.${method}`, got, { finite: false }).data);
}

/**
 * A typed array of numbers (not a DataView or a BigInt array) or a plain array.
 *
 * @internal
 */
export function isNumberArray(value: unknown): value is ArrayLike<number> {
  if (Array.isArray(value)) return true;
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}

/** A field result for a message: its shape, with the storage when that is what is wrong. */
function describeResult(got: unknown): string {
  const shape = (got as Partial<Batch> | null | undefined)?.shape;
  if (got === null || typeof got !== "object" || !Array.isArray(shape)) return describeValue(got);
  return isNumberArray((got as Batch).data) ? describeShape(shape) : `${describeShape(shape)} over ${describeValue((got as Batch).data)}`;
}

import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { NonFiniteError, ShapeError } from "../core/errors.js";
import { describeShape, describeValue } from "../core/format.js";
import { isNumberArray } from "../divergence/field-steps.js";

/**
 * What a wrapped model or field returned for a batch request, checked before a wrapper reads it:
 * an ndarray of shape [n, d] (any strides and offset: a view is copied to a contiguous batch)
 * with finite values. `argument` names the call, for example `field.evaluateLabeled`.
 *
 * @internal
 */
export function modelBatch(fn: string, argument: string, got: unknown, n: number, d: number): Batch {
  const shape = (got as Partial<Batch> | null | undefined)?.shape;
  if (got === null || typeof got !== "object" || !Array.isArray(shape) || shape.length !== 2 || shape[0] !== n || shape[1] !== d) {
    throw new ShapeError(fn, argument, `return a batch of shape [${n}, ${d}]`, Array.isArray(shape) ? describeShape(shape) : describeValue(got));
  }
  const batch = asBatch(fn, argument, got, { finite: false });
  checkFiniteValues(fn, argument, batch.data, d);
  return batch;
}

/**
 * What a wrapped model or field returned for a per-row request (a divergence): n finite numbers
 * in a typed or plain array.
 *
 * @internal
 */
export function modelValues(fn: string, argument: string, got: unknown, n: number): ArrayLike<number> {
  if (!isNumberArray(got) || (got as ArrayLike<number>).length !== n) {
    throw new ShapeError(fn, argument, `return ${n} values (one per row)`, describeValue(got));
  }
  checkFiniteValues(fn, argument, got as ArrayLike<number>, 1);
  return got as ArrayLike<number>;
}

/** NaN, an infinity or a non-number in a model's result is named by row. */
function checkFiniteValues(fn: string, argument: string, values: ArrayLike<number>, width: number): void {
  for (let k = 0; k < values.length; k++) {
    const v = values[k] as number;
    if (typeof v !== "number" || v - v !== 0) {
      throw new NonFiniteError(fn, argument, "return finite values", `${describeValue(v)} at row ${Math.floor(k / width)}`);
    }
  }
}

/**
 * Guidance out = (1 + w) c - w u, entry by entry. Where that form overflows for finite c
 * and u (a large w or large velocities), the same value as c + w (c - u), then c + (w c - w u); a value
 * that overflows in every form is a NonFiniteError naming the row.
 *
 * @internal
 */
export function guide(fn: string, w: number, c: ArrayLike<number>, u: ArrayLike<number>, out: Float64Array, width: number): void {
  for (let i = 0; i < out.length; i++) {
    const ci = c[i] as number, ui = u[i] as number;
    let value = (1 + w) * ci - w * ui;
    if (value - value !== 0) {
      value = ci + w * (ci - ui);
      if (value - value !== 0) value = ci + (w * ci - w * ui);
      if (value - value !== 0) {
        throw new NonFiniteError(fn, "scale", "give a finite guided velocity (1 + w) c - w u (it overflows float64 here)",
          `${describeValue(value)} at row ${Math.floor(i / width)} (c = ${ci}, u = ${ui}, w = ${w})`);
      }
    }
    out[i] = value;
  }
}

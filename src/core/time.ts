import { ShapeError, DomainError } from "./errors.js";
import { checkInRange, checkFinite, checkInteger } from "./check.js";
import { describeValue } from "./format.js";

/**
 * Time argument: one number for every row, or a Float64Array with one time per row.
 * Per-row times always broadcast along rows, never along columns.
 *
 * @category Batch
 */
export type Time = number | Float64Array;

/**
 * Validates a time argument against `n` rows and an interval, and returns it unchanged.
 *
 * @param fn - calling function, for the message
 * @param argument - argument name, for the message
 * @param t - a number or a Float64Array of length `n`
 * @param n - number of rows
 * @param min - smallest allowed time (default 0)
 * @param max - largest allowed time (default 1)
 * @throws {@link ShapeError} for a per-row array of the wrong length; {@link DomainError} or {@link NonFiniteError} for a value outside the interval
 * @example
 * ```ts
 * checkTime("sample", "t", new Float64Array([0, 0.5]), 2) // => Float64Array [0, 0.5]
 * ```
 * @category Batch
 */
export function checkTime(fn: string, argument: string, t: Time, n: number, min = 0, max = 1): Time {
  if (typeof t === "number") return checkInRange(fn, argument, t, min, max);
  if (!(t instanceof Float64Array)) {
    checkFinite(fn, argument, t);
  }
  if (t.length !== n) throw new ShapeError(fn, argument, `have length n = ${n} (one time per row)`, String(t.length));
  for (let i = 0; i < n; i++) checkInRange(fn, `${argument}[${i}]`, t[i], min, max);
  return t;
}

/**
 * The time of row `i`: `t` itself when it is a number, else `t[i]`.
 *
 * @example
 * ```ts
 * timeAt(new Float64Array([0.1, 0.9]), 1) // => 0.9
 * ```
 * @category Batch
 */
export function timeAt(t: Time, i: number): number {
  if (typeof t === "number") return t;
  if (t instanceof Float64Array && Number.isInteger(i) && i >= 0 && i < t.length) return t[i] as number;
  if (!(t instanceof Float64Array)) throw new DomainError("timeAt", "t", "be a number or a Float64Array", describeValue(t));
  return checkInteger("timeAt", "i", i, 0, t.length - 1);
}

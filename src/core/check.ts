import { DomainError, NonFiniteError } from "./errors.js";
import { describeValue } from "./format.js";

/**
 * Checks that `value` is a finite number and returns it.
 *
 * @throws {@link NonFiniteError} for NaN or ±Infinity; {@link DomainError} for a non-number
 * @example
 * ```ts
 * checkFinite("gaussian", "mean[0]", 1.5) // => 1.5
 * ```
 * @category Checks
 */
export function checkFinite(fn: string, argument: string, value: unknown): number {
  if (typeof value !== "number") throw new DomainError(fn, argument, "be a number", describeValue(value));
  if (!Number.isFinite(value)) throw new NonFiniteError(fn, argument, "be finite", describeValue(value));
  return value;
}

/**
 * Checks that `value` is a finite number strictly greater than zero.
 *
 * @example
 * ```ts
 * checkPositive("gaussian", "std", 0.5) // => 0.5
 * ```
 * @category Checks
 */
export function checkPositive(fn: string, argument: string, value: unknown): number {
  const x = checkFinite(fn, argument, value);
  if (!(x > 0)) throw new DomainError(fn, argument, "be > 0", describeValue(x));
  return x;
}

/**
 * Checks that `value` is a finite number greater than or equal to zero.
 *
 * @example
 * ```ts
 * checkNonNegative("moons", "noise", 0) // => 0
 * ```
 * @category Checks
 */
export function checkNonNegative(fn: string, argument: string, value: unknown): number {
  const x = checkFinite(fn, argument, value);
  if (!(x >= 0)) throw new DomainError(fn, argument, "be >= 0", describeValue(x));
  return x;
}

/**
 * Checks that `value` is an integer in `[min, max]` (safe integers only).
 *
 * @example
 * ```ts
 * checkInteger("sample", "n", 128, 0) // => 128
 * ```
 * @category Checks
 */
export function checkInteger(fn: string, argument: string, value: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new DomainError(fn, argument, "be an integer", describeValue(value));
  }
  if (value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new DomainError(fn, argument, `be an integer ${range}`, describeValue(value));
  }
  return value;
}

/**
 * Checks that `value` is a finite number in the closed interval `[min, max]`.
 *
 * @example
 * ```ts
 * checkInRange("at", "t", 0.25, 0, 1) // => 0.25
 * ```
 * @category Checks
 */
export function checkInRange(fn: string, argument: string, value: unknown, min: number, max: number): number {
  const x = checkFinite(fn, argument, value);
  if (!(x >= min && x <= max)) throw new DomainError(fn, argument, `be in [${min}, ${max}]`, describeValue(x));
  return x;
}

/**
 * Checks that every entry of `values` is finite; names the first offending index.
 *
 * @example
 * ```ts
 * checkFiniteArray("empirical", "data", new Float64Array([1, 2])) // => Float64Array [1, 2]
 * ```
 * @category Checks
 */
export function checkFiniteArray<T extends ArrayLike<number>>(fn: string, argument: string, values: T): T {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) throw new NonFiniteError(fn, argument, "contain only finite numbers", `${describeValue(v)} at index ${i}`);
  }
  return values;
}

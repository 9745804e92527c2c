import { describeValue } from "./format.js";

/**
 * Stable machine-readable codes carried by every error this library throws.
 *
 * @category Errors
 */
export type FlowMatchingErrorCode =
  | "SHAPE_MISMATCH"
  | "INVALID_ARGUMENT"
  | "NON_FINITE"
  | "NOT_CONVERGED"
  | "PROPERTY_VIOLATED";

/**
 * Base class of every error thrown by `flow-matching`. The message follows one formula:
 * `fn(): argument must <expected>, got <value>`; `code` is stable across releases.
 *
 * @example
 * ```ts
 * try { normal(Number.NaN) } catch (e) { e instanceof FlowMatchingError } // => true
 * ```
 * @category Errors
 */
export class FlowMatchingError extends Error {
  /** Stable code of the error family. */
  readonly code: FlowMatchingErrorCode;
  /** Name of the public function that rejected its input. */
  readonly fn: string;
  /** Name of the offending argument (a dotted path for option fields). */
  readonly argument: string;

  /**
   * @param code - stable error code
   * @param fn - function name, without parentheses
   * @param argument - argument name
   * @param expected - what was expected, phrased to follow "must"
   * @param got - what was received, already formatted
   */
  constructor(code: FlowMatchingErrorCode, fn: string, argument: string, expected: string, got: string) {
    const text = (value: unknown): string => (typeof value === "string" ? value : describeValue(value));
    super(`${text(fn)}(): ${text(argument)} must ${text(expected)}, got ${text(got)}`);
    this.name = new.target.name;
    this.code = code;
    this.fn = text(fn);
    this.argument = text(argument);
  }
}

/**
 * An argument had the wrong shape (rank, rows or columns).
 *
 * @example
 * ```ts
 * new ShapeError("sample", "x0", "have shape [n, 2]", "[128, 3]").message
 * // => "sample(): x0 must have shape [n, 2], got [128, 3]"
 * ```
 * @category Errors
 */
export class ShapeError extends FlowMatchingError {
  constructor(fn: string, argument: string, expected: string, got: string) {
    super("SHAPE_MISMATCH", fn, argument, expected, got);
  }
}

/**
 * An argument was outside the domain of the function (negative std, non-integer count,
 * time outside [0, 1], a conversion at a singular end of a path, ...).
 *
 * @example
 * ```ts
 * new DomainError("gaussian", "std[1]", "be > 0", "-1").code // => "INVALID_ARGUMENT"
 * ```
 * @category Errors
 */
export class DomainError extends FlowMatchingError {
  constructor(fn: string, argument: string, expected: string, got: string) {
    super("INVALID_ARGUMENT", fn, argument, expected, got);
  }
}

/**
 * A value that had to be finite was NaN or infinite (an input, or a value computed from
 * finite inputs such as a velocity returned by a user's field).
 *
 * @example
 * ```ts
 * new NonFiniteError("gaussian", "mean[0]", "be finite", "NaN").code // => "NON_FINITE"
 * ```
 * @category Errors
 */
export class NonFiniteError extends FlowMatchingError {
  constructor(fn: string, argument: string, expected: string, got: string) {
    super("NON_FINITE", fn, argument, expected, got);
  }
}

/**
 * An iterative method stopped before meeting its tolerance. `partial` carries whatever
 * state the method had reached (for example the solver's time and state), so the caller
 * can inspect or resume.
 *
 * @example
 * ```ts
 * const e = new ConvergenceError("integrate", "maxSteps", "suffice to reach t1 = 1", "t = 0.42 after 100 steps", { t: 0.42 });
 * e.partial // => { t: 0.42 }
 * ```
 * @category Errors
 */
export class ConvergenceError<P = unknown> extends FlowMatchingError {
  /** The state reached when the method gave up. */
  readonly partial: P | undefined;
  constructor(fn: string, argument: string, expected: string, got: string, partial?: P) {
    super("NOT_CONVERGED", fn, argument, expected, got);
    this.partial = partial;
  }
}

import { DomainError, NonFiniteError, ShapeError } from "./errors.js";
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
  if (typeof min !== "number" || typeof max !== "number" || Number.isNaN(min) || Number.isNaN(max)) {
    throw new DomainError("checkInteger", "min, max", "be numbers", `${describeValue(min)}, ${describeValue(max)}`);
  }
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new DomainError(fn, argument, "be an integer", describeValue(value));
  }
  if (value < min || value > max) {
    // a library limit (MAX_ELEMENTS and above) is named only when it is the bound exceeded
    const limit = max >= 2 ** 20;
    const range = limit ? (value < min ? `>= ${min}` : `<= ${max}`) : `in [${min}, ${max}]`;
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
  if (typeof min !== "number" || typeof max !== "number" || Number.isNaN(min) || Number.isNaN(max)) {
    throw new DomainError("checkInRange", "min, max", "be numbers", `${describeValue(min)}, ${describeValue(max)}`);
  }
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
  if (values === null || typeof values !== "object" || typeof (values as { length?: unknown }).length !== "number") {
    throw new DomainError(fn, argument, "be an array of numbers", describeValue(values));
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) throw new NonFiniteError(fn, argument, "contain only finite numbers", `${describeValue(v)} at index ${i}`);
  }
  return values;
}

/**
 * Largest number of elements a batch or buffer built by the library may have (2^28, 2 GiB of
 * float64): a count beyond it is rejected before any allocation or loop, so a huge count fails
 * at once instead of exhausting memory or running for minutes.
 *
 * @category Checks
 */
export const MAX_ELEMENTS = 2 ** 28;

/**
 * Largest dimension (columns of a batch, states of a discrete model, dimension of a manifold)
 * accepted where a dimension alone sizes an allocation: 2^20.
 *
 * @category Checks
 */
export const MAX_DIM = 2 ** 20;

/**
 * Largest number of steps of a fixed-step sampler (Riemannian, CTMC): 10^7, about a minute of
 * stepping for a small batch; more is a mistake, not a schedule.
 *
 * @category Checks
 */
export const MAX_STEPS = 10_000_000;

/**
 * Checks a count option (rows, runs, repeats, steps, iterations): an integer in `[min, max]`,
 * `max` defaulting to {@link MAX_ELEMENTS}, so 1.5, Infinity, NaN and 2^53 are rejected.
 *
 * @example
 * ```ts
 * checkCount("checkDerivatives", "options.numRuns", 100, 1) // => 100
 * ```
 * @category Checks
 */
export function checkCount(fn: string, argument: string, value: unknown, min = 0, max = MAX_ELEMENTS): number {
  return checkInteger(fn, argument, value, min, max);
}

/**
 * Checks that an `n` by `d` buffer stays within {@link MAX_ELEMENTS} elements.
 *
 * @example
 * ```ts
 * checkElements("zeros", "n * d", 4, 2) // => 8
 * ```
 * @category Checks
 */
export function checkElements(fn: string, argument: string, n: number, d: number): number {
  const total = n * d;
  if (!(total <= MAX_ELEMENTS)) throw new DomainError(fn, argument, `be at most ${MAX_ELEMENTS} elements`, `${n} * ${d} = ${total}`);
  return total;
}

/**
 * Checks an options argument: `undefined` gives `{}` (unless `required`); anything but a plain
 * object (null, a number, a string, an array, a function) is rejected.
 *
 * @example
 * ```ts
 * checkOptions("sample", "options", undefined) // => {}
 * ```
 * @category Checks
 */
export function checkOptions<T extends object>(fn: string, argument: string, value: T | undefined | null, required = false): T {
  if (value === undefined && !required) return {} as T;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new DomainError(fn, argument, "be an options object", describeValue(value));
  }
  return value;
}

/**
 * Checks an optional boolean option: `fallback` when undefined, else it must be true or false.
 *
 * @example
 * ```ts
 * checkBoolean("emd", "options.normalizeCost", undefined, false) // => false
 * ```
 * @category Checks
 */
export function checkBoolean(fn: string, argument: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value !== true && value !== false) throw new DomainError(fn, argument, "be true or false", describeValue(value));
  return value;
}

/**
 * Checks that `value` is a function (a hook, a callback, a user's field function).
 *
 * @example
 * ```ts
 * typeof checkFunction("train", "options.onStep", () => undefined) // => "function"
 * ```
 * @category Checks
 */
export function checkFunction<T extends (...args: never[]) => unknown>(fn: string, argument: string, value: unknown): T {
  if (typeof value !== "function") throw new DomainError(fn, argument, "be a function", describeValue(value));
  return value as T;
}

/**
 * Checks that `value` is an object with each of `methods` a function (duck typing, so objects
 * from another copy of the library or a user's own implementation are accepted).
 *
 * @param kind - what the object is, for the message (for example `"a Scheduler"`)
 * @example
 * ```ts
 * checkMethods("affinePath", "scheduler", condOT(), ["at"], "a Scheduler").name // => "condOT"
 * ```
 * @category Checks
 */
export function checkMethods<T>(fn: string, argument: string, value: unknown, methods: readonly string[], kind: string): T {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) {
    throw new DomainError(fn, argument, `be ${kind}`, describeValue(value));
  }
  for (const method of methods) {
    if (typeof (value as Record<string, unknown>)[method] !== "function") {
      throw new DomainError(fn, argument, `be ${kind} (with a method ${method})`, describeValue(value));
    }
  }
  return value as T;
}

/** The methods the library calls on a random generator. */
const RANDOM_METHODS = ["uniform", "normal", "int", "fillUniform", "fillNormal", "fillRademacher", "categorical"] as const;

/**
 * Checks that `value` is a seeded generator (a `Random`, or an object with its methods).
 *
 * @example
 * ```ts
 * checkRandom("sample", "rng", new Random(1)) instanceof Random // => true
 * ```
 * @category Checks
 */
export function checkRandom<T>(fn: string, argument: string, value: unknown): T {
  return checkMethods<T>(fn, argument, value, RANDOM_METHODS, "a Random");
}

/**
 * Checks that `value` is a scheduler: an object with `at(t)`.
 *
 * @example
 * ```ts
 * checkSchedulerKind("affinePath", "scheduler", condOT()).name // => "condOT"
 * ```
 * @category Checks
 */
export function checkSchedulerKind<T>(fn: string, argument: string, value: unknown): T {
  return checkMethods<T>(fn, argument, value, ["at"], "a Scheduler");
}

/**
 * Checks that an ndarray-like view (`data`, `shape`, `stride`, `offset`) only addresses
 * elements inside its buffer: every index `offset + sum_k i_k stride_k` with `0 <= i_k < shape_k`
 * lies in `[0, data.length)`. Rejects before any allocation or loop, so a shape that claims a
 * billion rows over two numbers fails at once.
 *
 * @example
 * ```ts
 * checkView("toRows", "x", ndarray(new Float64Array(4), [2, 2])) // => passes
 * ```
 * @category Checks
 */
export function checkView(fn: string, argument: string, value: { data?: unknown; shape?: unknown; stride?: unknown; offset?: unknown }): void {
  const { data, shape, stride, offset } = value;
  const length = (data as { length?: unknown } | null | undefined)?.length;
  if (data === null || typeof data !== "object" || typeof length !== "number" || !Number.isSafeInteger(length) || length < 0) {
    throw new ShapeError(fn, `${argument}.data`, "be an array of numbers", describeValue(data));
  }
  if (!Array.isArray(shape) || !Array.isArray(stride) || stride.length !== shape.length) {
    throw new ShapeError(fn, argument, "be an ndarray with one stride per dimension", describeValue(value));
  }
  let lo = typeof offset === "number" ? offset : Number.NaN;
  let hi = lo;
  let empty = false;
  for (let k = 0; k < shape.length; k++) {
    const size = shape[k] as unknown, step = stride[k] as unknown;
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
      throw new ShapeError(fn, `${argument}.shape[${k}]`, "be an integer >= 0", describeValue(size));
    }
    if (typeof step !== "number" || !Number.isSafeInteger(step)) {
      throw new ShapeError(fn, `${argument}.stride[${k}]`, "be an integer", describeValue(step));
    }
    if (size === 0) empty = true;
    else if (step > 0) hi += (size - 1) * step;
    else lo += (size - 1) * step;
  }
  if (!Number.isSafeInteger(lo) && !empty) {
    throw new ShapeError(fn, `${argument}.offset`, "be an integer", describeValue(offset));
  }
  if (!empty && (lo < 0 || hi >= length)) {
    throw new ShapeError(fn, argument, `address only its buffer of ${length} numbers`, `shape ${describeValue(shape)}, stride ${describeValue(stride)}, offset ${describeValue(offset)}`);
  }
}

/**
 * Checks that values computed from finite inputs are finite: an overflow (for example squared
 * distances of 1e200 coordinates) becomes a {@link NonFiniteError} naming the function
 * instead of a silent Infinity or NaN.
 *
 * @example
 * ```ts
 * checkFiniteResult("pairwiseCost", "cost", new Float64Array([1, 2])) // => Float64Array [1, 2]
 * ```
 * @category Checks
 */
export function checkFiniteResult<T extends ArrayLike<number>>(fn: string, what: string, values: T): T {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      throw new NonFiniteError(fn, what, "be finite for finite input (overflow; rescale the input)", `${describeValue(v)} at index ${i}`);
    }
  }
  return values;
}

/**
 * Checks the arguments of a draw of `n` samples of dimension `d` with a generator: `n` an
 * integer with `n * d` within {@link MAX_ELEMENTS}, `rng` a Random.
 *
 * @example
 * ```ts
 * checkDraw("moons.sample", 4, 2, new Random(1)) // => 4
 * ```
 * @category Checks
 */
export function checkDraw(fn: string, n: unknown, d: number, rng: unknown): number {
  const count = checkInteger(fn, "n", n);
  checkElements(fn, "n", count, Math.max(d, 1));
  checkRandom(fn, "rng", rng);
  return count;
}

/**
 * Checks that `value` is a velocity field: an object with an integer `dim >= 1` and a method
 * `evaluate`.
 *
 * @example
 * ```ts
 * checkVelocityField("hutchinson", "field", mlp({ dim: 2, hidden: [4] })).dim // => 2
 * ```
 * @category Checks
 */
export function checkVelocityField<T extends { dim: number }>(fn: string, argument: string, value: unknown): T {
  const field = checkMethods<T>(fn, argument, value, ["evaluate"], "a VelocityField { dim, evaluate(x, t, out?) }");
  checkInteger(fn, `${argument}.dim`, field.dim, 1, MAX_ELEMENTS);
  return field;
}

/**
 * Returns `out` checked to be a Float64Array of length `n`, or a new one: the optional output
 * argument of functions that return one number per row.
 *
 * @example
 * ```ts
 * outputArray("dist", undefined, 3).length // => 3
 * ```
 * @category Checks
 */
export function outputArray(fn: string, out: unknown, n: number, argument = "out"): Float64Array {
  if (out === undefined) return new Float64Array(checkInteger(fn, "n", n, 0, MAX_ELEMENTS));
  if (!(out instanceof Float64Array) || out.length !== n) throw new ShapeError(fn, argument, `have length ${n} (a Float64Array)`, describeValue(out));
  return out;
}

import ndarray from "ndarray";
import type { NdArray } from "ndarray";
import { ShapeError, DomainError } from "../core/errors.js";
import { describeShape, describeValue } from "../core/format.js";
import { checkElements, checkInteger, checkOptions } from "../core/check.js";

/**
 * A batch of token sequences: an `NdArray<Int32Array>` of shape `[n, positions]`, row-major
 * and contiguous; entry (i, l) is the state of position l of sample i, an integer in
 * [0, states). With a mask source the mask is the extra state `vocabulary` (see {@link maskSource}).
 *
 * @category Discrete
 */
export type Tokens = NdArray<Int32Array>;

/**
 * Builds tokens from equal-length rows of integers (copies).
 *
 * @param rows - `n` rows of `positions` integers
 * @returns tokens of shape [n, positions]
 * @throws {@link ShapeError} when rows differ in length or a row's length is not an integer >= 0; {@link DomainError} for a non-integer or negative entry
 * @example
 * ```ts
 * tokensFromRows([[0, 2], [1, 1]]).data // => Int32Array [0, 2, 1, 1]
 * ```
 * @category Discrete
 */
export function tokensFromRows(rows: readonly ArrayLike<number>[]): Tokens {
  if (!Array.isArray(rows)) throw new ShapeError("tokensFromRows", "rows", "be an array of rows", describeValue(rows));
  const n = rows.length;
  for (let i = 0; i < n; i++) {
    const r = rows[i] as unknown;
    if (r === null || typeof r !== "object" || typeof (r as ArrayLike<number>).length !== "number") throw new ShapeError("tokensFromRows", `rows[${i}]`, "be an array of tokens", describeValue(r));
    const length = (r as ArrayLike<number>).length;
    // an array-like { length: -1 } or { length: 1.5 } would reach new Int32Array as a RangeError
    if (!Number.isSafeInteger(length) || length < 0) throw new ShapeError("tokensFromRows", `rows[${i}].length`, "be an integer >= 0", describeValue(length));
  }
  const positions = n > 0 ? (rows[0] as ArrayLike<number>).length : 0;
  checkElements("tokensFromRows", "rows", n, positions);
  const data = new Int32Array(n * positions);
  for (let i = 0; i < n; i++) {
    const r = rows[i] as ArrayLike<number>;
    if (r.length !== positions) throw new ShapeError("tokensFromRows", `rows[${i}]`, `have length ${positions} like rows[0]`, String(r.length));
    for (let l = 0; l < positions; l++) {
      const v = r[l] as number;
      if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) {
        throw new DomainError("tokensFromRows", `rows[${i}][${l}]`, "be a non-negative integer", describeValue(v));
      }
      data[i * positions + l] = v;
    }
  }
  return ndarray(data, [n, positions]);
}

/** Options of {@link asTokens}. @category Discrete */
export interface AsTokensOptions {
  /** Required number of rows. */
  rows?: number;
  /** Required number of positions (columns). */
  positions?: number;
  /** Number of states: every entry must lie in [0, states). */
  states?: number;
}

/**
 * Validates a tokens argument: an `NdArray<Int32Array>` of shape [n, positions], contiguous,
 * with entries in [0, states) when `states` is given. Returns it unchanged.
 *
 * @param fn - calling function, for the message
 * @param argument - argument name, for the message
 * @param x - the value to check
 * @param options - required rows, positions and number of states
 * @returns `x`
 * @throws {@link ShapeError} for a wrong type, rank or shape (sizes that are not integers >= 0 included); {@link DomainError} for an entry outside [0, states)
 * @example
 * ```ts
 * asTokens("sample", "x0", tokensFromRows([[0, 1]]), { states: 2 }).shape // => [1, 2]
 * ```
 * @category Discrete
 */
export function asTokens(fn: string, argument: string, x: unknown, options: AsTokensOptions = {}): Tokens {
  options = checkOptions("asTokens", "options", options);
  const nd = x as Partial<Tokens> | null | undefined;
  if (nd === null || typeof nd !== "object" || !Array.isArray(nd.shape) || !(nd.data instanceof Int32Array)) {
    throw new ShapeError(fn, argument, "be an ndarray of Int32Array tokens of shape [n, positions]", describeValue(x));
  }
  if (nd.shape.length !== 2) throw new ShapeError(fn, argument, "have shape [n, positions]", describeShape(nd.shape));
  const [n, positions] = nd.shape as [number, number];
  for (const [k, size] of [n, positions].entries()) {
    // a shape [-1, -2] or [1.5, 2] can match data.length yet is no batch of tokens
    if (!Number.isSafeInteger(size) || size < 0) throw new ShapeError(fn, `${argument}.shape[${k}]`, "be an integer >= 0", describeValue(size));
  }
  const stride = nd.stride as unknown;
  if (!Array.isArray(stride) || stride.length !== 2) throw new ShapeError(fn, `${argument}.stride`, "be an array of 2 strides", describeValue(stride));
  if (nd.offset !== 0 || nd.data.length !== n * positions || (n > 1 && stride[0] !== positions) || (positions > 1 && stride[1] !== 1)) {
    throw new ShapeError(fn, argument, "be contiguous and row-major", `strides ${describeShape(stride)}`);
  }
  if (options.rows !== undefined && n !== options.rows) throw new ShapeError(fn, argument, `have shape [${options.rows}, ${positions}]`, describeShape(nd.shape));
  if (options.positions !== undefined && positions !== options.positions) {
    throw new ShapeError(fn, argument, `have shape [n, ${options.positions}]`, describeShape(nd.shape));
  }
  const data = nd.data;
  const states = options.states === undefined ? 2 ** 31 : checkInteger(fn, "options.states", options.states, 1, 2 ** 31);
  for (let k = 0; k < data.length; k++) {
    const v = data[k] as number;
    if (v < 0 || v >= states) throw new DomainError(fn, argument, `contain states in [0, ${states - 1}]`, `${v} at index ${k}`);
  }
  return nd as Tokens;
}

import ndarray from "ndarray";
import type { NdArray } from "ndarray";
import { ShapeError, DomainError } from "./errors.js";
import { MAX_ELEMENTS, checkElements, checkFiniteArray, checkInteger, checkView, checkOptions } from "./check.js";
import { describeShape, describeValue } from "./format.js";

/**
 * A batch of `n` points in `d` dimensions: an `NdArray<Float64Array>` of shape `[n, d]`,
 * row-major and contiguous, so row `i` is `data[i*d .. (i+1)*d)`.
 *
 * @category Batch
 */
export type Batch = NdArray<Float64Array>;

/** Flat numeric storage accepted where a batch is built from data. @category Batch */
export type NumericArray = Float64Array | Float32Array | readonly number[];

/**
 * Builds a batch from flat row-major data and a shape. Float64Array data is wrapped
 * without copying; Float32Array and plain arrays are converted to float64.
 *
 * @param data - `n * d` numbers, row-major
 * @param shape - `[n, d]`
 * @throws {@link ShapeError} when `data.length !== n * d`
 * @example
 * ```ts
 * const x = fromData([1, 2, 3, 4, 5, 6], [3, 2]);
 * x.get(2, 1) // => 6
 * ```
 * @category Batch
 */
export function fromData(data: NumericArray, shape: readonly [number, number]): Batch {
  if (!Array.isArray(shape)) throw new ShapeError("fromData", "shape", "be [n, d]", describeValue(shape));
  const n = checkInteger("fromData", "shape[0]", shape[0]);
  const d = checkInteger("fromData", "shape[1]", shape[1]);
  checkElements("fromData", "shape", n, d);
  if (data === null || typeof data !== "object" || typeof (data as { length?: unknown }).length !== "number") {
    throw new ShapeError("fromData", "data", "be an array of numbers", describeValue(data));
  }
  if (data.length !== n * d) {
    throw new ShapeError("fromData", "data", `have length n * d = ${n * d} for shape ${describeShape(shape)}`, String(data.length));
  }
  if (Array.isArray(data)) {
    for (let i = 0; i < data.length; i++) {
      if (typeof data[i] !== "number") throw new DomainError("fromData", `data[${i}]`, "be a number", describeValue(data[i]));
    }
  }
  const flat = data instanceof Float64Array ? data : Float64Array.from(data);
  return ndarray(flat, [n, d]);
}

/**
 * Builds a batch from an array of equal-length rows (copies).
 *
 * @param rows - `n` rows of `d` numbers each; `d` is taken from the first row, or `dim` when empty
 * @param dim - the dimension to use when `rows` is empty (default 0)
 * @throws {@link ShapeError} when rows differ in length
 * @example
 * ```ts
 * fromRows([[1, 2], [3, 4]]).shape // => [2, 2]
 * ```
 * @category Batch
 */
export function fromRows(rows: readonly ArrayLike<number>[], dim?: number): Batch {
  if (!Array.isArray(rows)) throw new ShapeError("fromRows", "rows", "be an array of rows", describeValue(rows));
  const n = checkInteger("fromRows", "rows.length", rows.length, 0, MAX_ELEMENTS);
  const isRow = (r: unknown): r is ArrayLike<number> => r !== null && typeof r === "object" && typeof (r as { length?: unknown }).length === "number";
  if (n > 0 && !isRow(rows[0])) throw new ShapeError("fromRows", "rows[0]", "be an array of numbers", describeValue(rows[0]));
  const d = n > 0 ? checkInteger("fromRows", "rows[0].length", (rows[0] as ArrayLike<number>).length) : checkInteger("fromRows", "dim", dim ?? 0);
  checkElements("fromRows", "rows", n, d);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const r = rows[i] as ArrayLike<number>;
    if (!isRow(r)) throw new ShapeError("fromRows", `rows[${i}]`, "be an array of numbers", describeValue(r));
    for (let j = 0; j < d && r.length === d; j++) {
      const v = r[j];
      if (typeof v !== "number") throw new DomainError("fromRows", `rows[${i}][${j}]`, "be a number", describeValue(v));
    }
    if (r.length !== d) throw new ShapeError("fromRows", `rows[${i}]`, `have length ${d} like rows[0]`, String(r.length));
    for (let j = 0; j < d; j++) data[i * d + j] = r[j] as number;
  }
  return ndarray(data, [n, d]);
}

/**
 * A batch of zeros of shape `[n, d]`.
 *
 * @example
 * ```ts
 * zeros(2, 3).data // => Float64Array [0, 0, 0, 0, 0, 0]
 * ```
 * @category Batch
 */
export function zeros(n: number, d: number): Batch {
  checkInteger("zeros", "n", n);
  checkInteger("zeros", "d", d);
  checkElements("zeros", "n * d", n, d);
  return ndarray(new Float64Array(n * d), [n, d]);
}

/**
 * Converts a batch to nested plain arrays.
 *
 * @example
 * ```ts
 * toRows(fromData([1, 2, 3, 4], [2, 2])) // => [[1, 2], [3, 4]]
 * ```
 * @category Batch
 */
export function toRows(x: Batch): number[][] {
  const b = asBatch("toRows", "x", x);
  const [n, d] = b.shape as [number, number];
  const out: number[][] = [];
  for (let i = 0; i < n; i++) out.push(Array.from(b.data.subarray(i * d, (i + 1) * d)));
  return out;
}

/**
 * Row `i` of a batch as a Float64Array view (no copy; writing to it writes the batch).
 *
 * @example
 * ```ts
 * row(fromData([1, 2, 3, 4], [2, 2]), 1) // => Float64Array [3, 4]
 * ```
 * @category Batch
 */
export function row(x: Batch, i: number): Float64Array {
  const b = asBatch("row", "x", x);
  const [n, d] = b.shape as [number, number];
  checkInteger("row", "i", i, 0, n - 1);
  return b.data.subarray(i * d, (i + 1) * d);
}

/**
 * A contiguous float64 copy of a batch.
 *
 * @example
 * ```ts
 * const x = fromRows([[1, 2]]); const y = copyBatch(x); y.data[0] = 9; x.data[0] // => 1
 * ```
 * @category Batch
 */
export function copyBatch(x: Batch): Batch {
  const b = asBatch("copyBatch", "x", x);
  return ndarray(Float64Array.from(b.data), [b.shape[0] as number, b.shape[1] as number]);
}

/**
 * Rows of `x` picked by `indices` (with repeats allowed), as a new batch.
 *
 * @example
 * ```ts
 * toRows(gatherRows(fromRows([[1], [2], [3]]), [2, 0, 2])) // => [[3], [1], [3]]
 * ```
 * @category Batch
 */
export function gatherRows(x: Batch, indices: ArrayLike<number>): Batch {
  const b = asBatch("gatherRows", "x", x);
  const [n, d] = b.shape as [number, number];
  if (indices === null || typeof indices !== "object" || typeof indices.length !== "number") {
    throw new DomainError("gatherRows", "indices", "be an array of row indices", describeValue(indices));
  }
  checkElements("gatherRows", "indices", indices.length, d);
  const out = new Float64Array(indices.length * d);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new DomainError("gatherRows", `indices[${k}]`, `be an integer in [0, ${n - 1}]`, describeValue(i));
    }
    // short rows element by element: a subarray view per row costs more than the copy
    if (d <= 16) for (let c = 0; c < d; c++) out[k * d + c] = b.data[i * d + c] as number;
    else out.set(b.data.subarray(i * d, (i + 1) * d), k * d);
  }
  return ndarray(out, [indices.length, d]);
}

/** Options of {@link asBatch}. @category Batch */
export interface AsBatchOptions {
  /** Required number of columns. */
  dim?: number;
  /** Required number of rows. */
  rows?: number;
  /** Reject NaN and infinite entries (default true). */
  finite?: boolean;
}

/**
 * Validates a batch argument and returns it as a contiguous row-major
 * `NdArray<Float64Array>` of shape `[n, d]`. A valid float64 batch is returned as is; a
 * float32, plain-array-backed or strided (transposed, sliced) ndarray is copied into a new
 * contiguous float64 batch, so callers may always read `.data` with stride `d`.
 *
 * @param fn - name of the calling function, for the error message
 * @param argument - name of the argument, for the error message
 * @param x - the value to check
 * @throws {@link ShapeError} for wrong rank or a mismatched `dim`/`rows`; {@link NonFiniteError} for NaN/Infinity when `finite` is on
 * @example
 * ```ts
 * asBatch("sample", "x0", zeros(4, 2), { dim: 2 }).shape // => [4, 2]
 * ```
 * @category Batch
 */
export function asBatch(fn: string, argument: string, x: unknown, options: AsBatchOptions = {}): Batch {
  options = checkOptions(fn, "options", options);
  const nd = x as Partial<NdArray> | null | undefined;
  if (nd === null || typeof nd !== "object" || !Array.isArray(nd.shape) || nd.data === undefined) {
    throw new ShapeError(fn, argument, "be an ndarray of shape [n, d]", describeValue(x));
  }
  if (nd.shape.length !== 2) {
    throw new ShapeError(fn, argument, "have shape [n, d]", describeShape(nd.shape));
  }
  checkView(fn, argument, nd as Parameters<typeof checkView>[2]);
  const [n, d] = nd.shape as [number, number];
  if (options.dim !== undefined && d !== options.dim) {
    throw new ShapeError(fn, argument, `have shape [n, ${options.dim}]`, describeShape(nd.shape));
  }
  if (options.rows !== undefined && n !== options.rows) {
    throw new ShapeError(fn, argument, `have shape [${options.rows}, ${d}]`, describeShape(nd.shape));
  }
  let out: Batch;
  const stride = nd.stride as number[];
  const isContiguous = nd.data instanceof Float64Array && nd.offset === 0 && nd.data.length === n * d &&
    (n <= 1 || stride[0] === d) && (d <= 1 || stride[1] === 1);
  if (isContiguous) {
    out = nd as Batch;
  } else {
    // checkView bounded every address, so read through the strides (a plain object with data,
    // shape, stride and offset works as well as an ndarray)
    const data = new Float64Array(n * d);
    const src = nd.data as ArrayLike<number>, offset = nd.offset as number;
    const s0 = (nd.stride as number[])[0] as number, s1 = (nd.stride as number[])[1] as number;
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = src[offset + i * s0 + j * s1] as number;
    out = ndarray(data, [n, d]);
  }
  if (options.finite !== false) checkFiniteArray(fn, argument, out.data);
  return out;
}

/**
 * Returns `out` checked to have shape `[n, d]`, or a new zero batch of that shape.
 * Used by functions that accept an optional output argument.
 *
 * @example
 * ```ts
 * outputBatch("evaluate", undefined, 2, 3).shape // => [2, 3]
 * ```
 * @category Batch
 */
export function outputBatch(fn: string, out: Batch | undefined, n: number, d: number): Batch {
  checkInteger(fn, "n", n);
  checkInteger(fn, "d", d);
  checkElements(fn, "n * d", n, d);
  if (out === undefined) return ndarray(new Float64Array(n * d), [n, d]);
  const b = asBatch(fn, "out", out, { dim: d, rows: n, finite: false });
  if (b !== out) throw new ShapeError(fn, "out", "be a contiguous Float64Array batch", describeValue(out));
  return b;
}

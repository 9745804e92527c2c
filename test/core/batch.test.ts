import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import ndarray from "ndarray";
import { NonFiniteError, ShapeError, asBatch, copyBatch, fromData, fromRows, gatherRows, outputBatch, row, toRows, zeros, DomainError } from "../../src/index.js";

const rowsArb = fc.integer({ min: 1, max: 5 }).chain((d) =>
  fc.array(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: d, maxLength: d }), { maxLength: 8 }));

describe("Batch", () => {
  test.prop([rowsArb], { seed: 2 })("fromRows and toRows are inverse", (rows) => {
    const x = fromRows(rows, rows[0]?.length ?? 1);
    expect(x.shape[0]).toBe(rows.length);
    expect(toRows(x)).toEqual(rows);
  });

  it("fromData wraps float64 data, converts float32 and checks the length", () => {
    const f64 = new Float64Array([1, 2, 3, 4, 5, 6]);
    const x = fromData(f64, [3, 2]);
    expect(x.data).toBe(f64);
    expect(x.get(2, 1)).toBe(6);
    const y = fromData(new Float32Array([0.5, 1.5]), [1, 2]);
    expect(y.data).toBeInstanceOf(Float64Array);
    expect(Array.from(y.data)).toEqual([0.5, 1.5]);
    expect(() => fromData([1, 2, 3], [2, 2])).toThrow(ShapeError);
    expect(() => fromData([1, 2, 3], [2, 2])).toThrow(/fromData\(\): data must have length n \* d = 4/);
  });

  it("fromRows rejects ragged rows and keeps the dimension of an empty batch", () => {
    expect(() => fromRows([[1, 2], [3]])).toThrow(/rows\[1\] must have length 2/);
    expect(fromRows([], 3).shape).toEqual([0, 3]);
  });

  it("zeros, row views, copies and gathers behave as documented", () => {
    const z = zeros(2, 3);
    expect(Array.from(z.data)).toEqual([0, 0, 0, 0, 0, 0]);
    const x = fromRows([[1, 2], [3, 4], [5, 6]]);
    const r = row(x, 1);
    expect(Array.from(r)).toEqual([3, 4]);
    r[0] = 30;
    expect(x.get(1, 0)).toBe(30);
    const c = copyBatch(x);
    c.data[0] = 99;
    expect(x.get(0, 0)).toBe(1);
    expect(toRows(gatherRows(x, [2, 0, 2]))).toEqual([[5, 6], [1, 2], [5, 6]]);
    expect(() => gatherRows(x, [3])).toThrow(DomainError);
    expect(() => row(x, 3)).toThrow(DomainError);
  });

  it("asBatch returns a valid batch as is and copies strided or float32 views into contiguous float64", () => {
    const x = fromRows([[1, 2, 3], [4, 5, 6]]);
    expect(asBatch("f", "x", x)).toBe(x);
    const t = x.transpose(1, 0); // shape [3, 2], strided
    const b = asBatch("f", "x", t);
    expect(b.shape).toEqual([3, 2]);
    expect(toRows(b)).toEqual([[1, 4], [2, 5], [3, 6]]);
    const f32 = ndarray(new Float32Array([1, 2]), [1, 2]);
    expect(asBatch("f", "x", f32).data).toBeInstanceOf(Float64Array);
    const sliced = x.hi(2, 2);
    expect(toRows(asBatch("f", "x", sliced))).toEqual([[1, 2], [4, 5]]);
  });

  it("asBatch names the function and argument for wrong rank, dimension, rows and non-finite entries", () => {
    expect(() => asBatch("sample", "x0", fromRows([[1, 2, 3]]), { dim: 2 })).toThrow("sample(): x0 must have shape [n, 2], got [1, 3]");
    expect(() => asBatch("sample", "x0", fromRows([[1, 2]]), { rows: 2 })).toThrow(/x0 must have shape \[2, 2\], got \[1, 2\]/);
    expect(() => asBatch("f", "x", ndarray(new Float64Array(3), [3]))).toThrow(/must have shape \[n, d\], got \[3\]/);
    expect(() => asBatch("f", "x", [[1, 2]])).toThrow(ShapeError);
    expect(() => asBatch("f", "x", null)).toThrow(ShapeError);
    expect(() => asBatch("f", "x", fromRows([[1, Number.NaN]]))).toThrow(NonFiniteError);
    expect(asBatch("f", "x", fromRows([[1, Number.NaN]]), { finite: false }).shape).toEqual([1, 2]);
  });

  it("outputBatch allocates or validates an out argument", () => {
    expect(outputBatch("f", undefined, 2, 3).shape).toEqual([2, 3]);
    const out = zeros(2, 3);
    expect(outputBatch("f", out, 2, 3)).toBe(out);
    expect(() => outputBatch("f", zeros(2, 2), 2, 3)).toThrow(/f\(\): out must have shape \[n, 3\]/);
    expect(() => outputBatch("f", ndarray(new Float32Array(6), [2, 3]) as never, 2, 3)).toThrow(/contiguous Float64Array/);
  });
});

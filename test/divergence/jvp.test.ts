import ndarray from "ndarray";
import { describe, expect, it } from "vitest";
import { fromRows, zeros, type Batch } from "../../src/core/batch.js";
import { NonFiniteError } from "../../src/core/errors.js";
import type { VelocityField } from "../../src/core/interfaces.js";
import { jacobianVectorProduct } from "../../src/divergence/jvp.js";

// u(x) = A x with A = [[1, 2], [3, 4]]: the JVP is A v exactly, and central differences of a
// linear map are exact up to rounding (about eps |x| / h ~ 1e-10 relative).
const A = [[1, 2], [3, 4]] as const;
const linear: VelocityField = {
  dim: 2,
  evaluate(x: Batch, _t, out = zeros(x.shape[0] as number, 2)) {
    for (let i = 0; i < (x.shape[0] as number); i++) {
      const a = x.get(i, 0), b = x.get(i, 1);
      out.set(i, 0, A[0][0] * a + A[0][1] * b);
      out.set(i, 1, A[1][0] * a + A[1][1] * b);
    }
    return out;
  },
};

describe("jacobianVectorProduct by central differences", () => {
  it("reads strided and offset directions through their strides: a transposed view and an offset view give A v", () => {
    const x = fromRows([[0.5, -1], [2, 3]]);
    // v as the transpose of [[1, 5], [-2, 7]] (stride [1, 2]) and as rows 1..2 of a 3-row batch (offset 2)
    const transposed = ndarray(new Float64Array([1, 5, -2, 7]), [2, 2]).transpose(1, 0) as Batch;
    const offset = ndarray(new Float64Array([9, 9, 1, -2, 5, 7]), [3, 2]).lo(1, 0) as Batch;
    for (const v of [transposed, offset]) {
      const out = jacobianVectorProduct(linear, x, 0.5, v, zeros(2, 2));
      for (let i = 0; i < 2; i++) {
        const vi = [v.get(i, 0), v.get(i, 1)];
        for (let r = 0; r < 2; r++) {
          const want = (A[r] as readonly number[])[0]! * vi[0]! + (A[r] as readonly number[])[1]! * vi[1]!;
          expect(Math.abs(out.get(i, r) - want)).toBeLessThan(1e-8 * (1 + Math.abs(want)));
        }
      }
    }
  });

  it("jacobianVectorProduct of a transposed direction equals that of its contiguous copy, bit for bit", () => {
    const x = fromRows([[0.5, -1], [2, 3]]);
    const transposed = ndarray(new Float64Array([1, 5, -2, 7]), [2, 2]).transpose(1, 0) as Batch;
    const copy = fromRows([[1, -2], [5, 7]]);
    expect(Array.from(jacobianVectorProduct(linear, x, 0.5, transposed).data)).toEqual(Array.from(jacobianVectorProduct(linear, x, 0.5, copy).data));
  });
});

describe("jacobianVectorProduct on extreme scales", () => {
  // u(x) = B x with B = [[1, 5], [0, 2]]
  const B: VelocityField = {
    dim: 2,
    evaluate(x: Batch, _t, out = zeros(x.shape[0] as number, 2)) {
      for (let i = 0; i < (x.shape[0] as number); i++) {
        const a = x.get(i, 0), b = x.get(i, 1);
        out.set(i, 0, a + 5 * b);
        out.set(i, 1, 2 * b);
      }
      return out;
    },
  };

  it("a subnormal direction gives B v (before: the step h overflowed, the field was evaluated at NaN and blamed)", () => {
    const out = jacobianVectorProduct(B, fromRows([[1, 2], [-3, 0.5]]), 0, fromRows([[1e-320, 0], [0, 5e-324]]));
    expect(Math.abs(out.get(0, 0) - 1e-320)).toBeLessThanOrEqual(1e-323);
    expect(out.get(0, 1)).toBe(0);
    expect(Math.abs(out.get(1, 0) - 5 * 5e-324)).toBeLessThanOrEqual(1e-323);
    expect(Math.abs(out.get(1, 1) - 2 * 5e-324)).toBeLessThanOrEqual(1e-323);
  });

  it("J (c v) = c J v for c from 1e-300 down to 1e-315, to the subnormal spacing 5e-324 (before: NaN once h = eps^(1/3) |x| / |c v| overflowed)", () => {
    const x = fromRows([[0.5, -1]]);
    const unit = jacobianVectorProduct(linear, x, 0, fromRows([[0.75, -0.5]]));
    for (const c of [1e-300, 1e-305, 1e-310, 1e-315]) {
      const got = jacobianVectorProduct(linear, x, 0, fromRows([[0.75 * c, -0.5 * c]]));
      for (let r = 0; r < 2; r++) expect(Math.abs(got.get(0, r) / c - unit.get(0, r))).toBeLessThan(1e-8 + 1e-323 / c);
    }
  });

  it("a product that overflows is a NonFiniteError naming jacobianVectorProduct (before: Infinity and NaN returned)", () => {
    const call = (): Batch => jacobianVectorProduct(B, fromRows([[1, 2]]), 0, fromRows([[1e308, 1e308]]));
    expect(call).toThrow(NonFiniteError);
    expect(call).toThrow(/^jacobianVectorProduct\(\): J v must be finite .*, got (Infinity|NaN) at row 0$/);
  });

  it("a field that jumps from -1e308 to 1e308 across the step is a NonFiniteError, not an Infinity JVP", () => {
    const jump: VelocityField = {
      dim: 1,
      evaluate(x: Batch, _t, out = zeros(x.shape[0] as number, 1)) {
        for (let i = 0; i < (x.shape[0] as number); i++) out.set(i, 0, x.get(i, 0) > 0 ? 1e308 : -1e308);
        return out;
      },
    };
    const call = (): Batch => jacobianVectorProduct(jump, fromRows([[0]]), 0, fromRows([[1]]));
    expect(call).toThrow(NonFiniteError);
    expect(call).toThrow(/^jacobianVectorProduct\(\): J v must be finite/);
  });
});

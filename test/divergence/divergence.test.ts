import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { fromRows } from "../../src/core/batch.js";
import type { Batch } from "../../src/core/batch.js";
import { DomainError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import type { VelocityField } from "../../src/core/interfaces.js";
import { Random } from "../../src/random/random.js";
import { exactDivergence } from "../../src/divergence/exact.js";
import { hutchinson } from "../../src/divergence/hutchinson.js";
import { hutchPlusPlus } from "../../src/divergence/hutch-plus-plus.js";
import { jacobianVectorProduct } from "../../src/divergence/jvp.js";
import { drawProbes } from "../../src/divergence/probes.js";
import { linearField } from "../solvers/helpers.js";

// u_i(x, t) = t sin(x_i) + x_{i+1}^2 (cyclic): J_ii = t cos(x_i), off-diagonal 2 x_{i+1}.
function nonlinearField(d: number, withJvp: boolean): VelocityField {
  const field: VelocityField = {
    dim: d,
    evaluate(x, t, out) {
      const n = x.shape[0] as number;
      const o = out ?? ndarray(new Float64Array(n * d), [n, d]);
      for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) {
        const xi = x.data[r * d + i] as number;
        const xn = x.data[r * d + ((i + 1) % d)] as number;
        o.data[r * d + i] = (t as number) * Math.sin(xi) + xn * xn;
      }
      return o;
    },
  };
  if (withJvp) {
    field.jvp = (x, t, v, out) => {
      const n = x.shape[0] as number;
      const o = out ?? ndarray(new Float64Array(n * d), [n, d]);
      for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) {
        const k = r * d + ((i + 1) % d);
        o.data[r * d + i] = (t as number) * Math.cos(x.data[r * d + i] as number) * (v.data[r * d + i] as number) + 2 * (x.data[k] as number) * (v.data[k] as number);
      }
      return o;
    };
  }
  return field;
}
const trueDivergence = (x: Batch, t: number): number[] => {
  const [n, d] = x.shape as [number, number];
  return Array.from({ length: n }, (_, r) => { let s = 0; for (let i = 0; i < d; i++) s += t * Math.cos(x.data[r * d + i] as number); return s; });
};

// u = sum_i t sin(x_i) e_i: a diagonal Jacobian
const diagonalField = (d: number): VelocityField => ({
  dim: d,
  evaluate(x, t, out) {
    const o = out ?? ndarray(new Float64Array(x.data.length), [x.shape[0] as number, d]);
    for (let k = 0; k < x.data.length; k++) o.data[k] = (t as number) * Math.sin(x.data[k] as number);
    return o;
  },
  jvp(x, t, v, out) {
    const o = out ?? ndarray(new Float64Array(x.data.length), [x.shape[0] as number, d]);
    for (let k = 0; k < x.data.length; k++) o.data[k] = (t as number) * Math.cos(x.data[k] as number) * (v.data[k] as number);
    return o;
  },
});

describe("divergence", () => {
  const x = new Random(3).normalBatch(4, 5);

  it("exactDivergence: d JVPs (field.jvp) give tr J to rounding; central differences to 1e-8", () => {
    const ref = trueDivergence(x, 0.7);
    const viaJvp = exactDivergence(nonlinearField(5, true), x, 0.7);
    const viaFd = exactDivergence(nonlinearField(5, false), x, 0.7);
    ref.forEach((v, r) => {
      expect(Math.abs((viaJvp[r] as number) - v)).toBeLessThan(1e-13);
      expect(Math.abs((viaFd[r] as number) - v)).toBeLessThan(1e-8);
    });
  });

  it("exactDivergence prefers field.divergence when present", () => {
    const field: VelocityField = { ...nonlinearField(5, true), divergence: (_x, _t, out) => (out ?? new Float64Array(4)).fill(42) };
    expect(Array.from(exactDivergence(field, x, 0.7))).toEqual([42, 42, 42, 42]);
  });

  it("jacobianVectorProduct: central differences match the analytic JVP to 1e-8", () => {
    const v = new Random(4).normalBatch(4, 5);
    const a = jacobianVectorProduct(nonlinearField(5, true), x, 0.3, v);
    const b = jacobianVectorProduct(nonlinearField(5, false), x, 0.3, v);
    for (let k = 0; k < 20; k++) expect(Math.abs((a.data[k] as number) - (b.data[k] as number))).toBeLessThan(1e-8);
  });

  it("Hutchinson with one Rademacher probe is unbiased: the mean over 2000 seeds is within 3 standard errors of tr J", () => {
    const A = Array.from({ length: 25 }, (_, k) => Math.sin(3 * k + 1));
    const field = linearField(A, 5);
    const exact = [0, 6, 12, 18, 24].reduce((s, k) => s + (A[k] as number), 0);
    const x1 = fromRows([[1, 2, 3, 4, 5]]);
    const est: number[] = [];
    for (let seed = 0; seed < 2000; seed++) est.push(hutchinson(field, x1, 0, drawProbes(new Random(seed), 1, 1, 5))[0] as number);
    const mean = est.reduce((a, b) => a + b, 0) / est.length;
    const variance = est.reduce((a, b) => a + (b - mean) ** 2, 0) / (est.length - 1);
    expect(Math.abs(mean - exact)).toBeLessThan(3 * Math.sqrt(variance / est.length));
    // variance 2 (||A_s||_F^2 - sum_i A_ii^2) (REFERENCES.md), to sampling accuracy
    let off = 0;
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) if (i !== j) off += (((A[i * 5 + j] as number) + (A[j * 5 + i] as number)) / 2) ** 2;
    expect(Math.abs(variance / (2 * off) - 1)).toBeLessThan(0.15);
  });

  it("Hutchinson with one Rademacher probe is exact for a diagonal Jacobian", () => {
    const est = hutchinson(diagonalField(5), x, 0.7, drawProbes(new Random(1), 1, 4, 5));
    trueDivergence(x, 0.7).forEach((v, r) => expect(Math.abs((est[r] as number) - v)).toBeLessThan(1e-13));
  });

  it("Hutch++ has lower variance than Hutchinson at the same 9 Jacobian-vector products on a fast-decaying spectrum", () => {
    // A = Q diag(2^-i) Q^T, Q a random orthogonal matrix (Gram-Schmidt of a Gaussian matrix), d = 20
    const d = 20;
    const rng = new Random(12);
    const G = rng.normalBatch(d, d).data;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += (G[a * d + j] as number) * (G[b * d + j] as number);
        for (let j = 0; j < d; j++) G[a * d + j] = (G[a * d + j] as number) - dot * (G[b * d + j] as number);
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += (G[a * d + j] as number) ** 2;
      for (let j = 0; j < d; j++) G[a * d + j] = (G[a * d + j] as number) / Math.sqrt(norm);
    }
    const A: number[] = new Array<number>(d * d).fill(0);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) A[i * d + j] = (A[i * d + j] as number) + (G[k * d + i] as number) * 2 ** -k * (G[k * d + j] as number);
    const field = linearField(A, d);
    const trace = Array.from({ length: d }, (_, k) => 2 ** -k).reduce((a, b) => a + b, 0);
    const n = 400;
    const xs = ndarray(new Float64Array(n * d), [n, d]);
    const hutch = hutchinson(field, xs, 0, drawProbes(new Random(1), 9, n, d));
    const pp = hutchPlusPlus(field, xs, 0, drawProbes(new Random(2), 3, n, d), drawProbes(new Random(3), 3, n, d));
    const mse = (e: Float64Array): number => e.reduce((s, v) => s + (v - trace) ** 2, 0) / n;
    // measured: about 0.16 of Hutchinson's mean squared error with this seed
    expect(mse(pp)).toBeLessThan(0.5 * mse(hutch));
  });

  it("Hutch++ is exact when the sketch spans the Jacobian (k = d, Gaussian sketch)", () => {
    const A = Array.from({ length: 9 }, (_, k) => Math.cos(k));
    const est = hutchPlusPlus(linearField(A, 3), fromRows([[1, 2, 3]]), 0, drawProbes(new Random(5), 3, 1, 3, "gaussian"), drawProbes(new Random(6), 1, 1, 3));
    expect(Math.abs((est[0] as number) - (A[0] as number) - (A[4] as number) - (A[8] as number))).toBeLessThan(1e-12);
  });

  it("bad input -> typed errors", () => {
    const field = nonlinearField(5, true);
    expect(() => drawProbes(new Random(1), 0, 2, 2)).toThrow(DomainError);
    expect(() => drawProbes(new Random(1), 1, 2, 2, "uniform" as "gaussian")).toThrow(DomainError);
    expect(() => hutchinson(field, x, 0, [])).toThrow(DomainError);
    expect(() => hutchinson(field, x, 0, drawProbes(new Random(1), 1, 3, 5))).toThrow(ShapeError);
    expect(() => hutchPlusPlus(field, x, 0, [], drawProbes(new Random(1), 1, 4, 5))).toThrow(DomainError);
    expect(() => hutchPlusPlus(field, x, 0, drawProbes(new Random(1), 1, 4, 5), [])).toThrow(DomainError);
    expect(() => exactDivergence(field, fromRows([[1, 2]]), 0)).toThrow(ShapeError);
    expect(() => exactDivergence(field, x, 0, new Float64Array(2))).toThrow(ShapeError);
    expect(() => jacobianVectorProduct(field, x, 0, fromRows([[1, 2, 3, 4, 5]]))).toThrow(ShapeError);
  });
});

describe("non-finite field values", () => {
  it("a field that returns NaN or Infinity stops every estimator with a NonFiniteError naming the method, row and time (before: NaN returned)", () => {
    // row 1 is bad: u(x) = x except NaN / Infinity in row 1
    for (const bad of [Number.NaN, Infinity]) {
      const field: VelocityField = {
        dim: 2,
        evaluate: (x: Batch, _t, out = ndarray(new Float64Array(x.data.length), [x.shape[0] as number, 2])) => {
          out.data.set(x.data);
          out.data[2] = bad;
          return out;
        },
      };
      const x = fromRows([[1, 2], [3, 4]]);
      expect(() => exactDivergence(field, x, 0.25)).toThrow(NonFiniteError);
      expect(() => exactDivergence(field, x, 0.25)).toThrow(/exactDivergence\(\): field\.evaluate\(x, t\) must return finite values, got (NaN|Infinity) at row 1, t = 0\.25/);
      expect(() => jacobianVectorProduct(field, x, 0.25, fromRows([[1, 0], [0, 1]]))).toThrow(NonFiniteError);
      expect(() => hutchinson(field, x, 0.25, drawProbes(new Random(1), 2, 2, 2))).toThrow(NonFiniteError);
    }
  });
});

describe("field results are read through their shape, strides and offset (settle)", () => {
  // a correct [n, 2] view of column-major data: row i is [1, 2] in memory order [1, 1, ..., 2, 2, ...]
  const transposed: VelocityField = {
    dim: 2,
    evaluate(x) {
      const n = x.shape[0] as number;
      const data = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) { data[i] = 1; data[n + i] = 2; }
      return ndarray(data, [2, n]).transpose(1, 0) as Batch;
    },
  };

  it("a transposed view gives the velocity it shows, in sample, pathEnergy, exactDivergence and logLikelihood", async () => {
    const { sample } = await import("../../src/solvers/sample.js");
    const { pathEnergy } = await import("../../src/solvers/path-energy.js");
    const { logLikelihood } = await import("../../src/solvers/likelihood.js");
    const x = ndarray(new Float64Array(4), [2, 2]) as Batch;
    expect(Array.from(sample(transposed, x, { method: "euler", steps: 1 }).y.data)).toEqual([1, 2, 1, 2]);
    expect(Array.from(pathEnergy(transposed, x, { method: "euler", steps: 1 }).energy)).toEqual([5, 5]);
    expect(Array.from(exactDivergence(transposed, x, 0.5))).toEqual([0, 0]);
    expect(Array.from(logLikelihood(transposed, x, { method: "euler", steps: 1 }).x0.data)).toEqual([-1, -2, -1, -2]);
  });

  it("an offset view or a view of a larger buffer is honoured; a result of another shape is a ShapeError saying both shapes", async () => {
    const { sample } = await import("../../src/solvers/sample.js");
    const one = (evaluate: VelocityField["evaluate"], dim = 1): VelocityField => ({ dim, evaluate });
    const offset = one(() => ndarray(new Float64Array([0, 5]), [1, 1], [1, 1], 1) as Batch);
    expect(Array.from(sample(offset, fromRows([[0]]), { method: "euler", steps: 1 }).y.data)).toEqual([5]);
    const larger = one(() => ndarray(new Float64Array([3, 4, 9]), [2, 1]) as Batch);
    expect(Array.from(sample(larger, fromRows([[0], [0]]), { method: "euler", steps: 1 }).y.data)).toEqual([3, 4]);
    const wide = one(() => ndarray(new Float64Array([1, 2]), [1, 2]) as Batch);
    expect(() => sample(wide, fromRows([[0], [0]]), { method: "euler", steps: 1 })).toThrow(ShapeError);
    expect(() => sample(wide, fromRows([[0], [0]]), { method: "euler", steps: 1 })).toThrow(/^sample\(\): field\.evaluate must return a batch of shape \[2, 1\], got \[1, 2\]$/);
    const outside = one(() => ndarray(new Float64Array([1]), [1, 1], [1, 1], 3) as Batch);
    expect(() => sample(outside, fromRows([[0]]), { method: "euler", steps: 1 })).toThrow(ShapeError);
  });
});

describe("exactDivergence overflow", () => {
  it("a trace that overflows from finite Jacobian entries is a NonFiniteError naming exactDivergence (before: Infinity returned)", () => {
    // J = diag(1e308, 1e308): each entry is finite, tr J = 2e308 is not
    const call = (): Float64Array => exactDivergence(linearField([1e308, 0, 0, 1e308], 2), fromRows([[1, 2]]), 0);
    expect(call).toThrow(NonFiniteError);
    expect(call).toThrow(/^exactDivergence\(\): divergence must be finite .*, got Infinity at row 0$/);
  });
});

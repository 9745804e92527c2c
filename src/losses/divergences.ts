import { outputBatch } from "../core/batch.js";
import { checkOut, pair, rowWise } from "./rows.js";
import { checkFiniteArray, checkFiniteResult, checkPositive } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { BregmanDivergence } from "../core/interfaces.js";

/**
 * The squared Euclidean distance D(u, v) = ||u - v||^2, the Bregman divergence of
 * phi(x) = ||x||^2; gradient w.r.t. v is 2 (v - u). With it the CFM loss is the usual
 * regression loss (per-row sum of squares).
 *
 * @example
 * ```ts
 * squaredEuclidean.value(fromRows([[1, 2]]), fromRows([[0, 0]])) // => Float64Array [5]
 * ```
 * @category Losses
 */
export const squaredEuclidean: BregmanDivergence = rowWise("squaredEuclidean", null,
  (u, v) => { const e = u - v; return e * e; },
  (u, v) => 2 * (v - u));

/**
 * Mahalanobis divergence D(u, v) = (u - v)^T M (u - v), the Bregman divergence of
 * phi(x) = x^T M x for a symmetric positive-definite M: a diagonal (`weights`, one positive
 * number per coordinate) or a full matrix (d rows of d numbers; checked symmetric and
 * positive definite by a Cholesky factorisation). Gradient w.r.t. v: 2 M (v - u).
 *
 * @param metric - positive diagonal weights, or a full SPD matrix as rows
 * @returns the divergence
 * @throws {@link DomainError} for a weight that is not a number > 0 (strings and nested arrays are not coerced) or a
 *   matrix that is not symmetric positive definite; {@link ShapeError} for an empty or non-square matrix;
 *   {@link NonFiniteError} (from `value`/`gradient`, diagonal and full form alike) when the result overflows
 * @example
 * ```ts
 * mahalanobis([1, 4]).value(fromRows([[1, 1]]), fromRows([[0, 0]])) // => Float64Array [5]
 * ```
 * @category Losses
 */
export function mahalanobis(metric: ArrayLike<number> | readonly ArrayLike<number>[]): BregmanDivergence {
  const fn = "mahalanobis";
  if (!Array.isArray(metric) && !(metric instanceof Float64Array) && !(metric instanceof Float32Array)) {
    throw new DomainError(fn, "metric", "be an array of weights or a square matrix (array of rows)", describeValue(metric));
  }
  if (metric.length === 0) throw new ShapeError(fn, "metric", "be non-empty", "[]");
  const first = (metric as ArrayLike<unknown>)[0];
  if (first === null || typeof first !== "object") {
    // weights are read as given: a string or a nested array is rejected, not coerced to a number
    const list = metric as ArrayLike<unknown>;
    const w = new Float64Array(list.length);
    for (let j = 0; j < w.length; j++) w[j] = checkPositive(fn, `metric[${j}]`, list[j]);
    const d = w.length;
    return rowWise("mahalanobis", d, (u, v, j) => { const e = u - v; return (w[j] as number) * e * e; }, (u, v, j) => 2 * (w[j] as number) * (v - u));
  }
  const rows = metric as readonly ArrayLike<number>[];
  const d = rows.length;
  const m = new Float64Array(d * d);
  rows.forEach((r, i) => {
    if (r === null || typeof r !== "object" || r.length !== d) throw new ShapeError(fn, `metric[${i}]`, `have length ${d} (a square matrix)`, describeValue(r));
    checkFiniteArray(fn, `metric[${i}]`, r);
    for (let j = 0; j < d; j++) m[i * d + j] = r[j] as number;
  });
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) {
    const a = m[i * d + j] as number, b = m[j * d + i] as number;
    if (Math.abs(a - b) > 1e-12 * Math.max(1, Math.abs(a), Math.abs(b))) throw new DomainError(fn, "metric", "be symmetric", `metric[${i}][${j}] = ${a} but metric[${j}][${i}] = ${b}`);
  }
  if (!isPositiveDefinite(m, d)) throw new DomainError(fn, "metric", "be positive definite", "a matrix whose Cholesky factorisation fails");
  const e = new Float64Array(d);
  return {
    name: "mahalanobis",
    value(u, v, out) {
      const [ub, vb, n] = pair("mahalanobis.value", u, v, d);
      const res = checkOut("mahalanobis.value", out, n);
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < d; j++) e[j] = (ub.data[r * d + j] as number) - (vb.data[r * d + j] as number);
        let s = 0;
        for (let i = 0; i < d; i++) { let mi = 0; for (let j = 0; j < d; j++) mi += (m[i * d + j] as number) * (e[j] as number); s += (e[i] as number) * mi; }
        res[r] = Math.max(s, 0);
      }
      return checkFiniteResult("mahalanobis.value", "result", res);
    },
    gradient(u, v, out) {
      const [ub, vb, n] = pair("mahalanobis.gradient", u, v, d);
      const res = outputBatch("mahalanobis.gradient", out, n, d);
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < d; j++) e[j] = (vb.data[r * d + j] as number) - (ub.data[r * d + j] as number);
        for (let i = 0; i < d; i++) { let s = 0; for (let j = 0; j < d; j++) s += (m[i * d + j] as number) * (e[j] as number); res.data[r * d + i] = 2 * s; }
      }
      checkFiniteResult("mahalanobis.gradient", "result", res.data);
      return res;
    },
  };
}

/**
 * Generalized Kullback–Leibler divergence D(u, v) = sum_j u_j ln(u_j / v_j) - u_j + v_j for
 * positive vectors, the Bregman divergence of phi(x) = sum x ln x; gradient w.r.t. v is
 * 1 - u / v.
 *
 * @throws {@link DomainError} (from `value`/`gradient`) for a non-positive entry
 * @example
 * ```ts
 * generalizedKL.value(fromRows([[1]]), fromRows([[1]])) // => Float64Array [0]
 * ```
 * @category Losses
 */
export const generalizedKL: BregmanDivergence = rowWise("generalizedKL", null,
  (u, v) => (u === v ? 0 : u * logRatio(u, v) - u + v),
  (u, v) => 1 - u / v, true);

/** ln(u / v) for positive u, v: as ln of the quotient where it is a positive finite number, else ln u - ln v (u / v over- or underflows, the log does not). */
function logRatio(u: number, v: number): number {
  const r = u / v;
  return r > 0 && r < Infinity ? Math.log(r) : Math.log(u) - Math.log(v);
}

/**
 * Itakura–Saito divergence D(u, v) = sum_j u_j / v_j - ln(u_j / v_j) - 1 for positive
 * vectors, the Bregman divergence of phi(x) = -sum ln x; gradient w.r.t. v is (v - u) / v^2.
 *
 * @throws {@link DomainError} (from `value`/`gradient`) for a non-positive entry
 * @example
 * ```ts
 * itakuraSaito.value(fromRows([[2]]), fromRows([[1]])) // => Float64Array [0.3068528194400547]
 * ```
 * @category Losses
 */
export const itakuraSaito: BregmanDivergence = rowWise("itakuraSaito", null,
  (u, v) => (u === v ? 0 : u / v - logRatio(u, v) - 1),
  (u, v) => {
    const vv = v * v;
    // v^2 over- or underflows before (v - u) / v^2 does
    return vv > 0 && vv < Infinity ? (v - u) / vv : (v - u) / v / v;
  }, true);

function isPositiveDefinite(m: Float64Array, d: number): boolean {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i * d + j] as number;
      for (let k = 0; k < j; k++) s -= (l[i * d + k] as number) * (l[j * d + k] as number);
      if (i === j) { if (!(s > 0)) return false; l[i * d + i] = Math.sqrt(s); }
      else l[i * d + j] = s / (l[j * d + j] as number);
    }
  }
  return true;
}


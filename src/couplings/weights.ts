import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";

/**
 * Marginal weights of a transport problem: `null` for uniform weights 1/n, or n positive
 * finite numbers (they need not sum to 1; balanced solvers need equal sums on both sides).
 *
 * @category Couplings
 */
export type Weights = Float64Array | readonly number[] | null;

/** Validates weights of length `n` (positive, finite) and returns them as a new Float64Array. @internal */
export function toWeights(fn: string, argument: string, w: Weights, n: number): Float64Array {
  if (w === null) return new Float64Array(n).fill(1 / n);
  if (w === undefined || typeof w !== "object" || typeof (w as ArrayLike<number>).length !== "number") {
    throw new DomainError(fn, argument, "be an array of weights or null", describeValue(w));
  }
  if (w.length !== n) throw new ShapeError(fn, argument, `have length ${n} to match cost`, String(w.length));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = w[i] as number;
    if (typeof x !== "number" || !Number.isFinite(x)) throw new NonFiniteError(fn, `${argument}[${i}]`, "be finite", describeValue(x));
    if (!(x > 0)) throw new DomainError(fn, `${argument}[${i}]`, "be > 0 (drop zero-weight points before solving)", describeValue(x));
    out[i] = x;
  }
  return out;
}

/** Sum of a Float64Array. @internal */
export function total(w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] as number;
  return s;
}

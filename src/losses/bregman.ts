import type { Batch } from "../core/batch.js";
import { outputBatch } from "../core/batch.js";
import { DomainError, NonFiniteError } from "../core/errors.js";
import type { BregmanDivergence } from "../core/interfaces.js";
import { checkOut, pair } from "./rows.js";
import { checkFunction, checkOptions } from "../core/check.js";
import { describeValue } from "../core/format.js";
import { maxAbs } from "../core/row-norm.js";

/** Options of {@link bregman}. @category Losses */
export interface BregmanOptions {
  /** Name used in messages (default "bregman"). */
  name?: string;
  /**
   * Hessian-vector product of phi at v along w, written to `out`. When absent, the
   * Hessian is formed column by column from central differences of `gradPhi` (2 d calls
   * per row, a few more where a step has to be retried), so the gradient stays exactly
   * linear in u. The step is relative, h = 6e-6 max(|v_j|, 1e-300): it keeps v_j - h on
   * the side of 0 where v_j is (the domain of x ln x or -ln x) and follows a curvature that
   * changes on the scale |v_j|; where its rounding bound would exceed 1e-9 of the Hessian
   * column (phi curved on the scale 1 near v_j = 0, like exp), the step 6e-6 max(1, |v_j|)
   * is taken instead. Relative accuracy about 1e-9 for smooth phi (measured: x ln x about 1e-11
   * at v = 0.01 and 1e-10 at v = 1e-7, 1e-8 at v = 1e-300; exp and softplus about 1e-11 for |v| <= 3).
   */
  hessianVectorProduct?: (v: Float64Array, w: Float64Array, out: Float64Array) => Float64Array;
}

/**
 * The Bregman divergence of a user's strictly convex potential phi:
 * D(u, v) = phi(u) - phi(v) - <grad phi(v), u - v>, with gradient w.r.t. the prediction
 * v equal to -H_phi(v) (u - v) (H_phi the Hessian).
 *
 * @param phi - the potential, phi(x) for one row x
 * @param gradPhi - its gradient at x, written to `out` and returned
 * @param options - see {@link BregmanOptions}
 * @returns the divergence
 * @throws {@link DomainError} when `phi`, `gradPhi` or `options.hessianVectorProduct` is not a function, or
 *   `options.name` not a string; {@link NonFiniteError} (from `value`/`gradient`) when phi or its derivatives
 *   return non-finite numbers
 * @example
 * ```ts
 * const d = bregman((x) => x[0] ** 4, (x, out) => { out[0] = 4 * x[0] ** 3; return out; });
 * d.value(fromRows([[1]]), fromRows([[0]])) // => Float64Array [1]
 * ```
 * @category Losses
 */
export function bregman(
  phi: (x: Float64Array) => number,
  gradPhi: (x: Float64Array, out: Float64Array) => Float64Array,
  options: BregmanOptions = {},
): BregmanDivergence {
  options = checkOptions("bregman", "options", options);
  if (typeof phi !== "function") throw new DomainError("bregman", "phi", "be a function", typeof phi);
  if (typeof gradPhi !== "function") throw new DomainError("bregman", "gradPhi", "be a function", typeof gradPhi);
  const name = options.name === undefined ? "bregman" : options.name;
  if (typeof name !== "string") throw new DomainError("bregman", "options.name", "be a string", describeValue(name));
  const hvp = options.hessianVectorProduct === undefined ? undefined
    : checkFunction<NonNullable<BregmanOptions["hessianVectorProduct"]>>("bregman", "options.hessianVectorProduct", options.hessianVectorProduct);
  return {
    name,
    value(u: Batch, v: Batch, out?: Float64Array): Float64Array {
      const fn = `${name}.value`;
      const [ub, vb, n, d] = pair(fn, u, v, null);
      const res = checkOut(fn, out, n);
      const g = new Float64Array(d);
      for (let r = 0; r < n; r++) {
        const ur = ub.data.subarray(r * d, (r + 1) * d), vr = vb.data.subarray(r * d, (r + 1) * d);
        gradPhi(vr, g);
        let s = phi(ur) - phi(vr);
        for (let j = 0; j < d; j++) s -= (g[j] as number) * ((ur[j] as number) - (vr[j] as number));
        if (!Number.isFinite(s)) throw new NonFiniteError(fn, "phi", "give finite values", `D = ${s} at row ${r}`);
        res[r] = Math.max(s, 0);
      }
      return res;
    },
    gradient(u: Batch, v: Batch, out?: Batch): Batch {
      const fn = `${name}.gradient`;
      const [ub, vb, n, d] = pair(fn, u, v, null);
      const res = outputBatch(fn, out, n, d);
      const w = new Float64Array(d), hw = new Float64Array(d), column = new Float64Array(d);
      const scratch = { plus: new Float64Array(d), minus: new Float64Array(d), gp: new Float64Array(d), gm: new Float64Array(d), kept: new Float64Array(d) };
      for (let r = 0; r < n; r++) {
        const ur = ub.data.subarray(r * d, (r + 1) * d), vr = vb.data.subarray(r * d, (r + 1) * d);
        for (let j = 0; j < d; j++) w[j] = (ur[j] as number) - (vr[j] as number);
        if (hvp) hvp(vr, w, hw);
        else {
          // H(v) column by column from central differences of grad phi, then H w: exactly
          // linear in u, so Theorem 3 (gradient equivalence) holds to rounding
          hw.fill(0);
          scratch.plus.set(vr);
          scratch.minus.set(vr);
          for (let j = 0; j < d; j++) {
            if (!hessianColumn(gradPhi, vr, j, scratch, column)) {
              throw new NonFiniteError(fn, "gradPhi", "give finite values", `a non-finite value near v[${j}] = ${describeValue(vr[j])} at row ${r} for every step tried`);
            }
            const wj = w[j] as number;
            for (let i = 0; i < d; i++) hw[i] = (hw[i] as number) + (column[i] as number) * wj;
          }
        }
        for (let j = 0; j < d; j++) {
          const value = -(hw[j] as number);
          if (!Number.isFinite(value)) throw new NonFiniteError(fn, "gradPhi", "give finite values", `${value} at row ${r}`);
          res.data[r * d + j] = value;
        }
      }
      return res;
    },
  };
}

/** Relative step of the central differences: near the cube root of the float64 epsilon, where truncation (h^2) and rounding (eps / h) balance. */
const STEP = 6e-6;
/** Floor of |v_j| in the relative step (v_j = 0 has no scale of its own). */
const TINY = 1e-300;
/** Largest rounding bound, relative to the column, accepted from the relative step before the step 6e-6 max(1, |v_j|) is tried. */
const ROUNDING = 1e-9;

/** Work rows of length d: v with one coordinate stepped, gradPhi there, and a column kept while another step is tried. */
interface Scratch { plus: Float64Array; minus: Float64Array; gp: Float64Array; gm: Float64Array; kept: Float64Array }

/**
 * Column j of the Hessian of phi at v, (grad phi(v + h e_j) - grad phi(v - h e_j)) / (2 h), written
 * to `column`. The first step is relative, h = 6e-6 max(|v_j|, 1e-300) (for |v_j| >= 1 the former
 * step 6e-6 max(1, |v_j|), bit for bit); for |v_j| < 1, where its rounding bound
 * eps max_i (|g+_i| + |g-_i|) / (2 h) exceeds 1e-9 max_i |column_i|, the step 6e-6 is used instead if
 * gradPhi is finite there. Where gradPhi is not finite at a step (v_j near the edge of the domain),
 * the step is divided by 1000, up to three times. Returns false when no step gave finite values.
 */
function hessianColumn(
  gradPhi: (x: Float64Array, out: Float64Array) => Float64Array, v: Float64Array, j: number, s: Scratch, column: Float64Array,
): boolean {
  const vj = v[j] as number, a = Math.abs(vj);
  let h = STEP * Math.max(a, TINY);
  for (let attempt = 0; attempt < 4; attempt++, h /= 1000) {
    const rounding = difference(gradPhi, v, j, h, s, column);
    if (Number.isNaN(rounding)) continue;
    if (a < 1 && attempt === 0 && rounding > ROUNDING * maxAbs(column, 0, column.length)) {
      // a curvature on the scale 1 near v_j = 0 (exp, softplus): the absolute step is far more accurate
      s.kept.set(column);
      if (Number.isNaN(difference(gradPhi, v, j, STEP, s, column))) column.set(s.kept);
    }
    return true;
  }
  return false;
}

/**
 * Central difference of gradPhi along e_j with step h into `column` (`plus` and `minus` hold v on
 * entry and on return); returns its rounding bound, or NaN where the column is not finite.
 */
function difference(
  gradPhi: (x: Float64Array, out: Float64Array) => Float64Array, v: Float64Array, j: number, h: number, s: Scratch, column: Float64Array,
): number {
  const { plus, minus, gp, gm } = s, vj = v[j] as number, d = v.length;
  plus[j] = vj + h;
  minus[j] = vj - h;
  gradPhi(plus, gp);
  gradPhi(minus, gm);
  plus[j] = vj;
  minus[j] = vj;
  let size = 0;
  for (let i = 0; i < d; i++) {
    const c = ((gp[i] as number) - (gm[i] as number)) / (2 * h);
    if (!Number.isFinite(c)) return Number.NaN;
    column[i] = c;
    size = Math.max(size, Math.abs(gp[i] as number) + Math.abs(gm[i] as number));
  }
  return (Number.EPSILON * size) / (2 * h);
}

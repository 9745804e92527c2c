import type { Batch } from "../core/batch.js";
import { outputBatch } from "../core/batch.js";
import { DomainError, NonFiniteError } from "../core/errors.js";
import type { BregmanDivergence } from "../core/interfaces.js";
import { checkOut, pair } from "./rows.js";
import { checkOptions } from "../core/check.js";

/** Options of {@link bregman}. @category Losses */
export interface BregmanOptions {
  /** Name used in messages (default "bregman"). */
  name?: string;
  /**
   * Hessian-vector product of phi at v along w, written to `out`. When absent, the
   * Hessian is formed column by column from central differences of `gradPhi` (2 d calls
   * per row; relative accuracy about 1e-9 for smooth phi), so the gradient stays exactly
   * linear in u.
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
 * @throws {@link NonFiniteError} (from `value`/`gradient`) when phi or its derivatives return non-finite numbers
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
  const name = options.name ?? "bregman";
  const hvp = options.hessianVectorProduct;
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
      const w = new Float64Array(d), hw = new Float64Array(d), plus = new Float64Array(d), minus = new Float64Array(d), gp = new Float64Array(d), gm = new Float64Array(d);
      for (let r = 0; r < n; r++) {
        const ur = ub.data.subarray(r * d, (r + 1) * d), vr = vb.data.subarray(r * d, (r + 1) * d);
        for (let j = 0; j < d; j++) w[j] = (ur[j] as number) - (vr[j] as number);
        if (hvp) hvp(vr, w, hw);
        else {
          // H(v) column by column from central differences of grad phi, then H w: exactly
          // linear in u, so Theorem 3 (gradient equivalence) holds to rounding
          hw.fill(0);
          plus.set(vr);
          minus.set(vr);
          for (let j = 0; j < d; j++) {
            const h = 6e-6 * Math.max(1, Math.abs(vr[j] as number));
            plus[j] = (vr[j] as number) + h;
            minus[j] = (vr[j] as number) - h;
            gradPhi(plus, gp);
            gradPhi(minus, gm);
            plus[j] = vr[j] as number;
            minus[j] = vr[j] as number;
            const wj = w[j] as number;
            for (let i = 0; i < d; i++) hw[i] = (hw[i] as number) + (((gp[i] as number) - (gm[i] as number)) / (2 * h)) * wj;
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

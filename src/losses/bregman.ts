import type { Batch } from "../core/batch.js";
import { outputBatch } from "../core/batch.js";
import { DomainError, NonFiniteError } from "../core/errors.js";
import type { BregmanDivergence } from "../core/interfaces.js";
import { checkOut, pair } from "./rows.js";

/** Options of {@link bregman}. @category Losses */
export interface BregmanOptions {
  /** Name used in messages (default "bregman"). */
  name?: string;
  /**
   * Hessian-vector product of phi at v along w, written to `out`. When absent, the
   * gradient w.r.t. v uses a central difference of `gradPhi` along (u - v) (relative
   * accuracy about 1e-8 for smooth phi).
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
        let norm = 0, scale = 0;
        for (let j = 0; j < d; j++) { w[j] = (ur[j] as number) - (vr[j] as number); norm = Math.max(norm, Math.abs(w[j] as number)); scale = Math.max(scale, Math.abs(vr[j] as number)); }
        if (norm === 0) hw.fill(0);
        else if (hvp) hvp(vr, w, hw);
        else {
          // central difference of grad phi along w: H w ~ (g(v + h w) - g(v - h w)) / (2h)
          const h = (6e-6 * Math.max(scale, norm)) / norm;
          for (let j = 0; j < d; j++) { plus[j] = (vr[j] as number) + h * (w[j] as number); minus[j] = (vr[j] as number) - h * (w[j] as number); }
          gradPhi(plus, gp);
          gradPhi(minus, gm);
          for (let j = 0; j < d; j++) hw[j] = ((gp[j] as number) - (gm[j] as number)) / (2 * h);
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

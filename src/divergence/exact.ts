import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { NonFiniteError, ShapeError } from "../core/errors.js";
import type { VelocityField } from "../core/interfaces.js";
import { checkTime, type Time } from "../core/time.js";
import { checkVelocityField, outputArray } from "../core/check.js";
import { jvpSteps } from "./jvp.js";
import type { FieldOps, FieldSteps } from "./field-steps.js";
import { checkFiniteEstimate, runFieldSync, syncOps } from "./field-steps.js";

/**
 * The divergence div u_t(x) = tr(du_t/dx)(x) = sum_j e_j^T J e_j for each row: from
 * `field.divergence` when present, else from d Jacobian-vector products with the unit vectors
 * through `field.jvp` (else vector-Jacobian products through `field.vjp`: the diagonal of J^T is that of J), else from d central differences (2d evaluations of the field; accuracy
 * about eps^(2/3) ~ 4e-11 times the field's third-derivative scale, see {@link jacobianVectorProduct}).
 *
 * @param field - the velocity field
 * @param x - points, shape [n, dim]
 * @param t - one time or one per row
 * @param out - optional output of length n
 * @returns the divergence at each row
 * @throws {@link ShapeError} when x is not [n, dim] or out has the wrong length;
 *   {@link NonFiniteError} for a divergence that overflows (a sum of diagonal entries beyond 1e308)
 * @example
 * ```ts
 * // u(x) = 2 x in 3 dimensions: div u = 6
 * const field = { dim: 3, evaluate: (x, t, out = zeros(x.shape[0], 3)) => { for (let i = 0; i < x.data.length; i++) out.data[i] = 2 * x.data[i]; return out; } };
 * exactDivergence(field, fromRows([[1, 2, 3]]), 0)[0] // => 6 (to ~1e-9)
 * ```
 * @category Divergence
 */
export function exactDivergence(field: VelocityField, x: Batch, t: Time, out?: Float64Array): Float64Array {
  const fn = "exactDivergence";
  checkVelocityField(fn, "field", field);
  const xb = asBatch(fn, "x", x, { dim: field.dim });
  const n = xb.shape[0] as number;
  const d = field.dim;
  checkTime(fn, "t", t, n, -Infinity, Infinity);
  const result = outputArray(fn, out, n);
  runFieldSync(fn, exactDivergenceSteps(syncOps(field), xb, t, result), field);
  checkFiniteEstimate(fn, "divergence", result, 1, "the field's Jacobian is too large");
  return result;
}

/** @internal The divergence into `out`: the field's own when `ops.divergence`, else d JVPs with the unit vectors. */
export function* exactDivergenceSteps(ops: FieldOps, x: Batch, t: Time, out: Float64Array): FieldSteps<Float64Array> {
  if (ops.divergence) {
    yield { op: "divergence", x, t, out };
    return out;
  }
  const n = x.shape[0] as number;
  const d = x.shape[1] as number;
  out.fill(0);
  const e = new Float64Array(n * d);
  const eb = ndarray(e, [n, d]);
  const jv = ndarray(new Float64Array(n * d), [n, d]);
  for (let j = 0; j < d; j++) {
    e.fill(0);
    for (let i = 0; i < n; i++) e[i * d + j] = 1;
    yield* jvpSteps(ops, x, t, eb, jv);
    for (let i = 0; i < n; i++) out[i] = (out[i] as number) + (jv.data[i * d + j] as number);
  }
  return out;
}

import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { NonFiniteError, ShapeError } from "../core/errors.js";
import type { VelocityField } from "../core/interfaces.js";
import { checkTime, type Time } from "../core/time.js";
import { checkVelocityField } from "../core/check.js";
import type { FieldOps, FieldSteps } from "./field-steps.js";
import { checkFiniteEstimate, runFieldSync, syncOps } from "./field-steps.js";

/**
 * The Jacobian-vector product (du_t/dx)(x) v row by row: `field.jvp` when the field has one,
 * else the central difference (u(x + h v) - u(x - h v)) / (2h) with, per row,
 * h = eps^(1/3) max(1, |x|_inf) / |v|_inf. The difference quotient has truncation error
 * O(h^2 |u'''|) plus rounding O(eps |u| / h): about 1e-10 relative for smooth fields of unit scale.
 * A direction so small that 2h would overflow (|v|_inf below about 7e-314 max(1, |x|_inf), as for
 * subnormal directions) is differenced along v / |v|_inf with h = eps^(1/3) max(1, |x|_inf), and the
 * quotient multiplied back by |v|_inf.
 *
 * @param field - the velocity field
 * @param x - points, shape [n, dim]
 * @param t - one time or one per row
 * @param v - directions, shape [n, dim]
 * @param out - optional output, shape [n, dim]
 * @returns J(x_i) v_i for each row i
 * @throws {@link ShapeError} for batches that do not match the field's dimension or each other;
 *   {@link NonFiniteError} for a product that overflows (J v beyond 1e308, or a field that jumps by
 *   that much across the difference step)
 * @example
 * ```ts
 * const field = { dim: 1, evaluate: (x, t, out = zeros(x.shape[0], 1)) => { out.data[0] = x.data[0] ** 2; return out; } };
 * jacobianVectorProduct(field, fromRows([[3]]), 0, fromRows([[1]])).data[0] // => 6 (to ~1e-9)
 * ```
 * @category Divergence
 */
export function jacobianVectorProduct(field: VelocityField, x: Batch, t: Time, v: Batch, out?: Batch): Batch {
  const fn = "jacobianVectorProduct";
  checkVelocityField(fn, "field", field);
  const xb = asBatch(fn, "x", x, { dim: field.dim });
  const n = xb.shape[0] as number;
  checkTime(fn, "t", t, n, -Infinity, Infinity);
  const vb = asBatch(fn, "v", v, { dim: field.dim });
  if (vb.shape[0] !== n) throw new ShapeError(fn, "v", `have ${n} rows like x`, String(vb.shape[0]));
  const result = outputBatch(fn, out, n, field.dim);
  runFieldSync(fn, jvpSteps({ ...syncOps(field), vjp: false }, xb, t, vb, result), field);
  checkFiniteEstimate(fn, "J v", result.data, field.dim, "scale v down, or the field changes by more than 1e308 across the difference step");
  return result;
}

/**
 * @internal J(x) v into `out`: the field's own JVP when `ops.jvp`; else, when `ops.vjp`, the
 * transposed product J^T v (only for the trace estimators, which give the same expectation and
 * exact value for J and J^T); else central differences.
 */
export function* jvpSteps(ops: FieldOps, x: Batch, t: Time, v: Batch, out: Batch): FieldSteps<Batch> {
  if (ops.jvp || ops.vjp) {
    yield { op: ops.jvp ? "jvp" : "vjp", x, t, v, out };
    return out;
  }
  const n = x.shape[0] as number;
  const d = x.shape[1] as number;
  const plus = new Float64Array(n * d);
  const minus = new Float64Array(n * d);
  const h = new Float64Array(n);
  const scale = new Float64Array(n);
  const cbrtEps = Math.cbrt(Number.EPSILON);
  for (let i = 0; i < n; i++) {
    let xs = 1;
    let vs = 0;
    for (let j = i * d; j < (i + 1) * d; j++) {
      xs = Math.max(xs, Math.abs(x.data[j] as number));
      vs = Math.max(vs, Math.abs(v.data[j] as number));
    }
    let hi = vs > 0 ? (cbrtEps * xs) / vs : 0;
    let si = 1;
    if (!Number.isFinite(2 * hi)) {
      // |v| so small (below about 7e-314 max(1, |x|), subnormal) that h or 2h overflows: difference along
      // v / |v|_inf and multiply back. Only such rows take this path, so the others keep their bits.
      si = vs;
      hi = cbrtEps * xs;
    }
    h[i] = hi;
    scale[i] = si;
    for (let j = i * d; j < (i + 1) * d; j++) {
      const step = si === 1 ? hi * (v.data[j] as number) : hi * ((v.data[j] as number) / si);
      plus[j] = (x.data[j] as number) + step;
      minus[j] = (x.data[j] as number) - step;
    }
  }
  const up = ndarray(new Float64Array(n * d), [n, d]);
  const um = ndarray(new Float64Array(n * d), [n, d]);
  yield { op: "evaluate", x: ndarray(plus, [n, d]), t, out: up };
  yield { op: "evaluate", x: ndarray(minus, [n, d]), t, out: um };
  for (let i = 0; i < n; i++) {
    const hi = h[i] as number, si = scale[i] as number;
    for (let j = i * d; j < (i + 1) * d; j++) {
      const quotient = hi > 0 ? ((up.data[j] as number) - (um.data[j] as number)) / (2 * hi) : 0;
      out.data[j] = si === 1 ? quotient : quotient * si;
    }
  }
  return out;
}

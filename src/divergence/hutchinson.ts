import type { Batch } from "../core/batch.js";
import ndarray from "ndarray";
import { asBatch } from "../core/batch.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import type { VelocityField } from "../core/interfaces.js";
import { checkTime, type Time } from "../core/time.js";
import { checkVelocityField, outputArray } from "../core/check.js";
import { describeValue } from "../core/format.js";
import { jvpSteps } from "./jvp.js";
import type { FieldOps, FieldSteps } from "./field-steps.js";
import { checkFiniteEstimate, runFieldSync, syncOps } from "./field-steps.js";

/**
 * Hutchinson's estimate of the divergence, div u ~ (1/k) sum_p z_p^T (du/dx) z_p, per row,
 * for given probes z_p with E[z z^T] = I. Unbiased; with Rademacher probes its variance is
 * 2 (||A_s||_F^2 - sum_i A_ii^2) / k (A_s the symmetric part of the Jacobian), so it is exact
 * for a diagonal Jacobian; with Gaussian probes 2 ||A_s||_F^2 / k. Costs k Jacobian-vector
 * products (field.jvp; else field.vjp, since z^T J^T z = z^T J z; else central differences).
 *
 * @param field - the velocity field
 * @param x - points, shape [n, dim]
 * @param t - one time or one per row
 * @param probes - k >= 1 probe batches of shape [n, dim] (see {@link drawProbes}); keep them fixed within one ODE solve
 * @param out - optional output of length n
 * @returns the estimate at each row
 * @throws {@link ShapeError} for mismatched shapes; {@link DomainError} for no probes;
 *   {@link NonFiniteError} for an estimate that overflows (z^T J z beyond 1e308)
 * @example
 * ```ts
 * // u(x) = 3 x: the Jacobian is 3 I (diagonal), so one Rademacher probe gives the exact divergence 3 d
 * const field = { dim: 2, evaluate: (x) => x, jvp: (x, t, v, out) => { out.data.set(v.data.map((a) => 3 * a)); return out; } };
 * hutchinson(field, fromRows([[1, 2]]), 0, drawProbes(new Random(1), 1, 1, 2))[0] // => 6
 * ```
 * @category Divergence
 */
export function hutchinson(field: VelocityField, x: Batch, t: Time, probes: readonly Batch[], out?: Float64Array): Float64Array {
  const fn = "hutchinson";
  checkVelocityField(fn, "field", field);
  const xb = asBatch(fn, "x", x, { dim: field.dim });
  const n = xb.shape[0] as number;
  const d = field.dim;
  checkTime(fn, "t", t, n, -Infinity, Infinity);
  if (!Array.isArray(probes) || probes.length === 0) throw new DomainError(fn, "probes", "be a non-empty array of batches", describeValue(probes));
  const result = outputArray(fn, out, n);
  const zs = probes.map((z, p) => asBatch(fn, `probes[${p}]`, z, { dim: d, rows: n }));
  runFieldSync(fn, hutchinsonSteps(syncOps(field), xb, t, zs, result), field);
  checkFiniteEstimate(fn, "estimate", result, 1, "scale the probes down");
  return result;
}

/** @internal Hutchinson's estimate into `out`, for checked probes. */
export function* hutchinsonSteps(ops: FieldOps, x: Batch, t: Time, probes: readonly Batch[], out: Float64Array): FieldSteps<Float64Array> {
  const n = x.shape[0] as number;
  const d = x.shape[1] as number;
  out.fill(0);
  const jv = ndarray(new Float64Array(n * d), [n, d]);
  for (const z of probes) {
    yield* jvpSteps(ops, x, t, z, jv);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = i * d; j < (i + 1) * d; j++) s += (z.data[j] as number) * (jv.data[j] as number);
      out[i] = (out[i] as number) + s / probes.length;
    }
  }
  return out;
}

import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import type { VelocityField } from "../core/interfaces.js";
import { checkTime, type Time } from "../core/time.js";
import { checkVelocityField, outputArray } from "../core/check.js";
import { describeValue } from "../core/format.js";
import { jvpSteps } from "./jvp.js";
import type { FieldOps, FieldSteps } from "./field-steps.js";
import { checkFiniteEstimate, runFieldSync, syncOps } from "./field-steps.js";
import { norm } from "../core/row-norm.js";

/**
 * Hutch++ (Meyer, Musco, Musco, Woodruff 2021) estimate of the divergence per row:
 * with Q an orthonormal basis of A S (A the row's Jacobian, S the k sketch probes),
 * tr A ~ tr(Q^T A Q) + (1/m) sum_l g_l^T (I - QQ^T) A (I - QQ^T) g_l over the m test probes g_l.
 * It is exact on the part of the spectrum that Q captures, so it has much lower variance than
 * {@link hutchinson} when the Jacobian's spectrum decays fast. Costs 2k + m Jacobian-vector products (a field with only `vjp` runs it on A^T, whose trace is the same).
 *
 * @param field - the velocity field
 * @param x - points, shape [n, dim]
 * @param t - one time or one per row
 * @param sketch - k >= 1 probe batches [n, dim] for the range sketch
 * @param test - m >= 1 probe batches [n, dim] for the residual
 * @param out - optional output of length n
 * @returns the estimate at each row
 * @throws {@link ShapeError} for mismatched shapes; {@link DomainError} for empty probe lists;
 *   {@link NonFiniteError} for an estimate that overflows (g^T J g beyond 1e308 for a test probe g)
 * @example
 * ```ts
 * // u(x) = diag(1, 2) x: with k = 2 Gaussian sketch probes Q spans R^2 and the estimate is exact
 * const field = { dim: 2, evaluate: (x) => x, jvp: (x, t, v, out) => { out.data[0] = v.data[0]; out.data[1] = 2 * v.data[1]; return out; } };
 * const rng = new Random(3);
 * hutchPlusPlus(field, fromRows([[0, 0]]), 0, drawProbes(rng, 2, 1, 2, "gaussian"), drawProbes(rng, 1, 1, 2))[0] // => 3 (to ~1e-12)
 * ```
 * @category Divergence
 */
export function hutchPlusPlus(
  field: VelocityField, x: Batch, t: Time, sketch: readonly Batch[], test: readonly Batch[], out?: Float64Array,
): Float64Array {
  const fn = "hutchPlusPlus";
  checkVelocityField(fn, "field", field);
  const xb = asBatch(fn, "x", x, { dim: field.dim });
  const n = xb.shape[0] as number;
  const d = field.dim;
  checkTime(fn, "t", t, n, -Infinity, Infinity);
  if (!Array.isArray(sketch) || sketch.length === 0) throw new DomainError(fn, "sketch", "be a non-empty array of batches", describeValue(sketch));
  if (!Array.isArray(test) || test.length === 0) throw new DomainError(fn, "test", "be a non-empty array of batches", describeValue(test));
  const result = outputArray(fn, out, n);
  const sketches = sketch.map((b, p) => asBatch(fn, `sketch[${p}]`, b, { dim: d, rows: n }));
  const tests = test.map((b, l) => asBatch(fn, `test[${l}]`, b, { dim: d, rows: n }));
  runFieldSync(fn, hutchPlusPlusSteps(syncOps(field), xb, t, sketches, tests, result), field);
  checkFiniteEstimate(fn, "estimate", result, 1, "scale the test probes down");
  return result;
}

/** @internal Hutch++ into `result`, for checked sketch and test probes. */
export function* hutchPlusPlusSteps(
  ops: FieldOps, xb: Batch, t: Time, sketch: readonly Batch[], test: readonly Batch[], result: Float64Array,
): FieldSteps<Float64Array> {
  const n = xb.shape[0] as number;
  const d = xb.shape[1] as number;
  const k = sketch.length;
  // Q: k columns per row, stored as k batches [n, d]; orthonormalised row by row (modified Gram-Schmidt).
  const Q: Batch[] = [];
  for (const s of sketch) Q.push(yield* jvpSteps(ops, xb, t, s, ndarray(new Float64Array(n * d), [n, d])));
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < k; a++) {
      const qa = (Q[a] as Batch).data;
      const scale = norm(qa, i * d, d);
      for (let b = 0; b < a; b++) {
        const qb = (Q[b] as Batch).data;
        let dot = 0;
        for (let j = i * d; j < (i + 1) * d; j++) dot += (qa[j] as number) * (qb[j] as number);
        for (let j = i * d; j < (i + 1) * d; j++) qa[j] = (qa[j] as number) - dot * (qb[j] as number);
      }
      const length = norm(qa, i * d, d);
      // a column that is (numerically) in the span of the previous ones is dropped (set to 0)
      const keep = length > 1e-12 * Math.max(scale, Number.MIN_VALUE);
      for (let j = i * d; j < (i + 1) * d; j++) qa[j] = keep ? (qa[j] as number) / length : 0;
    }
  }
  result.fill(0);
  for (let a = 0; a < k; a++) {
    const q = Q[a] as Batch;
    const aq = yield* jvpSteps(ops, xb, t, q, ndarray(new Float64Array(n * d), [n, d]));
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = i * d; j < (i + 1) * d; j++) s += (q.data[j] as number) * (aq.data[j] as number);
      result[i] = (result[i] as number) + s;
    }
  }
  const g = new Float64Array(n * d);
  for (let l = 0; l < test.length; l++) {
    const gl = test[l] as Batch;
    g.set(gl.data);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < k; a++) {
        const qa = (Q[a] as Batch).data;
        let dot = 0;
        for (let j = i * d; j < (i + 1) * d; j++) dot += (qa[j] as number) * (g[j] as number);
        for (let j = i * d; j < (i + 1) * d; j++) g[j] = (g[j] as number) - dot * (qa[j] as number);
      }
    }
    const ag = yield* jvpSteps(ops, xb, t, ndarray(g, [n, d]), ndarray(new Float64Array(n * d), [n, d]));
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = i * d; j < (i + 1) * d; j++) s += (g[j] as number) * (ag.data[j] as number);
      result[i] = (result[i] as number) + s / test.length;
    }
  }
  return result;
}

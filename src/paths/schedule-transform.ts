import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Scheduler, VelocityField } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import { checkTime, timeAt } from "../core/time.js";
import { checkOptions, outputArray, checkSchedulerKind, checkVelocityField } from "../core/check.js";
import { schedulerAt } from "../velocity/scheduler-like.js";
import { modelBatch, modelValues } from "../velocity/field-output.js";

/** Options of {@link scheduleTransform}. @category Paths */
export interface ScheduleTransformOptions {
  /** The scheduler the field was trained under (alpha_t, sigma_t); it must have `snrInverse`. */
  from: Scheduler;
  /** The scheduler whose field is wanted (a_r, s_r). */
  to: Scheduler;
}

/**
 * Turns the marginal velocity field u of an affine path with scheduler A = (alpha_t, sigma_t)
 * into the field of scheduler B = (a_r, s_r) for the same source and data.
 *
 * Derivation: pick t(r) with equal signal-to-noise ratio, alpha_t / sigma_t = a_r / s_r
 * (t = A.snrInverse(a_r / s_r)). Then (a_r, s_r) = c(r) (alpha_t, sigma_t) with
 * c = |(a_r, s_r)| / |(alpha_t, sigma_t)|, so x^B_r = c(r) x^A_{t(r)} and
 *
 *   v(x, r) = (c'/c) x + c t' u(x / c, t),
 *
 * with the angle theta = atan2(alpha, sigma), theta' = (alpha' sigma - sigma' alpha)/(alpha^2 + sigma^2):
 * t' = theta_B'(r) / theta_A'(t) and c'/c = (a a' + s s')/(a^2 + s^2) - t' (alpha alpha' + sigma sigma')/(alpha^2 + sigma^2).
 * These forms stay finite at r = 0 and r = 1 (no division by alpha or sigma alone).
 * The wrapper also has `divergence` (div v = d c'/c + t' div u) when the wrapped field has one.
 *
 * @param field - the field trained under `from`
 * @param options - `from` and `to`
 * @returns a velocity field of the same dimension
 * @throws {@link DomainError} when `from` has no `snrInverse` or `to` is not a scheduler; from `evaluate`, when B's SNR at r is outside A's range (for example A = VP, whose SNR at t = 0 is not 0) or the reparameterisation is singular;
 *   from `evaluate` and `divergence`, {@link ShapeError} or {@link NonFiniteError} when the wrapped field returns a result of the wrong shape or non-finite values
 * @example
 * ```ts
 * const u = { dim: 1, evaluate: (x: Batch) => x }; // a field trained under condOT
 * const v = scheduleTransform(u, { from: condOT(), to: cosine() });
 * v.evaluate(fromRows([[1]]), 0.5).data // => Float64Array [0.7853981633974484] (= pi/4)
 * ```
 * @category Paths
 */
export function scheduleTransform(field: VelocityField, options: ScheduleTransformOptions): VelocityField {
  options = checkOptions("scheduleTransform", "options", options, true);
  const fn = "scheduleTransform";
  checkVelocityField(fn, "field", field);
  const { from, to } = options;
  if (typeof from?.snrInverse !== "function") throw new DomainError(fn, "options.from", "be a scheduler with snrInverse", describeValue(from?.name));
  checkSchedulerKind(fn, "options.from", from);
  checkSchedulerKind(fn, "options.to", to);
  const dim = field.dim;
  const snrInverse = from.snrInverse.bind(from);
  const map = (r: number): Reparam => reparameterise(`${fn}.evaluate`, from, to, snrInverse, r);
  const wrapped: VelocityField = {
    dim,
    evaluate(x: Batch, t: Time, out?: Batch): Batch {
      const xb = asBatch(`${fn}.evaluate`, "x", x, { dim });
      const n = xb.shape[0] as number;
      checkTime(`${fn}.evaluate`, "t", t, n);
      const maps = perRow(n, t, map);
      const scaled = new Float64Array(n * dim);
      const times = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const m = maps[i] as Reparam;
        times[i] = m.t;
        for (let j = i * dim; j < (i + 1) * dim; j++) scaled[j] = (xb.data[j] as number) / m.c;
      }
      const u = modelBatch(`${fn}.evaluate`, "field.evaluate", field.evaluate(ndarray(scaled, [n, dim]), times), n, dim);
      const result = outputBatch(`${fn}.evaluate`, out, n, dim);
      for (let i = 0; i < n; i++) {
        const m = maps[i] as Reparam;
        for (let j = i * dim; j < (i + 1) * dim; j++) {
          result.data[j] = m.logRate * (xb.data[j] as number) + m.c * m.dt * (u.data[j] as number);
        }
      }
      return result;
    },
  };
  const divergence = field.divergence?.bind(field);
  if (divergence !== undefined) {
    wrapped.divergence = (x: Batch, t: Time, out?: Float64Array): Float64Array => {
      const xb = asBatch(`${fn}.divergence`, "x", x, { dim });
      const n = xb.shape[0] as number;
      checkTime(`${fn}.divergence`, "t", t, n);
      const maps = perRow(n, t, map);
      const scaled = new Float64Array(n * dim);
      const times = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const m = maps[i] as Reparam;
        times[i] = m.t;
        for (let j = i * dim; j < (i + 1) * dim; j++) scaled[j] = (xb.data[j] as number) / m.c;
      }
      const div = modelValues(`${fn}.divergence`, "field.divergence", divergence(ndarray(scaled, [n, dim]), times), n);
      const result = outputArray(fn, out, n);
      for (let i = 0; i < n; i++) {
        const m = maps[i] as Reparam;
        result[i] = dim * m.logRate + m.dt * (div[i] as number);
      }
      return result;
    };
  }
  return wrapped;
}

/** The reparameterisation at one time r: A's time t, scale c, dt/dr and c'/c. */
interface Reparam {
  t: number;
  c: number;
  dt: number;
  logRate: number;
}

function perRow(n: number, t: Time, map: (r: number) => Reparam): Reparam[] {
  if (typeof t === "number") return new Array<Reparam>(n).fill(map(t));
  const maps: Reparam[] = [];
  for (let i = 0; i < n; i++) maps.push(map(timeAt(t, i)));
  return maps;
}

function reparameterise(fn: string, from: Scheduler, to: Scheduler, snrInverse: (snr: number) => number, r: number): Reparam {
  const b = schedulerAt(fn, to, r);
  const ratio = b.sigma === 0 ? Infinity : b.alpha / b.sigma;
  const t: unknown = snrInverse(ratio);
  if (typeof t !== "number" || !(t >= 0 && t <= 1)) {
    throw new DomainError(fn, "options.from.snrInverse", `return a time in [0, 1] (for the SNR ${ratio} of options.to at t = ${r})`, describeValue(t));
  }
  const a = schedulerAt(fn, from, t);
  const normB = b.alpha * b.alpha + b.sigma * b.sigma;
  const normA = a.alpha * a.alpha + a.sigma * a.sigma;
  const thetaB = (b.dAlpha * b.sigma - b.dSigma * b.alpha) / normB;
  const thetaA = (a.dAlpha * a.sigma - a.dSigma * a.alpha) / normA;
  const c = Math.sqrt(normB / normA);
  const dt = thetaB / thetaA;
  const logRate = (b.alpha * b.dAlpha + b.sigma * b.dSigma) / normB - (dt * (a.alpha * a.dAlpha + a.sigma * a.dSigma)) / normA;
  if (![c, dt, logRate].every(Number.isFinite) || c === 0) {
    throw new DomainError(fn, "t", "be a time where the schedule transform is regular (finite, non-zero scale and time derivative)", String(r));
  }
  return { t, c, dt, logRate };
}

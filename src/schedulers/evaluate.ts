import { schedulerAt } from "../velocity/scheduler-like.js";
import { checkInRange, checkSchedulerKind, checkOptions } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Scheduler } from "../core/interfaces.js";

/** Scheduler values at many times, one Float64Array per quantity. @category Schedulers */
export interface SchedulerArrays {
  /** alpha_t for each time. */
  alpha: Float64Array;
  /** sigma_t for each time. */
  sigma: Float64Array;
  /** d alpha_t / dt for each time. */
  dAlpha: Float64Array;
  /** d sigma_t / dt for each time. */
  dSigma: Float64Array;
}

/**
 * Evaluates a scheduler at every entry of a Float64Array of times (vectorised `at`):
 * `alpha[i] = at(times[i]).alpha`, and so on.
 *
 * @param scheduler - any {@link Scheduler}
 * @param times - times in [0, 1]
 * @param out - optional arrays of the same length to fill and return
 * @throws {@link DomainError} for a time outside [0, 1]; {@link ShapeError} for `out` arrays of the wrong length
 * @example
 * ```ts
 * schedulerValues(condOT(), new Float64Array([0, 0.5])).sigma // => Float64Array [1, 0.5]
 * ```
 * @category Schedulers
 */
export function schedulerValues(scheduler: Scheduler, times: Float64Array, out?: SchedulerArrays): SchedulerArrays {
  const fn = "schedulerValues";
  checkSchedulerKind(fn, "scheduler", scheduler);
  if (out !== undefined) checkOptions(fn, "out", out);
  if (!(times instanceof Float64Array)) throw new DomainError(fn, "times", "be a Float64Array", describeValue(times));
  const n = times.length;
  const result = out ?? { alpha: new Float64Array(n), sigma: new Float64Array(n), dAlpha: new Float64Array(n), dSigma: new Float64Array(n) };
  for (const k of ["alpha", "sigma", "dAlpha", "dSigma"] as const) {
    if (!(result[k] instanceof Float64Array)) throw new ShapeError(fn, `out.${k}`, "be a Float64Array", describeValue(result[k]));
    if (result[k].length !== n) throw new ShapeError(fn, `out.${k}`, `have length ${n}`, String(result[k].length));
  }
  for (let i = 0; i < n; i++) {
    const v = schedulerAt(fn, scheduler, checkInRange(fn, `times[${i}]`, times[i], 0, 1));
    result.alpha[i] = v.alpha;
    result.sigma[i] = v.sigma;
    result.dAlpha[i] = v.dAlpha;
    result.dSigma[i] = v.dSigma;
  }
  return result;
}

/**
 * The signal-to-noise ratio alpha_t / sigma_t of a scheduler at time t (Infinity where sigma_t = 0).
 *
 * @example
 * ```ts
 * snr(condOT(), 0.75) // => 3
 * ```
 * @category Schedulers
 */
export function snr(scheduler: Scheduler, t: number): number {
  checkSchedulerKind("snr", "scheduler", scheduler);
  const { alpha, sigma } = schedulerAt("snr", scheduler, checkInRange("snr", "t", t, 0, 1));
  return sigma === 0 ? (alpha === 0 ? 0 : Infinity) : alpha / sigma;
}

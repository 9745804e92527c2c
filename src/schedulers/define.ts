import { checkInRange } from "../core/check.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Scheduler, SchedulerValues } from "../core/interfaces.js";

/** Options of {@link defineScheduler}: the scheduler as plain functions of t in [0, 1]. @category Schedulers */
export interface SchedulerDefinition {
  /** A short name used in messages. */
  name: string;
  /** alpha_t, the weight of the data sample x1. */
  alpha: (t: number) => number;
  /** sigma_t, the weight of the source sample x0. */
  sigma: (t: number) => number;
  /** d alpha_t / dt. */
  dAlpha: (t: number) => number;
  /** d sigma_t / dt. */
  dSigma: (t: number) => number;
  /**
   * The inverse of t -> alpha_t / sigma_t. Pass a function, or `"bisection"` to have one
   * computed by bisection (valid only when the SNR is increasing). Omit when the SNR is not monotone.
   */
  snrInverse?: ((snr: number) => number) | "bisection";
  /** The inverse of t -> alpha_t for convex schedulers (alpha_t + sigma_t = 1). */
  kappaInverse?: (kappa: number) => number;
}

/**
 * Builds a {@link Scheduler} from four functions, so that user-defined schedules work
 * everywhere the built-in ones do (paths, schedule transforms, the testing kit).
 * `at(t)` returns `{ alpha: alpha(t), sigma: sigma(t), dAlpha: dAlpha(t), dSigma: dSigma(t) }`.
 *
 * @param definition - the functions and a name
 * @returns a scheduler; `snrInverse`/`kappaInverse` are present only when given
 * @throws {@link DomainError} from `at` for t outside [0, 1] or a NaN value of a user function
 * @example
 * ```ts
 * const s = defineScheduler({ name: "sq", alpha: (t) => t * t, sigma: (t) => 1 - t * t,
 *   dAlpha: (t) => 2 * t, dSigma: (t) => -2 * t, snrInverse: "bisection" });
 * s.at(0.5) // => { alpha: 0.25, sigma: 0.75, dAlpha: 1, dSigma: -1 }
 * ```
 * @category Schedulers
 */
export function defineScheduler(definition: SchedulerDefinition): Scheduler {
  const fn = "defineScheduler";
  if (definition === null || typeof definition !== "object") throw new DomainError(fn, "definition", "be an object", describeValue(definition));
  for (const key of ["alpha", "sigma", "dAlpha", "dSigma"] as const) {
    if (typeof definition[key] !== "function") throw new DomainError(fn, key, "be a function of t", describeValue(definition[key]));
  }
  const { name, alpha, sigma, dAlpha, dSigma } = definition;
  const label = `${String(name)}.at`;
  const scheduler: Scheduler = {
    name: String(name),
    at(t: number): SchedulerValues {
      checkInRange(label, "t", t, 0, 1);
      const values = { alpha: alpha(t), sigma: sigma(t), dAlpha: dAlpha(t), dSigma: dSigma(t) };
      for (const [k, v] of Object.entries(values)) {
        if (typeof v !== "number" || Number.isNaN(v)) throw new DomainError(label, k, "be a number (not NaN)", `${describeValue(v)} at t = ${t}`);
      }
      return values;
    },
  };
  const inverse = definition.snrInverse;
  if (inverse === "bisection") scheduler.snrInverse = (snr) => bisect(`${scheduler.name}.snrInverse`, (t) => alpha(t) / sigma(t), snr);
  else if (typeof inverse === "function") scheduler.snrInverse = inverse;
  if (typeof definition.kappaInverse === "function") scheduler.kappaInverse = definition.kappaInverse;
  return scheduler;
}

/**
 * Solves f(t) = y for an increasing f on [0, 1] by bisection (at most 200 halvings, so it
 * always ends), returning the end point when y is at or beyond f's range at that end.
 */
function bisect(fn: string, f: (t: number) => number, y: number): number {
  if (typeof y !== "number" || Number.isNaN(y) || y < 0) throw new DomainError(fn, "snr", "be a number >= 0", describeValue(y));
  const f0 = f(0);
  const f1 = f(1);
  if (y < f0) throw new DomainError(fn, "snr", `be >= snr(0) = ${f0}`, describeValue(y));
  if (y === f0) return 0;
  if (y >= f1) {
    if (y === f1 || y === Infinity) return 1;
    throw new DomainError(fn, "snr", `be <= snr(1) = ${f1}`, describeValue(y));
  }
  let lo = 0;
  let hi = 1;
  for (let k = 0; k < 200 && hi - lo > 0; k++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (f(mid) < y) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

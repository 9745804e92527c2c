import type { Scheduler, SchedulerValues } from "../core/interfaces.js";
import { DomainError, NonFiniteError } from "../core/errors.js";
import { describeValue } from "../core/format.js";

/**
 * Where a closed-form field takes its affine path from: a {@link Scheduler} itself or any
 * object carrying one as `scheduler` (such as an affine probability path).
 *
 * @category Velocity fields
 */
export type SchedulerSource = Scheduler | { readonly scheduler: Scheduler };

/**
 * Returns the scheduler of a {@link SchedulerSource}.
 *
 * @internal
 */
export function resolveScheduler(fn: string, source: SchedulerSource): Scheduler {
  if (source !== null && typeof source === "object") {
    if (typeof (source as Scheduler).at === "function") return source as Scheduler;
    const inner = (source as { scheduler?: Scheduler }).scheduler;
    if (inner !== null && typeof inner === "object" && typeof inner.at === "function") return inner;
  }
  throw new DomainError(fn, "path", "be a scheduler (with at(t)) or an affine path (with .scheduler)", describeValue(source));
}

/**
 * Scheduler values at t as the scheduler gives them, checked only for their kind: an object
 * whose alpha and sigma are finite numbers and whose dAlpha and dSigma are numbers (an
 * infinite derivative at an end of [0, 1] is allowed; NaN or a missing derivative is not).
 *
 * @internal
 */
export function schedulerAt(fn: string, scheduler: Scheduler, t: number): SchedulerValues {
  const s = scheduler.at(t) as SchedulerValues | null | undefined;
  if (s === null || typeof s !== "object") throw new DomainError(fn, `scheduler.at(${t})`, "return { alpha, sigma, dAlpha, dSigma }", describeValue(s));
  const { alpha, sigma, dAlpha, dSigma } = s;
  // fast path (one call per row in the paths): x - x === 0 holds exactly for finite x, y === y for non-NaN y
  if (typeof alpha === "number" && typeof sigma === "number" && typeof dAlpha === "number" && typeof dSigma === "number" &&
    alpha - alpha === 0 && sigma - sigma === 0 && dAlpha === dAlpha && dSigma === dSigma) return s;
  for (const key of ["alpha", "sigma", "dAlpha", "dSigma"] as const) {
    const v = s[key];
    if (typeof v !== "number" || Number.isNaN(v) || (!Number.isFinite(v) && (key === "alpha" || key === "sigma"))) {
      throw new NonFiniteError(fn, `scheduler.at(${t}).${key}`, key === "alpha" || key === "sigma" ? "be a finite number" : "be a number (not NaN)", describeValue(v));
    }
  }
  return s;
}

/**
 * Scheduler values at t, checked finite with alpha, sigma >= 0 and not both zero.
 *
 * @internal
 */
export function valuesAt(fn: string, scheduler: Scheduler, t: number): SchedulerValues {
  const s = scheduler.at(t) as SchedulerValues | null | undefined;
  if (s === null || typeof s !== "object") throw new DomainError(fn, `scheduler.at(${t})`, "return { alpha, sigma, dAlpha, dSigma }", describeValue(s));
  for (const key of ["alpha", "sigma", "dAlpha", "dSigma"] as const) {
    if (!Number.isFinite(s[key])) throw new NonFiniteError(fn, `scheduler.at(${t}).${key}`, "be finite", describeValue(s[key]));
  }
  if (!(s.alpha >= 0 && s.sigma >= 0 && s.alpha + s.sigma > 0)) {
    throw new DomainError(fn, `scheduler.at(${t})`, "have alpha, sigma >= 0, not both 0", `alpha = ${s.alpha}, sigma = ${s.sigma}`);
  }
  return s;
}

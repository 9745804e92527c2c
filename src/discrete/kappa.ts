import { DomainError } from "../core/errors.js";
import type { Scheduler } from "../core/interfaces.js";
import { schedulerAt } from "../velocity/scheduler-like.js";

/**
 * kappa_t = alpha_t of a convex scheduler and its derivative, after checking convexity
 * (alpha_t + sigma_t = 1), that kappa_t lies in [0, 1] and that kappa'_t is finite and >= 0
 * (kappa non-decreasing: a decreasing kappa gives negative jump rates).
 *
 * @param scheduler - a convex scheduler
 * @param t - time
 * @param fn - calling function, for the message
 * @returns kappa_t and kappa'_t
 * @throws {@link DomainError} for a non-convex scheduler, kappa_t outside [0, 1], or kappa'_t negative or not finite
 * @example
 * ```ts
 * mixtureKappa({ name: "condOT", at: (t) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) }, 0.25, "f")
 * // => { kappa: 0.25, dKappa: 1 }
 * ```
 * @category Discrete
 */
export function mixtureKappa(scheduler: Scheduler, t: number, fn: string): { kappa: number; dKappa: number } {
  if (scheduler === null || typeof scheduler !== "object" || typeof scheduler.at !== "function") {
    throw new DomainError(fn, "scheduler", "be a Scheduler with at(t)", typeof scheduler);
  }
  const s = schedulerAt(fn, scheduler, t);
  if (!(Math.abs(s.alpha + s.sigma - 1) <= 1e-9) || !(s.alpha >= 0 && s.alpha <= 1) || !Number.isFinite(s.dAlpha) || !(s.dAlpha >= 0)) {
    throw new DomainError(fn, "scheduler", "be convex and non-decreasing (alpha_t + sigma_t = 1, alpha_t in [0, 1], finite alpha'_t >= 0)",
      `alpha = ${s.alpha}, sigma = ${s.sigma}, dAlpha = ${s.dAlpha} at t = ${t}`);
  }
  return { kappa: s.alpha, dKappa: s.dAlpha };
}

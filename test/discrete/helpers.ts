import type { Scheduler } from "../../src/core/interfaces.js";

/** condOT: alpha_t = t, sigma_t = 1 - t (local copy; schedulers live on another branch). */
export const condOT: Scheduler = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };

/** A convex scheduler with kappa_t = t^2. */
export const quadratic: Scheduler = { name: "quadratic", at: (t: number) => ({ alpha: t * t, sigma: 1 - t * t, dAlpha: 2 * t, dSigma: -2 * t }) };

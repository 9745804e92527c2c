import type { Scheduler } from "../../src/core/interfaces.js";

/** condOT: alpha_t = t, sigma_t = 1 - t (local copy; schedulers live on another branch). */
export const condOT: Scheduler = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };

/** A smooth convex scheduler with kappa_t = t^2 (3 - 2t)... its derivative 6t(1 - t). */
export const smoothstep: Scheduler = {
  name: "smoothstep",
  at: (t: number) => ({ alpha: t * t * (3 - 2 * t), sigma: 1 - t * t * (3 - 2 * t), dAlpha: 6 * t * (1 - t), dSigma: -6 * t * (1 - t) }),
};

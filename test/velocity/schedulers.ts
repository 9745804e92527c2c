import type { Scheduler } from "../../src/core/interfaces.js";

/** Test-only schedulers (the library's live in src/schedulers, written in parallel). */
export const condOT: Scheduler = { name: "condOT", at: (t) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
export const cosine: Scheduler = {
  name: "cosine",
  at: (t) => ({ alpha: Math.sin((Math.PI * t) / 2), sigma: Math.cos((Math.PI * t) / 2), dAlpha: (Math.PI / 2) * Math.cos((Math.PI * t) / 2), dSigma: -(Math.PI / 2) * Math.sin((Math.PI * t) / 2) }),
};
export const polynomial2: Scheduler = { name: "polynomial(2)", at: (t) => ({ alpha: t * t, sigma: 1 - t * t, dAlpha: 2 * t, dSigma: -2 * t }) };
/** VP with betaMin 0.1, betaMax 20 (REFERENCES.md). */
export const vp: Scheduler = {
  name: "VP",
  at: (t) => {
    const bMin = 0.1, bMax = 20, s = 1 - t;
    const T = 0.5 * s * s * (bMax - bMin) + s * bMin;
    const dT = -(s * (bMax - bMin) + bMin);
    const alpha = Math.exp(-T / 2);
    const sigma = Math.sqrt(1 - Math.exp(-T));
    return { alpha, sigma, dAlpha: -0.5 * dT * alpha, dSigma: (0.5 * Math.exp(-T) * dT) / sigma };
  },
};
export const schedulers = [condOT, cosine, polynomial2, vp];

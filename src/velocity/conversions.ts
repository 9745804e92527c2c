import type { SchedulerValues } from "../core/interfaces.js";

/**
 * Coefficients (a, b) of u = a x + b p for a prediction p of an affine path, by
 * parameterisation (REFERENCES.md, "Conversions for an affine path"):
 * - x1: a = sigma'/sigma, b = (alpha' sigma - sigma' alpha)/sigma; at sigma = 0 the
 *   prediction fixes x1 and the noise term has its prior mean 0: a = 0, b = alpha'.
 * - epsilon: a = alpha'/alpha, b = (sigma' alpha - alpha' sigma)/alpha; null at alpha = 0.
 * - score (standard normal source): eps = -sigma s, so a = alpha'/alpha,
 *   b = sigma (alpha' sigma - sigma' alpha)/alpha; null at alpha = 0.
 * Kept private to velocity/ until src/paths exports the same conversions.
 *
 * @internal
 */
export function conversionCoefficients(kind: "x1" | "epsilon" | "score", s: SchedulerValues): { a: number; b: number } | null {
  const { alpha, sigma, dAlpha, dSigma } = s;
  if (kind === "x1") {
    if (sigma === 0) return { a: 0, b: dAlpha };
    return { a: dSigma / sigma, b: (dAlpha * sigma - dSigma * alpha) / sigma };
  }
  if (alpha === 0) return null;
  if (kind === "epsilon") return { a: dAlpha / alpha, b: (dSigma * alpha - dAlpha * sigma) / alpha };
  return { a: dAlpha / alpha, b: (sigma * (dAlpha * sigma - dSigma * alpha)) / alpha };
}

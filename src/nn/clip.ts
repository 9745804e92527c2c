import { checkPositive } from "../core/check.js";
import { NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";

/**
 * Clips a gradient by its global Euclidean norm, in place: g <- g min(1, maxNorm / ||g||).
 *
 * @param gradient - the gradient, scaled in place
 * @param maxNorm - the largest norm allowed (> 0)
 * @returns the norm before clipping
 * @throws {@link NonFiniteError} when the gradient holds NaN or Infinity; {@link DomainError} for a non-positive maxNorm
 * @example
 * ```ts
 * const g = new Float64Array([3, 4]); clipGradNorm(g, 1); // => 5, and g is [0.6, 0.8]
 * ```
 * @category Neural networks
 */
export function clipGradNorm(gradient: Float64Array, maxNorm: number): number {
  checkPositive("clipGradNorm", "maxNorm", maxNorm);
  const norm = gradNorm(gradient);
  if (!Number.isFinite(norm)) throw new NonFiniteError("clipGradNorm", "gradient", "be finite", String(norm));
  if (norm > maxNorm) {
    const scale = maxNorm / norm;
    for (let i = 0; i < gradient.length; i++) gradient[i] = (gradient[i] as number) * scale;
  }
  return norm;
}

/**
 * The Euclidean norm sqrt(sum g_i^2) of a flat gradient, scaled to avoid overflow.
 *
 * @param gradient - the vector
 * @returns its norm (NaN or Infinity when an entry is)
 * @example
 * ```ts
 * gradNorm(new Float64Array([3, 4])) // => 5
 * ```
 * @category Neural networks
 */
export function gradNorm(gradient: Float64Array): number {
  if (!(gradient instanceof Float64Array)) throw new ShapeError("gradNorm", "gradient", "be a Float64Array", describeValue(gradient));
  let max = 0;
  for (let i = 0; i < gradient.length; i++) {
    const a = Math.abs(gradient[i] as number);
    if (!(a <= max)) max = a;
  }
  if (max === 0 || !Number.isFinite(max)) return max;
  let s = 0;
  for (let i = 0; i < gradient.length; i++) { const r = (gradient[i] as number) / max; s += r * r; }
  return max * Math.sqrt(s);
}

import { checkFiniteArray, checkPositive } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { MarginalVelocityField } from "./marginal.js";
import { marginalVelocity } from "./marginal.js";
import type { SchedulerSource } from "./scheduler-like.js";

/**
 * The closed-form velocity of an affine path from N(0, I) to N(mu, diag s^2) (independent
 * coupling): per coordinate, u_i(t, x) = alpha' mu_i + c_i (x_i - alpha mu_i) with
 * c_i = (alpha' alpha s_i^2 + sigma' sigma) / (alpha^2 s_i^2 + sigma^2); for condOT this is
 * mu_i + (t s_i^2 - (1 - t)) / ((1-t)^2 + t^2 s_i^2) (x_i - t mu_i). The Jacobian is
 * diag(c), so the divergence sum_i c_i is exact and integral_0^1 div u dt = sum_i ln s_i. Stds whose
 * square leaves the float64 range (1e200, 1e-200) are handled in scaled form: the field stays finite.
 *
 * @param path - scheduler or affine path
 * @param target - `{ mean, std }` (std one number or one per coordinate; a `gaussian()` distribution qualifies)
 * @returns the field (a one-component {@link MarginalVelocityField})
 * @throws {@link DomainError} for non-positive stds; {@link ShapeError} for mismatched lengths
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * gaussianVelocity(condOT, { mean: [1], std: 2 }).divergence(fromRows([[0]]), 0)[0] // => -1
 * ```
 * @category Velocity fields
 */
export function gaussianVelocity(path: SchedulerSource, target: { readonly mean: ArrayLike<number>; readonly std: number | ArrayLike<number> }): MarginalVelocityField {
  const fn = "gaussianVelocity";
  if (target === null || typeof target !== "object") throw new DomainError(fn, "target", "be { mean, std }", describeValue(target));
  const mean = Float64Array.from(checkFiniteArray(fn, "target.mean", target.mean));
  if (mean.length === 0) throw new ShapeError(fn, "target.mean", "be non-empty", "[]");
  const std = new Float64Array(mean.length);
  if (typeof target.std === "number") std.fill(checkPositive(fn, "target.std", target.std));
  else {
    checkFiniteArray(fn, "target.std", target.std);
    if (target.std.length !== mean.length) throw new ShapeError(fn, "target.std", `have length ${mean.length}`, String(target.std.length));
    for (let j = 0; j < std.length; j++) std[j] = checkPositive(fn, `target.std[${j}]`, target.std[j]);
  }
  return marginalVelocity(path, { means: [mean], stds: [std], weights: new Float64Array([1]) });
}

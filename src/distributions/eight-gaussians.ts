import { checkPositive, checkOptions } from "../core/check.js";
import { gaussianMixture, type GaussianMixtureDistribution } from "./mixture.js";

/** Options of {@link eightGaussians}. @category Distributions */
export interface EightGaussiansOptions {
  /** Distance of each center from the origin (default 5). */
  radius?: number;
  /** Standard deviation of each component, per coordinate (default 0.5). */
  std?: number;
}

/**
 * Eight equally weighted isotropic Gaussians centred at radius r on the axes and
 * diagonals: centres r (cos(k pi/4), sin(k pi/4)), k = 0..7. Defaults r = 5, std 0.5, as in
 * our reference benchmarks (bench/reference.py). Beware: torchcfm passes sqrt(0.1) where a covariance is expected, so
 * its real std is 0.1^(1/4) = 0.562; pass `std: 0.562` to match it. Exact `logProb`.
 *
 * @example
 * ```ts
 * eightGaussians().components // => 8
 * ```
 * @category Distributions
 */
export function eightGaussians(options: EightGaussiansOptions = {}): GaussianMixtureDistribution {
  options = checkOptions("eightGaussians", "options", options);
  const radius = checkPositive("eightGaussians", "radius", options.radius ?? 5);
  const std = checkPositive("eightGaussians", "std", options.std ?? 0.5);
  const means: number[][] = [];
  for (let k = 0; k < 8; k++) means.push([radius * Math.cos((k * Math.PI) / 4), radius * Math.sin((k * Math.PI) / 4)]);
  return gaussianMixture({ means, stds: std });
}

import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { checkFiniteArray, checkInteger, checkPositive, checkDraw, checkOptions, MAX_DIM } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { DensityDistribution } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import { checkFiniteSamples, standardize } from "./finite-samples.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** A Gaussian with diagonal covariance, N(mean, diag(std^2)). @category Distributions */
export interface GaussianDistribution extends DensityDistribution {
  /** Mean vector (a copy). */
  readonly mean: Float64Array;
  /** Standard deviation per coordinate (a copy). */
  readonly std: Float64Array;
}

/** Options of {@link gaussian}. @category Distributions */
export interface GaussianOptions {
  /** Mean vector; its length is the dimension. */
  mean: ArrayLike<number>;
  /** One standard deviation for all coordinates, or one per coordinate (default 1). */
  std?: number | ArrayLike<number>;
}

/**
 * A Gaussian with diagonal covariance, N(mu, diag(s^2)), with exact log density
 * log p(x) = -d/2 ln(2 pi) - sum_i ln s_i - 1/2 sum_i ((x_i - mu_i)/s_i)^2.
 *
 * `sample` throws a {@link NonFiniteError} naming `mean, std` where a draw overflows (mean and std
 * near the largest double); `logProb` stays finite where x - mean overflows but (x - mean) / std does not.
 *
 * @throws {@link NonFiniteError} for NaN/Infinity in mean or std; {@link DomainError} for std <= 0 or a non-number std; {@link ShapeError} for a std vector of the wrong length
 * @example
 * ```ts
 * const g = gaussian({ mean: [0, 0], std: 1 });
 * g.logProb(fromRows([[0, 0]]))[0] // => -1.8378770664093453 (= -ln 2 pi)
 * ```
 * @category Distributions
 */
export function gaussian(options: GaussianOptions): GaussianDistribution {
  options = checkOptions("gaussian", "options", options, true);
  const fn = "gaussian";
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object", String(options));
  const mean = Float64Array.from(checkFiniteArray(fn, "mean", options.mean ?? []));
  const dim = mean.length;
  if (dim === 0) throw new ShapeError(fn, "mean", "have at least one entry", "[]");
  const stdIn = options.std ?? 1;
  const std = new Float64Array(dim);
  if (typeof stdIn === "number") std.fill(checkPositive(fn, "std", stdIn));
  else {
    if (stdIn === null || typeof stdIn !== "object") throw new DomainError(fn, "std", "be a number or an array of numbers", describeValue(stdIn));
    if (stdIn.length !== dim) throw new ShapeError(fn, "std", `have length ${dim} like mean`, String(stdIn.length));
    for (let i = 0; i < dim; i++) std[i] = checkPositive(fn, `std[${i}]`, stdIn[i]);
  }
  let logNorm = -0.5 * dim * LOG_2PI;
  for (let i = 0; i < dim; i++) logNorm -= Math.log(std[i] as number);
  return {
    dim,
    get mean() {
      return mean.slice();
    },
    get std() {
      return std.slice();
    },
    sample(n: number, rng: Random): Batch {
      checkDraw("gaussian.sample", n, dim, rng);
      const data = new Float64Array(n * dim);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < dim; j++) data[i * dim + j] = (mean[j] as number) + (std[j] as number) * rng.normal();
      }
      return ndarray(checkFiniteSamples("gaussian.sample", "mean, std", data, dim), [n, dim]);
    },
    logProb(x: Batch): Float64Array {
      const b = asBatch("gaussian.logProb", "x", x, { dim });
      const n = b.shape[0] as number;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let q = 0;
        for (let j = 0; j < dim; j++) {
          const z = standardize(b.data[i * dim + j] as number, mean[j] as number, std[j] as number);
          q += z * z;
        }
        out[i] = logNorm - 0.5 * q;
      }
      return out;
    },
  };
}

/**
 * The standard normal N(0, I) on R^dim, the usual source p0.
 *
 * @param dim - dimension, an integer >= 1
 * @example
 * ```ts
 * standardNormal(2).logProb(fromRows([[0, 0]]))[0] // => -1.8378770664093453
 * ```
 * @category Distributions
 */
export function standardNormal(dim: number): GaussianDistribution {
  checkInteger("standardNormal", "dim", dim, 1, MAX_DIM);
  return gaussian({ mean: new Float64Array(dim), std: 1 });
}

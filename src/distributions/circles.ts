import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { checkInteger, checkInRange, checkNonNegative, checkPositive, checkDraw, checkOptions } from "../core/check.js";
import type { Distribution } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import { checkFiniteSamples } from "./finite-samples.js";

/** Options of {@link circles}. @category Distributions */
export interface CirclesOptions {
  /** Radius of the outer circle (default 4). */
  radius?: number;
  /** Inner radius as a fraction of the outer one, in (0, 1) (default 0.5, as scikit-learn's make_circles). */
  factor?: number;
  /** Std of the isotropic Gaussian noise (default 0.1). */
  noise?: number;
}

/**
 * Two concentric circles in 2-D: each sample picks the outer (radius R) or inner
 * (radius factor R) circle with probability 1/2, an angle a ~ U[0, 2 pi), and returns
 * r (cos a, sin a) + N(0, noise^2 I).
 *
 * @throws {@link DomainError} or {@link NonFiniteError} for bad options; `sample` throws a {@link NonFiniteError}
 *   naming `radius, noise` where a draw overflows (options near the largest or smallest double)
 * @example
 * ```ts
 * circles({ noise: 0 }).sample(1, new Random(0)).shape // => [1, 2]
 * ```
 * @category Distributions
 */
export function circles(options: CirclesOptions = {}): Distribution {
  options = checkOptions("circles", "options", options);
  const radius = checkPositive("circles", "radius", options.radius ?? 4);
  const factor = checkInRange("circles", "factor", options.factor ?? 0.5, Number.MIN_VALUE, 1);
  const noise = checkNonNegative("circles", "noise", options.noise ?? 0.1);
  return {
    dim: 2,
    sample(n: number, rng: Random): Batch {
      checkDraw("circles.sample", n, 2, rng);
      const data = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const r = rng.uniform() < 0.5 ? radius : factor * radius;
        const a = 2 * Math.PI * rng.uniform();
        data[2 * i] = r * Math.cos(a) + noise * rng.normal();
        data[2 * i + 1] = r * Math.sin(a) + noise * rng.normal();
      }
      return ndarray(checkFiniteSamples("circles.sample", "radius, noise", data, 2), [n, 2]);
    },
  };
}

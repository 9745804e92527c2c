import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { checkFinite, checkInteger, checkNonNegative, checkPositive, checkDraw, checkOptions } from "../core/check.js";
import type { Distribution } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import { checkFiniteSamples } from "./finite-samples.js";

/** Options of {@link moons}. @category Distributions */
export interface MoonsOptions {
  /** Std of the isotropic Gaussian noise added before scaling (default 0.1). */
  noise?: number;
  /** Factor applied after the noise (default 3). */
  scale?: number;
  /** Offset added to both coordinates after scaling (default -1). */
  shift?: number;
}

/**
 * Two interleaved half circles ("moons") in 2-D. Each sample picks a moon with
 * probability 1/2, then an angle a ~ U[0, pi): upper moon (cos a, sin a), lower moon
 * (1 - cos a, 1/2 - sin a); adds N(0, noise^2 I), multiplies by `scale`, adds `shift`.
 * The defaults (noise 0.1, scale 3, shift -1) are those of torchcfm's benchmarks and of
 * our reference benchmarks (bench/reference.py); scikit-learn's make_moons is scale 1, shift 0.
 *
 * @throws {@link DomainError} or {@link NonFiniteError} for bad options; `sample` throws a {@link NonFiniteError}
 *   naming `noise, scale, shift` where a draw overflows (options near the largest or smallest double)
 * @example
 * ```ts
 * moons().sample(256, new Random(0)).shape // => [256, 2]
 * ```
 * @category Distributions
 */
export function moons(options: MoonsOptions = {}): Distribution {
  options = checkOptions("moons", "options", options);
  const noise = checkNonNegative("moons", "noise", options.noise ?? 0.1);
  const scale = checkPositive("moons", "scale", options.scale ?? 3);
  const shift = checkFinite("moons", "shift", options.shift ?? -1);
  return {
    dim: 2,
    sample(n: number, rng: Random): Batch {
      checkDraw("moons.sample", n, 2, rng);
      const data = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const a = Math.PI * rng.uniform();
        const upper = rng.uniform() < 0.5;
        const x = upper ? Math.cos(a) : 1 - Math.cos(a);
        const y = upper ? Math.sin(a) : 0.5 - Math.sin(a);
        data[2 * i] = (x + noise * rng.normal()) * scale + shift;
        data[2 * i + 1] = (y + noise * rng.normal()) * scale + shift;
      }
      return ndarray(checkFiniteSamples("moons.sample", "noise, scale, shift", data, 2), [n, 2]);
    },
  };
}

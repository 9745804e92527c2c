import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { checkInteger, checkNonNegative, checkPositive, checkDraw, checkOptions } from "../core/check.js";
import type { Distribution } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import { checkFiniteSamples } from "./finite-samples.js";

/** Options of {@link swissRoll}. @category Distributions */
export interface SwissRollOptions {
  /** Divisor applied to the curve (default 3.5, so the roll fits in about [-4, 4]^2). */
  scaleDown?: number;
  /** Std of the isotropic Gaussian noise, after scaling (default 0.1). */
  noise?: number;
}

/**
 * The 2-D Swiss roll: a = 1.5 pi (1 + 2U), point (a cos a, a sin a) / scaleDown +
 * N(0, noise^2 I), as scikit-learn's make_swiss_roll projected on its first and third axes.
 *
 * @throws {@link DomainError} or {@link NonFiniteError} for bad options; `sample` throws a {@link NonFiniteError}
 *   naming `scaleDown, noise` where a draw overflows (options near the largest or smallest double)
 * @example
 * ```ts
 * swissRoll().sample(5, new Random(1)).shape // => [5, 2]
 * ```
 * @category Distributions
 */
export function swissRoll(options: SwissRollOptions = {}): Distribution {
  options = checkOptions("swissRoll", "options", options);
  const scaleDown = checkPositive("swissRoll", "scaleDown", options.scaleDown ?? 3.5);
  const noise = checkNonNegative("swissRoll", "noise", options.noise ?? 0.1);
  return {
    dim: 2,
    sample(n: number, rng: Random): Batch {
      checkDraw("swissRoll.sample", n, 2, rng);
      const data = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const a = 1.5 * Math.PI * (1 + 2 * rng.uniform());
        data[2 * i] = (a * Math.cos(a)) / scaleDown + noise * rng.normal();
        data[2 * i + 1] = (a * Math.sin(a)) / scaleDown + noise * rng.normal();
      }
      return ndarray(checkFiniteSamples("swissRoll.sample", "scaleDown, noise", data, 2), [n, 2]);
    },
  };
}

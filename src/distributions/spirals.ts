import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { checkInteger, checkNonNegative, checkPositive, checkDraw, checkOptions } from "../core/check.js";
import { NonFiniteError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Distribution } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import { checkFiniteSamples } from "./finite-samples.js";

/** Options of {@link spirals}. @category Distributions */
export interface SpiralsOptions {
  /** Radius reached at the end of each arm (default 4). */
  radius?: number;
  /** Number of half turns of each arm (default 3, i.e. 540 degrees as in FFJORD's "2spirals"). */
  halfTurns?: number;
  /** Std of the isotropic Gaussian noise (default 0.1). */
  noise?: number;
}

/**
 * Two interleaved Archimedean spirals in 2-D. Each sample picks arm k in {0, 1}, an angle
 * a = sqrt(U) h pi (so points are uniform in arc length, roughly), and returns
 * (R a / (h pi)) (cos(a + k pi), sin(a + k pi)) + N(0, noise^2 I).
 *
 * @throws {@link DomainError} or {@link NonFiniteError} for bad options, and a {@link NonFiniteError} for halfTurns
 *   above Number.MAX_VALUE / pi (the arm's angle h pi would overflow); `sample` throws a {@link NonFiniteError}
 *   naming `radius, noise` where a draw overflows
 * @example
 * ```ts
 * spirals().sample(3, new Random(0)).shape // => [3, 2]
 * ```
 * @category Distributions
 */
export function spirals(options: SpiralsOptions = {}): Distribution {
  options = checkOptions("spirals", "options", options);
  const radius = checkPositive("spirals", "radius", options.radius ?? 4);
  const halfTurns = checkPositive("spirals", "halfTurns", options.halfTurns ?? 3);
  const noise = checkNonNegative("spirals", "noise", options.noise ?? 0.1);
  const maxAngle = halfTurns * Math.PI;
  if (!(maxAngle <= Number.MAX_VALUE)) {
    throw new NonFiniteError("spirals", "halfTurns", "be <= Number.MAX_VALUE / pi so that the arm's angle halfTurns pi is finite", describeValue(halfTurns));
  }
  return {
    dim: 2,
    sample(n: number, rng: Random): Batch {
      checkDraw("spirals.sample", n, 2, rng);
      const data = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const a = Math.sqrt(rng.uniform()) * maxAngle;
        const phase = rng.uniform() < 0.5 ? 0 : Math.PI;
        let r = (radius * a) / maxAngle;
        // R a overflows for a radius near the largest double: R (a / (h pi)) <= R does not
        if (r - r !== 0) r = radius * (a / maxAngle);
        data[2 * i] = r * Math.cos(a + phase) + noise * rng.normal();
        data[2 * i + 1] = r * Math.sin(a + phase) + noise * rng.normal();
      }
      return ndarray(checkFiniteSamples("spirals.sample", "radius, noise", data, 2), [n, 2]);
    },
  };
}

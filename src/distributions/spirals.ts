import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { checkInteger, checkNonNegative, checkPositive, checkDraw, checkOptions } from "../core/check.js";
import type { Distribution } from "../core/interfaces.js";
import type { Random } from "../random/random.js";

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
  return {
    dim: 2,
    sample(n: number, rng: Random): Batch {
      checkDraw("spirals.sample", n, 2, rng);
      const data = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const a = Math.sqrt(rng.uniform()) * maxAngle;
        const phase = rng.uniform() < 0.5 ? 0 : Math.PI;
        const r = (radius * a) / maxAngle;
        data[2 * i] = r * Math.cos(a + phase) + noise * rng.normal();
        data[2 * i + 1] = r * Math.sin(a + phase) + noise * rng.normal();
      }
      return ndarray(data, [n, 2]);
    },
  };
}

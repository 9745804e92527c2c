import type { Batch } from "../core/batch.js";
import { checkInteger, checkElements, checkRandom } from "../core/check.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Random } from "../random/random.js";

/**
 * Distribution of the probe vectors of stochastic trace estimators: Rademacher (entries
 * +-1, the lower-variance choice) or standard Gaussian.
 *
 * @category Divergence
 */
export type ProbeNoise = "rademacher" | "gaussian";

/**
 * Draws `count` probe batches of shape [n, d] with E[z z^T] = I (one probe vector per row).
 *
 * @param rng - the seeded generator
 * @param count - number of probes per row (>= 1)
 * @param n - rows
 * @param d - dimension
 * @param noise - "rademacher" (default) or "gaussian"
 * @returns `count` batches of shape [n, d]
 * @throws {@link DomainError} for a non-integer count or an unknown noise
 * @example
 * ```ts
 * drawProbes(new Random(1), 2, 4, 3).length // => 2
 * ```
 * @category Divergence
 */
export function drawProbes(rng: Random, count: number, n: number, d: number, noise: ProbeNoise = "rademacher"): Batch[] {
  const fn = "drawProbes";
  checkInteger(fn, "count", count, 1);
  checkInteger(fn, "n", n);
  checkInteger(fn, "d", d);
  checkElements(fn, "count * n * d", count * n, d);
  checkRandom(fn, "rng", rng);
  if (noise !== "rademacher" && noise !== "gaussian") {
    throw new DomainError(fn, "noise", 'be "rademacher" or "gaussian"', describeValue(noise));
  }
  const out: Batch[] = [];
  for (let k = 0; k < count; k++) out.push(noise === "rademacher" ? rng.rademacherBatch(n, d) : rng.normalBatch(n, d));
  return out;
}

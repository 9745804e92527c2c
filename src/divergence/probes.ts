import type { Batch } from "../core/batch.js";
import { checkCount, checkInteger, checkElements, checkRandom } from "../core/check.js";
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
 * @param count - number of probes per row (1 to 2^20)
 * @param n - rows
 * @param d - dimension
 * @param noise - "rademacher" (default) or "gaussian"
 * @returns `count` batches of shape [n, d]
 * @throws {@link DomainError} for a count that is not an integer in [1, 2^20], more than 2^28
 *   elements in all, or an unknown noise
 * @example
 * ```ts
 * drawProbes(new Random(1), 2, 4, 3).length // => 2
 * ```
 * @category Divergence
 */
export function drawProbes(rng: Random, count: number, n: number, d: number, noise: ProbeNoise = "rademacher"): Batch[] {
  const fn = "drawProbes";
  checkCount(fn, "count", count, 1, MAX_PROBES);
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

/**
 * Most probe batches one call draws: 2^20. Each batch is an object of its own (a few hundred
 * bytes even when n d = 0), so the count needs a bound apart from the elements' 2^28: 2^28 empty
 * batches would exhaust the heap.
 */
const MAX_PROBES = 2 ** 20;

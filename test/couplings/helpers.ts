import { eightGaussians, moons } from "../../src/distributions/index.js";
import type { Batch } from "../../src/core/batch.js";
import { Random } from "../../src/random/random.js";

/** n points of 8 Gaussians (radius 5, std 0.5) and n of moons (noise 0.1, *3 - 1). */
export function gaussiansToMoons(n: number, seed: number): { x: Batch; y: Batch } {
  const rng = new Random(seed);
  return { x: eightGaussians().sample(n, rng), y: moons().sample(n, rng) };
}

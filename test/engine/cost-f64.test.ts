import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { pairwiseCost } from "../../src/couplings/cost.js";
import { squaredDistancesGemm } from "../../src/engine/cost-f64.js";
import { Random } from "../../src/random/index.js";
import { squaredDistancesLoop as loop } from "../helpers/distances.js";


/**
 * Points that make |x|^2 - 2 x.y + |y|^2 cancel: half near the origin, half in a cluster of
 * spread `spread` around (offset, ..., offset) (so the common mean is far from both halves), some
 * rows exact duplicates of others (distance 0).
 */
function hardPoints(rng: Random, n: number, d: number, offset: number, spread: number): Float64Array {
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) x[i * d + k] = (i % 2 === 0 ? offset : 0) + spread * rng.normal();
  for (let i = 0; i + 7 < n; i += 7) x.copyWithin(i * d, (i + 2) * d, (i + 3) * d);
  return x;
}

describe("squaredDistancesGemm", () => {
  it("property: every squared distance is within (2^-40 + (d + 4) 2^-52) of the loop's, relative, also under cancellation (points 1e6 from the mean 1e-3 apart) and exact at duplicates", () => {
    for (const d of [4, 9, 64]) for (const [offset, spread] of [[0, 1], [1e3, 1], [1e6, 1e-3]] as const) {
      const rng = new Random(d + offset);
      const n = 150, m = 130;
      const x = hardPoints(rng, n, d, offset, spread), y = hardPoints(rng, m, d, offset, spread);
      y.set(x.subarray(0, d), 5 * d);
      const want = loop(x, y, n, m, d);
      const got = new Float64Array(n * m);
      expect(squaredDistancesGemm(x, y, n, m, d, got)).toBe(true);
      const rel = (2 ** -40 + (d + 4) * 2 ** -52) * (1 + 2 ** -30);
      for (let k = 0; k < n * m; k++) expect(Math.abs((got[k] as number) - (want[k] as number))).toBeLessThanOrEqual(rel * (want[k] as number));
      expect(got[5]).toBe(0);
      // pairwiseCost takes this path at this size and gives the same bits
      expect(Array.from(pairwiseCost(ndarray(x, [n, d]), ndarray(y, [m, d])).data)).toEqual(Array.from(got));
    }
  });
});

import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { pairwiseCost } from "../../src/couplings/cost.js";
import { solveAssignment } from "../../src/couplings/assignment.js";
import { squaredDistancesGemm } from "../../src/engine/cost-f64.js";
import { Random } from "../../src/random/index.js";
import { squaredDistancesLoop as loop } from "../helpers/distances.js";


describe("pairwiseCost on the engine's GEMM", () => {
  it("at d >= 4 and n m d >= 2^16 it gives the engine's bits (squaredDistancesGemm; accuracy in test/engine/cost-f64.test.ts)", () => {
    const rng = new Random(11);
    const x = rng.normalBatch(150, 5), y = rng.normalBatch(100, 5);
    const got = new Float64Array(150 * 100);
    expect(squaredDistancesGemm(x.data, y.data, 150, 100, 5, got)).toBe(true);
    expect(Array.from(pairwiseCost(x, y).data)).toEqual(Array.from(got));
  });

  it("exact assignment on engine costs is optimal for the loop's costs up to the stated entry bound (n = 200, d = 8 and 64)", () => {
    for (const d of [8, 64]) {
      const rng = new Random(40 + d);
      const n = 200;
      const x = rng.normalBatch(n, d), y = rng.normalBatch(n, d);
      const fast = pairwiseCost(x, y);
      const exact = loop(x.data, y.data, n, n, d);
      const a = solveAssignment(fast), b = solveAssignment(ndarray(exact, [n, n]));
      let costA = 0, max = 0;
      for (let i = 0; i < n; i++) costA += exact[i * n + (a.rowToColumn[i] as number)] as number;
      for (const v of exact) max = Math.max(max, v);
      // each entry within 2^-39 relative, so the optimum moves by at most 2 n 2^-39 max C
      expect(Math.abs(costA - b.cost)).toBeLessThanOrEqual(2 * n * 2 ** -39 * max);
      expect(costA).toBeGreaterThanOrEqual(b.cost - 2 * n * 2 ** -39 * max);
    }
  });

  it("p != 2 and the 2-D loop still give the documented values", () => {
    const rng = new Random(5);
    const x = rng.normalBatch(100, 6), y = rng.normalBatch(120, 6);
    const sq = pairwiseCost(x, y).data, one = pairwiseCost(x, y, 1).data;
    for (let k = 0; k < sq.length; k++) expect(one[k]).toBe(Math.sqrt(sq[k] as number));
    const x2 = rng.normalBatch(300, 2), y2 = rng.normalBatch(300, 2);
    expect(Array.from(pairwiseCost(x2, y2).data)).toEqual(Array.from(loop(x2.data, y2.data, 300, 300, 2)));
  });
});

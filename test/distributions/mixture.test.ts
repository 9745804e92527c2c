import { describe, expect, it } from "vitest";
import { DomainError, NonFiniteError, Random, ShapeError, eightGaussians, fromRows, gaussian, gaussianMixture } from "../../src/index.js";
import { integrate2d } from "../helpers/grid.js";

describe("gaussianMixture", () => {
  it("logProb integrates to 1 within 1e-3 on a fine 2-D grid (unequal weights and per-coordinate stds)", () => {
    const m = gaussianMixture({ means: [[-2, 0], [2, 1], [0, -2]], stds: [0.5, [1, 0.4], 0.8], weights: [1, 2, 3] });
    expect(Math.abs(integrate2d((x) => m.logProb(x), -8, 8, 400) - 1)).toBeLessThan(1e-3);
    expect(Math.abs(integrate2d((x) => eightGaussians().logProb(x), -9, 9, 400) - 1)).toBeLessThan(1e-3);
  });

  it("logProb equals log sum_k w_k N(x; mu_k, s_k^2) computed directly, and stays finite far away", () => {
    const means = [[-1, 0], [3, 2]];
    const m = gaussianMixture({ means, stds: [0.5, 2], weights: [0.25, 0.75] });
    const x = fromRows([[0.3, 0.7], [1, -1]]);
    const a = gaussian({ mean: means[0]!, std: 0.5 }).logProb(x);
    const b = gaussian({ mean: means[1]!, std: 2 }).logProb(x);
    for (let i = 0; i < 2; i++) {
      expect(m.logProb(x)[i]).toBeCloseTo(Math.log(0.25 * Math.exp(a[i]!) + 0.75 * Math.exp(b[i]!)), 13);
    }
    const far = m.logProb(fromRows([[1e3, 1e3]]))[0]!;
    expect(Number.isFinite(far)).toBe(true);
    expect(far).toBeLessThan(-1e4);
  });

  it("component frequencies in samples match the weights within 4 standard errors", () => {
    const m = gaussianMixture({ means: [[-10], [10]], stds: 0.1, weights: [1, 3] });
    const n = 20_000;
    const x = m.sample(n, new Random(2)).data;
    const right = x.filter((v) => v > 0).length / n;
    expect(Math.abs(right - 0.75)).toBeLessThan(4 * Math.sqrt((0.75 * 0.25) / n));
  });

  it("eightGaussians puts its 8 centres at radius 5 on the axes and diagonals", () => {
    const g = eightGaussians();
    expect(g.components).toBe(8);
    for (const mu of g.means) expect(Math.hypot(mu[0]!, mu[1]!)).toBeCloseTo(5, 14);
    const angles = g.means.map((mu) => Math.round((Math.atan2(mu[1]!, mu[0]!) * 4) / Math.PI)).map((k) => (k + 8) % 8).sort();
    expect(angles).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(g.stds[0]!)).toEqual([0.5, 0.5]);
    expect(Array.from(g.weights)).toEqual(new Array(8).fill(1 / 8));
  });

  it("rejects empty, ragged or non-finite means, bad stds and bad weights", () => {
    expect(() => gaussianMixture({ means: [] })).toThrow(ShapeError);
    expect(() => gaussianMixture({ means: [[]] })).toThrow(ShapeError);
    expect(() => gaussianMixture({ means: [[0, 0], [1]] })).toThrow(/means\[1\] must have length 2/);
    expect(() => gaussianMixture({ means: [[0], [Number.NaN]] })).toThrow(/means\[1\]/);
    expect(() => gaussianMixture({ means: [[0], [1]], stds: [1] })).toThrow(/one entry per component/);
    expect(() => gaussianMixture({ means: [[0], [1]], stds: [1, -2] })).toThrow(/stds\[1\] must be > 0/);
    expect(() => gaussianMixture({ means: [[0, 0]], stds: [[1]] })).toThrow(/stds\[0\] must have length 2/);
    expect(() => gaussianMixture({ means: [[0], [1]], weights: [1, -1] })).toThrow(/weights\[1\] must be >= 0/);
    expect(() => gaussianMixture({ means: [[0], [1]], weights: [0, 0] })).toThrow(DomainError);
    expect(() => gaussianMixture({ means: [[0], [1]], weights: [1] })).toThrow(ShapeError);
    expect(() => gaussianMixture(undefined as never)).toThrow(DomainError);
    expect(() => eightGaussians({ std: 0 })).toThrow(/eightGaussians\(\): std must be > 0/);
  });

  it("weights whose sum overflows are normalised like their rescaled copy ([1e308, 1e308] as [1, 1])", () => {
    // before: the weights became [0, 0], logProb -Infinity everywhere and sample threw
    const huge = gaussianMixture({ means: [[0], [1]], weights: [1e308, 1e308] });
    const unit = gaussianMixture({ means: [[0], [1]], weights: [1, 1] });
    expect(Array.from(huge.weights)).toEqual([0.5, 0.5]);
    const x = fromRows([[0], [0.5], [3]]);
    expect(Array.from(huge.logProb(x))).toEqual(Array.from(unit.logProb(x)));
    expect(Array.from(huge.sample(16, new Random(3)).data)).toEqual(Array.from(unit.sample(16, new Random(3)).data));
  });

  it("null stds or weights, and draws or densities at the edge of the double range, give typed errors or finite values", () => {
    // before: TypeError from reading .length of null
    expect(() => gaussianMixture({ means: [[0], [1]], stds: [null as never, 1] })).toThrow(ShapeError);
    expect(() => gaussianMixture({ means: [[0], [1]], weights: null as never })).toThrow(/gaussianMixture\(\): weights must be an array of numbers, got null/);
    expect(() => gaussianMixture({ means: [[0], [1]], stds: "ab" as never })).toThrow(DomainError);
    expect(() => gaussianMixture({ means: [[1e308], [-1e308]], stds: 1e308 }).sample(64, new Random(1))).toThrow(NonFiniteError);
    const far = gaussianMixture({ means: [[-1e308]], stds: 1e308 }).logProb(fromRows([[1e308]]))[0]!;
    expect(far).toBeCloseTo(gaussian({ mean: [-1e308], std: 1e308 }).logProb(fromRows([[1e308]]))[0]!, 12);
    expect(Number.isFinite(far)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { Random, condOT, fromRows, gaussianVelocity, straightness, zeros, type Batch } from "../../src/index.js";

/** integral_0^1 sigma'(t)^2 dt for sigma(t) = sqrt((1 - t)^2 + t^2 s^2), by composite Simpson (smooth integrand). */
export function speedIntegral(s: number): number {
  const f = (t: number) => { const sigma = Math.sqrt((1 - t) ** 2 + t * t * s * s); return ((t * s * s - (1 - t)) / sigma) ** 2; };
  const m = 4000;
  let total = f(0) + f(1);
  for (let k = 1; k < m; k++) total += (k % 2 === 1 ? 4 : 2) * f(k / m);
  return total / (3 * m);
}

describe("straightness", () => {
  it("matches the closed form of the Gaussian-to-Gaussian flow x_t = t mu + sigma(t) x0: S = sum_j x0_j^2 (int sigma_j'^2 - (s_j - 1)^2)", () => {
    const mean = [1, -2], std = [0.5, 2];
    const field = gaussianVelocity(condOT(), { mean, std });
    const x0 = new Random(3).normalBatch(40, 2);
    const result = straightness(field, x0, { rtol: 1e-11, atol: 1e-11 });
    let expected = 0;
    for (let i = 0; i < 40; i++) {
      let row = 0;
      for (let j = 0; j < 2; j++) row += x0.data[2 * i + j]! ** 2 * (speedIntegral(std[j]!) - (std[j]! - 1) ** 2);
      expect(Math.abs(result.perRow[i]! - row)).toBeLessThan(1e-7);
      expected += row / 40;
    }
    expect(Math.abs(result.straightness - expected)).toBeLessThan(1e-8);
    expect(result.straightness).toBeGreaterThan(0.05);
    expect(Math.abs(result.pathEnergy - result.displacement - result.straightness)).toBeLessThan(1e-12);
  });

  it("is zero for a straight constant-speed field and 0.2420 x0^2 for u = x (straight but accelerating)", () => {
    // fields write into `out` when given (pathEnergy passes its buffer)
    const constant = { dim: 2, evaluate: (x: Batch, _t: unknown, o: Batch = zeros(x.shape[0] as number, 2)) => { for (let i = 0; i < o.shape[0]!; i++) o.data.set([3, -1], 2 * i); return o; } };
    const still = straightness(constant, fromRows([[0, 0], [5, 1]]));
    expect(Math.abs(still.straightness)).toBeLessThan(1e-12);
    expect(still.displacement).toBeCloseTo(10, 12);
    const grow = { dim: 1, evaluate: (x: Batch, _t: unknown, o: Batch = zeros(x.shape[0] as number, 1)) => { o.data.set(x.data); return o; } };
    const r = straightness(grow, fromRows([[1], [2]]), { rtol: 1e-12, atol: 1e-12 });
    const exact = (Math.expm1(2) / 2 - Math.expm1(1) ** 2);
    expect(r.perRow[0]).toBeCloseTo(exact, 9);
    expect(r.perRow[1]).toBeCloseTo(4 * exact, 8);
  });
});

import { describe, expect, it } from "vitest";
import { DomainError, NonFiniteError, Random, ShapeError, fromRows, gaussian, standardNormal } from "../../src/index.js";
import { integrate2d } from "../helpers/grid.js";

describe("gaussian", () => {
  it("logProb integrates to 1 within 1e-3 on a fine 2-D grid (anisotropic, shifted)", () => {
    const g = gaussian({ mean: [0.5, -1], std: [0.7, 1.3] });
    expect(Math.abs(integrate2d((x) => g.logProb(x), -9, 9, 400) - 1)).toBeLessThan(1e-3);
  });

  it("logProb equals the closed form -d/2 ln 2pi - sum ln s - |z|^2/2", () => {
    const g = gaussian({ mean: [1, 2, 3], std: [1, 2, 0.5] });
    const x = fromRows([[2, 0, 3.5]]);
    const z2 = 1 + 1 + 1;
    expect(g.logProb(x)[0]).toBeCloseTo(-1.5 * Math.log(2 * Math.PI) - Math.log(2) - Math.log(0.5) - z2 / 2, 14);
    expect(standardNormal(2).logProb(fromRows([[0, 0]]))[0]).toBeCloseTo(-Math.log(2 * Math.PI), 15);
  });

  it("samples have the requested mean and std per coordinate (within 4 standard errors)", () => {
    const g = gaussian({ mean: [3, -2], std: [0.5, 2] });
    const n = 40_000;
    const x = g.sample(n, new Random(1)).data;
    for (let j = 0; j < 2; j++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += x[2 * i + j]!;
      m /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (x[2 * i + j]! - m) ** 2;
      const s = Math.sqrt(v / (n - 1));
      expect(Math.abs(m - g.mean[j]!)).toBeLessThan(4 * g.std[j]! / Math.sqrt(n));
      expect(Math.abs(s - g.std[j]!)).toBeLessThan(4 * g.std[j]! / Math.sqrt(2 * n));
    }
  });

  it("rejects NaN in the mean, negative or zero std, mismatched lengths, empty means and bad n", () => {
    expect(() => gaussian({ mean: [0, Number.NaN] })).toThrow(NonFiniteError);
    expect(() => gaussian({ mean: [0, Number.NaN] })).toThrow(/gaussian\(\): mean/);
    expect(() => gaussian({ mean: [0], std: -1 })).toThrow(/gaussian\(\): std must be > 0, got -1/);
    expect(() => gaussian({ mean: [0, 0], std: [1, 0] })).toThrow(/std\[1\] must be > 0, got 0/);
    expect(() => gaussian({ mean: [0, 0], std: [1] })).toThrow(ShapeError);
    expect(() => gaussian({ mean: [] })).toThrow(ShapeError);
    expect(() => gaussian(null as never)).toThrow(DomainError);
    expect(() => standardNormal(0)).toThrow(/dim must be an integer >= 1/);
    expect(() => standardNormal(2).sample(1.5, new Random(0))).toThrow(/gaussian.sample\(\): n must be an integer, got 1.5/);
    expect(() => standardNormal(2).logProb(fromRows([[0, 0, 0]]))).toThrow(/x must have shape \[n, 2\]/);
  });

  it("mean and std getters return copies", () => {
    const g = gaussian({ mean: [1], std: 2 });
    g.mean[0] = 5;
    g.std[0] = 5;
    expect(g.mean[0]).toBe(1);
    expect(g.std[0]).toBe(2);
  });

  it("logProb stays finite where x - mean overflows: mean -1e308, std 1e308 at x = 1e308 gives -ln(2 pi)/2 - ln(1e308) - 2", () => {
    // before: -Infinity (x - mean = 2e308 overflowed before the division by std)
    const lp = gaussian({ mean: [-1e308], std: 1e308 }).logProb(fromRows([[1e308]]))[0]!;
    expect(lp).toBeCloseTo(-0.5 * Math.log(2 * Math.PI) - Math.log(1e308) - 2, 10);
  });

  it("samples that overflow (mean and std near the largest double) throw a NonFiniteError naming gaussian.sample", () => {
    // before: Infinity entries were returned
    expect(() => gaussian({ mean: [1e308], std: 1e308 }).sample(64, new Random(1))).toThrow(/gaussian.sample\(\): mean, std must give finite samples/);
    expect(() => gaussian({ mean: [0], std: "ab" as never })).toThrow(DomainError);
  });
});

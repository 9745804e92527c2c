import { describe, expect, it } from "vitest";
import { wasserstein } from "../../src/metrics/wasserstein.js";
import { mmdSquared } from "../../src/metrics/mmd.js";
import { energyDistance } from "../../src/metrics/energy-distance.js";
import { fromRows } from "../../src/core/batch.js";
import { DomainError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import { Random } from "../../src/random/random.js";
import { eightGaussians, moons } from "../../src/distributions/index.js";

describe("wasserstein", () => {
  it("in 1-D equals the sorted-matching closed form (p = 1 and 2), equal and unequal sizes", () => {
    const rng = new Random(1);
    const x = Array.from({ length: 12 }, () => rng.normal()).sort((a, b) => a - b);
    const y = Array.from({ length: 12 }, () => 2 + rng.normal()).sort((a, b) => a - b);
    const w1 = x.reduce((s, xi, k) => s + Math.abs(xi - (y[k] as number)), 0) / 12;
    const w2 = Math.sqrt(x.reduce((s, xi, k) => s + (xi - (y[k] as number)) ** 2, 0) / 12);
    const X = fromRows(x.map((v) => [v])), Y = fromRows(y.map((v) => [v]));
    expect(wasserstein(X, Y, { p: 1 })).toBeCloseTo(w1, 12);
    expect(wasserstein(X, Y)).toBeCloseTo(w2, 12);
    // unequal sizes: {0, 1} vs {0, 0.5, 1}: W1 = 1/6 (move 1/6 mass from 0 and 1 to 0.5 by 0.5 each)
    expect(wasserstein(fromRows([[0], [1]]), fromRows([[0], [0.5], [1]]), { p: 1 })).toBeCloseTo(1 / 6, 12);
  });

  it("unequal coprime sizes (lcm far above the old 2048 limit) equal the 1-D quantile closed form", () => {
    const rng = new Random(3);
    for (const [n, m] of [[97, 89], [300, 7]] as const) {
      const x = Array.from({ length: n }, () => rng.normal()).sort((a, b) => a - b);
      const y = Array.from({ length: m }, () => 1 + 2 * rng.normal()).sort((a, b) => a - b);
      // W_p^p = integral_0^1 |F^-1(t) - G^-1(t)|^p dt over the merged breakpoints k/n, l/m
      const cuts = [...new Set([...Array.from({ length: n + 1 }, (_, k) => k / n), ...Array.from({ length: m + 1 }, (_, l) => l / m)])].sort((a, b) => a - b);
      let w1 = 0, w2 = 0;
      for (let k = 0; k + 1 < cuts.length; k++) {
        const mid = (cuts[k]! + cuts[k + 1]!) / 2, dt = cuts[k + 1]! - cuts[k]!;
        const d = x[Math.min(n - 1, Math.floor(mid * n))]! - y[Math.min(m - 1, Math.floor(mid * m))]!;
        w1 += Math.abs(d) * dt; w2 += d * d * dt;
      }
      const X = fromRows(x.map((v) => [v])), Y = fromRows(y.map((v) => [v]));
      expect(Math.abs(wasserstein(X, Y, { p: 1 }) - w1)).toBeLessThanOrEqual(1e-10 * w1);
      expect(Math.abs(wasserstein(X, Y) - Math.sqrt(w2))).toBeLessThanOrEqual(1e-10 * Math.sqrt(w2));
    }
  });

  it("sinkhorn method is an upper bound close to the exact value; translation gives W2 = shift", () => {
    const rng = new Random(2);
    const x = rng.normalBatch(40, 2);
    const y = fromRows(Array.from({ length: 40 }, (_, i) => [x.get(i, 0) + 3, x.get(i, 1)]));
    expect(wasserstein(x, y)).toBeCloseTo(3, 10);
    const ws = wasserstein(x, y, { method: "sinkhorn", reg: 0.05 });
    expect(ws).toBeGreaterThanOrEqual(3 - 1e-9);
    expect(ws).toBeLessThan(3.05);
    // the default is a dual (lower) bound: <= 3 up to rounding, and within 5%
    const wd = wasserstein(x, y, { method: "sinkhorn" });
    expect(wd).toBeLessThanOrEqual(3 * (1 + 1e-9));
    expect(wd).toBeGreaterThan(3 * 0.95);
  });

  it("the sinkhorn default is a lower bound within 5% of the exact W2 (pairs of distributions, sizes, dimensions 2, 8, 32)", () => {
    const rng = new Random(8);
    const shifted = (n: number, d: number): ReturnType<Random["normalBatch"]> => {
      const b = rng.normalBatch(n, d);
      for (let k = 0; k < b.data.length; k += d) b.data[k] = (b.data[k] as number) + 3;
      return b;
    };
    const cases = [
      [moons().sample(250, rng), moons().sample(250, rng)], [rng.normalBatch(250, 2), rng.normalBatch(250, 2)],
      [eightGaussians().sample(250, rng), moons().sample(250, rng)], [eightGaussians().sample(200, rng), moons().sample(300, rng)],
      [rng.normalBatch(200, 8), shifted(200, 8)], [rng.normalBatch(150, 32), rng.normalBatch(150, 32)],
      // n, m > 200: warm start from the exact dual of a 200-point subsample
      [moons().sample(400, rng), moons().sample(400, rng)], [eightGaussians().sample(400, rng), moons().sample(300, rng)],
      [rng.normalBatch(300, 2), rng.normalBatch(400, 2)], [rng.normalBatch(300, 8), shifted(300, 8)],
      [rng.normalBatch(250, 32), rng.normalBatch(250, 32)],
    ] as const;
    for (const [x, y] of cases) {
      const exact = wasserstein(x, y), estimate = wasserstein(x, y, { method: "sinkhorn" });
      // weak duality: the c-transformed potentials are a feasible dual (rounding of the sums only)
      expect(estimate).toBeLessThanOrEqual(exact * (1 + 1e-9));
      expect(estimate).toBeGreaterThanOrEqual(exact * 0.95);
    }
  });

  it("the sinkhorn default stays finite when the scalings of a stage leave the float64 range (N(0, I) against N(0, 0.01^2 I))", () => {
    // found by a search over pairs of distributions: the warm-started potentials were so far from a
    // stage's fixed point that a row sum underflowed, its scaling overflowed and the estimate was NaN;
    // scalings outside [1e-100, 1e100] are now absorbed into the potentials and the kernel
    const rng = new Random(1505);
    const x = rng.normalBatch(1500, 2), y = rng.normalBatch(1200, 2);
    for (let k = 0; k < y.data.length; k++) y.data[k] = 0.01 * (y.data[k] as number);
    const exact = wasserstein(x, y), estimate = wasserstein(x, y, { method: "sinkhorn" });
    expect(Number.isFinite(estimate)).toBe(true);
    expect(estimate).toBeLessThanOrEqual(exact * (1 + 1e-9));
    expect(estimate).toBeGreaterThanOrEqual(exact * 0.95);
  });

  it("rejects bad options and shapes", () => {
    const x = fromRows([[0]]);
    expect(() => wasserstein(x, fromRows([[0, 1]]))).toThrow(ShapeError);
    expect(() => wasserstein(x, x, { p: 3 as never })).toThrow(DomainError);
    expect(() => wasserstein(x, x, { method: "bad" as never })).toThrow(DomainError);
    expect(() => wasserstein(fromRows([]), x)).toThrow(ShapeError);
  });

  it("reg and tolerance are checked whenever given, also with the exact method", () => {
    // before: { tolerance: NaN } and { reg: -5 } were ignored by the exact method
    const x = fromRows([[0], [1], [2]]);
    expect(() => wasserstein(x, x, { tolerance: Number.NaN })).toThrow(NonFiniteError);
    expect(() => wasserstein(x, x, { reg: -5 })).toThrow(/^wasserstein\(\): options\.reg must be > 0, got -5$/);
    expect(wasserstein(x, x, { reg: 0.1 })).toBe(0);
  });

  it("is homogeneous of degree 1 at the ends of the float64 range: points 3e-170 and 1e200 apart give 3e-170 and 2e200 (p = 1, 2, both methods)", () => {
    // before: 0 for the tiny pair (squared distances underflowed) and "pairwiseCost(): cost must be finite" for the huge one
    const rel = (a: number, b: number): number => Math.abs(a - b) / b;
    for (const p of [1, 2] as const) {
      expect(wasserstein(fromRows([[0]]), fromRows([[3e-170]]), { p })).toBe(3e-170);
      expect(wasserstein(fromRows([[1e200]]), fromRows([[-1e200]]), { p })).toBe(2e200);
      expect(rel(wasserstein(fromRows([[1e200]]), fromRows([[-1e200]]), { p, method: "sinkhorn" }), 2e200)).toBeLessThan(1e-6);
    }
    // scaling the points by 2^600 scales W_p by 2^600 exactly (exact and entropic with reg in cost units)
    const rng = new Random(4);
    const a = rng.normalBatch(12, 2), b = rng.normalBatch(9, 2);
    const up = (v: typeof a) => fromRows(Array.from({ length: v.shape[0] as number }, (_, i) => [v.get(i, 0) * 2 ** 600, v.get(i, 1) * 2 ** 600]));
    expect(wasserstein(up(a), up(b))).toBe(wasserstein(a, b) * 2 ** 600);
    expect(wasserstein(up(a), up(b), { p: 1 })).toBe(wasserstein(a, b, { p: 1 }) * 2 ** 600);
    expect(() => wasserstein(fromRows([[1.7e308]]), fromRows([[-1.7e308]]), { p: 1 })).toThrow(/^wasserstein\(\): result must be finite/);
  });

  it("an entropic plan that overflows at a tiny reg is a NonFiniteError naming wasserstein's options.reg", () => {
    // before: "sinkhorn(): plan must be finite ..."
    const rng = new Random(5);
    const a = rng.normalBatch(6, 1), b = rng.normalBatch(6, 1);
    let error: unknown;
    try { wasserstein(a, b, { method: "sinkhorn", reg: 1e-300 }); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as Error).message).toMatch(/^wasserstein\(\): options\.reg must be large enough for the entropic plan to stay finite/);
  });
});

describe("mmdSquared", () => {
  it("biased: zero for identical samples; closed form for two single points", () => {
    expect(mmdSquared(fromRows([[0], [1]]), fromRows([[0], [1]]), { biased: true })).toBeCloseTo(0, 14);
    // one point each: k(x,x) + k(y,y) - 2 k(x,y) = 2 - 2 exp(-r^2/(2 h^2)) per bandwidth
    expect(mmdSquared(fromRows([[0]]), fromRows([[1]]), { biased: true, bandwidths: [1] })).toBeCloseTo(2 - 2 * Math.exp(-0.5), 14);
  });

  it("unbiased is near zero for the same distribution and clearly positive for shifted ones", () => {
    const rng = new Random(3);
    const same = mmdSquared(rng.normalBatch(300, 2), rng.normalBatch(300, 2));
    const shifted = rng.normalBatch(300, 2);
    for (let k = 0; k < shifted.data.length; k += 2) shifted.data[k] = (shifted.data[k] as number) + 1;
    const diff = mmdSquared(rng.normalBatch(300, 2), shifted);
    expect(Math.abs(same)).toBeLessThan(0.02);
    expect(diff).toBeGreaterThan(10 * Math.abs(same));
  });

  it("rejects too few rows and bad bandwidths", () => {
    expect(() => mmdSquared(fromRows([[0]]), fromRows([[0], [1]]))).toThrow(ShapeError);
    expect(() => mmdSquared(fromRows([[0], [1]]), fromRows([[0], [1]]), { bandwidths: [0] })).toThrow(DomainError);
    expect(() => mmdSquared(fromRows([[0], [1]]), fromRows([[0], [1]]), { bandwidths: [] })).toThrow(DomainError);
    expect(() => mmdSquared(fromRows([[0], [1]]), fromRows([[0, 1], [1, 1]]))).toThrow(ShapeError);
  });

  it("bandwidths that are not an array and a biased flag that is not a boolean are DomainErrors", () => {
    // before: a raw TypeError (hs.map is not a function), and "no" was read as true
    const x = fromRows([[0], [1]]);
    expect(() => mmdSquared(x, x, { bandwidths: 5 as never })).toThrow(DomainError);
    expect(() => mmdSquared(x, x, { bandwidths: "abc" as never })).toThrow(/^mmdSquared\(\): options\.bandwidths must be an array of numbers > 0, got "abc"$/);
    expect(() => mmdSquared(x, x, { bandwidths: null as never })).toThrow(DomainError);
    expect(() => mmdSquared(x, x, { biased: "no" as never })).toThrow(/^mmdSquared\(\): options\.biased must be a boolean, got "no"$/);
    expect(mmdSquared(x, x, { bandwidths: new Float64Array([1]) as never, biased: true })).toBe(0);
  });

  it("stays finite where 2 h^2 or the squared distances leave the float64 range: tiny and huge bandwidths, tiny and huge points", () => {
    // before: NaN (Infinity * 0 on identical points, 0 * Infinity on far ones)
    const x = fromRows([[0], [1], [2]]);
    expect(mmdSquared(x, x, { bandwidths: [1e-170], biased: true })).toBe(0);
    // unbiased, identical samples, k = 1 only for i = j: 0 + 0 - 2 * 3/9
    expect(mmdSquared(x, x, { bandwidths: [1e-170] })).toBeCloseTo(-2 / 3, 15);
    // k(r) = exp(-(r / h)^2 / 2) with r / h in {0, 1, 2}: MMD^2 = e^-1/2 - 1/2 - e^-2 / 2 (unbiased)
    const expected = Math.exp(-0.5) - 0.5 - Math.exp(-2) / 2;
    expect(mmdSquared(fromRows([[0], [1e200]]), fromRows([[0], [-1e200]]), { bandwidths: [1e200] })).toBeCloseTo(expected, 14);
    expect(mmdSquared(fromRows([[0], [1e-170]]), fromRows([[0], [-1e-170]]), { bandwidths: [1e-170] })).toBeCloseTo(expected, 14);
    expect(mmdSquared(fromRows([[0], [1]]), fromRows([[0], [-1]]), { bandwidths: [1] })).toBeCloseTo(expected, 14);
  });
});

describe("energyDistance", () => {
  it("closed forms: two points at distance r give 2r; identical samples give 0", () => {
    expect(energyDistance(fromRows([[0]]), fromRows([[3]]))).toBe(6);
    expect(energyDistance(fromRows([[0, 0], [1, 1]]), fromRows([[1, 1], [0, 0]]))).toBeCloseTo(0, 14);
    // {0, 2} vs {1}: 2*1 - (0+2+2+0)/4 - 0 = 1
    expect(energyDistance(fromRows([[0], [2]]), fromRows([[1]]))).toBeCloseTo(1, 14);
    expect(() => energyDistance(fromRows([[0]]), fromRows([[0, 1]]))).toThrow(ShapeError);
    expect(() => energyDistance(fromRows([]), fromRows([[0]]))).toThrow(ShapeError);
  });

  it("is homogeneous of degree 1 down to tiny points (3e-170 apart gives 6e-170); past the float64 range it is a NonFiniteError", () => {
    // before: 0 for the tiny pair, Infinity returned silently for the huge one
    expect(energyDistance(fromRows([[0]]), fromRows([[3e-170]]))).toBe(6e-170);
    expect(energyDistance(fromRows([[1e200]]), fromRows([[-1e200]]))).toBe(4e200);
    expect(() => energyDistance(fromRows([[1.7e308]]), fromRows([[-1.7e308]]))).toThrow(NonFiniteError);
    expect(() => energyDistance(fromRows([[1.7e308]]), fromRows([[-1.7e308]]))).toThrow(/^energyDistance\(\): result must be finite/);
  });
});

import { describe, expect, it } from "vitest";
import { Random } from "../../src/index.js";
import { LAYERS, gaussianKernel, millsRatio, zigguratSlow, zigguratTables } from "../../src/random/ziggurat.js";
import { ksStatistic, normalCdf } from "../helpers/stats.js";

/** integral_a^b exp(-x^2/2) dx by composite Simpson with m (even) panels: error <= (b-a) h^4 max|f''''| / 180, below 1e-17 here. */
function simpson(a: number, b: number, m: number): number {
  const h = (b - a) / m;
  let s = Math.exp(-0.5 * a * a) + Math.exp(-0.5 * b * b);
  for (let k = 1; k < m; k++) s += (k % 2 ? 4 : 2) * Math.exp(-0.5 * (a + k * h) ** 2);
  return (s * h) / 3;
}

/** Upper quantile of chi-square with k degrees of freedom at the standard normal quantile z (Wilson–Hilferty, relative error < 1e-3 for k > 100). */
function chiSquareQuantile(k: number, z: number): number {
  const c = 2 / (9 * k);
  return k * (1 - c + z * Math.sqrt(c)) ** 3;
}

describe("ziggurat tables", () => {
  const z = zigguratTables();

  it("all 256 layers have the same area v: 255 rectangles x_i (f(x_{i-1}) - f(x_i)), the top one closing at f = 1, and the base strip plus tail r f(r) + T(r)", () => {
    expect(z.x[0]).toBe(0);
    expect(z.x[LAYERS - 1]).toBe(z.r);
    for (let i = 1; i < LAYERS; i++) {
      expect(z.x[i]!).toBeGreaterThan(z.x[i - 1]!);
      // the recursion is exact up to rounding in each step: areas agree to 1e-12 relative
      expect(Math.abs(z.x[i]! * (gaussianKernel(z.x[i - 1]!) - gaussianKernel(z.x[i]!)) - z.v)).toBeLessThan(1e-12 * z.v);
    }
    // the tail integral by quadrature (independent of the continued fraction)
    const tail = simpson(z.r, z.r + 12, 200_000);
    expect(Math.abs(z.r * gaussianKernel(z.r) + tail - z.v)).toBeLessThan(1e-13 * z.v);
    // Simpson's rounding over 2e5 terms is about 1e-13 relative
    expect(Math.abs(millsRatio(z.r) * gaussianKernel(z.r) - tail)).toBeLessThan(1e-12 * tail);
  });

  it("r and v are Marsaglia & Tsang's 256-layer constants (3.6541528853610088, 0.00492867323399)", () => {
    expect(Math.abs(z.r - 3.6541528853610088)).toBeLessThan(4 * Number.EPSILON * z.r);
    // v is published to 12 significant digits (their last digit is 1.5 units off ours)
    expect(Math.abs(z.v - 0.00492867323399)).toBeLessThan(3e-14);
  });

  it("the fast-accept bounds and scales are consistent: j < K[i] gives j W[i] < x_{i-1} (r for the base); W[i] 2^52 = x_i", () => {
    const scale = 2 ** 52;
    expect(z.K[1]).toBe(0);
    expect((z.K[0]! - 1) * z.W[0]!).toBeLessThan(z.r);
    expect(z.K[0]! * z.W[0]!).toBeGreaterThanOrEqual(z.r * (1 - 4 * Number.EPSILON));
    for (let i = 2; i < LAYERS; i++) {
      expect(z.W[i]! * scale).toBe(z.x[i]);
      expect((z.K[i]! - 1) * z.W[i]!).toBeLessThan(z.x[i - 1]!);
      expect(z.K[i]! * z.W[i]!).toBeGreaterThanOrEqual(z.x[i - 1]! * (1 - 4 * Number.EPSILON));
    }
  });
});

describe("ziggurat normal draws", () => {
  const n = 1_000_000;

  it.each([1, 2, 3])("pass Kolmogorov–Smirnov at n = 1e6 (seed %i, alpha = 0.001) and the first four moments lie within 4.5 standard errors", (seed) => {
    const x = new Random(seed).fillNormal(new Float64Array(n));
    expect(ksStatistic(x, normalCdf)).toBeLessThan(1.949 / Math.sqrt(n));
    let m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    for (const v of x) {
      const v2 = v * v;
      m1 += v; m2 += v2; m3 += v2 * v; m4 += v2 * v2;
    }
    // standard errors of the raw sample moments of N(0, 1): sqrt(Var(Z^k) / n), Var = E Z^2k - (E Z^k)^2
    expect(Math.abs(m1 / n)).toBeLessThan(4.5 * Math.sqrt(1 / n));
    expect(Math.abs(m2 / n - 1)).toBeLessThan(4.5 * Math.sqrt(2 / n));
    expect(Math.abs(m3 / n)).toBeLessThan(4.5 * Math.sqrt(15 / n));
    expect(Math.abs(m4 / n - 3)).toBeLessThan(4.5 * Math.sqrt((105 - 9) / n));
  });

  it("the counts of |z| in the 256 layer intervals and the tail match the normal law (chi-square, 1e7 draws, alpha = 0.001), and so do P(|z| > 4) and P(|z| > r) (4 binomial standard errors)", () => {
    const { x, r } = zigguratTables();
    const counts = new Float64Array(LAYERS);
    const rng = new Random(17);
    const chunk = new Float64Array(1_000_000);
    const total = 10_000_000;
    let beyondFour = 0;
    for (let c = 0; c < total / chunk.length; c++) {
      rng.fillNormal(chunk);
      for (const v of chunk) {
        const a = Math.abs(v);
        if (a > 4) beyondFour++;
        // bin k: [x_k, x_{k+1}) for k < 255, [r, inf) for k = 255
        let lo = 0, hi = LAYERS - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >>> 1;
          if (x[mid]! <= a) lo = mid;
          else hi = mid - 1;
        }
        counts[lo] = counts[lo]! + 1;
      }
    }
    let chi2 = 0;
    for (let k = 0; k < LAYERS; k++) {
      const p = k < LAYERS - 1 ? 2 * (normalCdf(x[k + 1]!) - normalCdf(x[k]!)) : 2 * (1 - normalCdf(r));
      chi2 += (counts[k]! - total * p) ** 2 / (total * p);
    }
    expect(chi2).toBeLessThan(chiSquareQuantile(LAYERS - 1, 3.09));
    // P(|Z| > 4) = 6.3342e-5 (erfc(4 / sqrt 2)); P(|Z| > r) = 2.5862e-4: within 4 binomial standard errors
    const p4 = 6.334248366623996e-5;
    expect(Math.abs(beyondFour - total * p4)).toBeLessThan(4 * Math.sqrt(total * p4));
    const pr = 2 * Math.exp(-0.5 * r * r) * millsRatio(r) / Math.sqrt(2 * Math.PI);
    expect(Math.abs(counts[LAYERS - 1]! - total * pr)).toBeLessThan(4 * Math.sqrt(total * pr));
  });

  it("the wedge test of every layer accepts x uniform on [x_{i-1}, x_i] with the exact probability (area under f above f(x_i)) / (wedge rectangle) (chi-square over 255 layers, 2e4 tries each, alpha = 0.001)", () => {
    const { x, F } = zigguratTables();
    const rng = new Random(23);
    const uniform = () => rng.uniform();
    const m = 20_000;
    let chi2 = 0;
    for (let i = 1; i < LAYERS; i++) {
      const a = x[i - 1]!, b = x[i]!;
      const area = simpson(a, b, 64) - F[i]! * (b - a);
      const p = area / ((b - a) * (F[i - 1]! - F[i]!));
      expect(p).toBeGreaterThan(0.3);
      expect(p).toBeLessThan(0.8);
      let k = 0;
      for (let t = 0; t < m; t++) {
        const y = zigguratSlow(i, a + rng.uniform() * (b - a), t % 2 === 0, uniform);
        if (y === y) k++;
      }
      chi2 += (k - m * p) ** 2 / (m * p * (1 - p));
    }
    expect(chi2).toBeLessThan(chiSquareQuantile(LAYERS - 1, 3.09));
  });

  it("the tail sampler beyond the base r follows the normal law conditioned on |z| > r (Kolmogorov–Smirnov on 2e5 tail draws, alpha = 0.001), reaching past 5.5", () => {
    const { r } = zigguratTables();
    const rng = new Random(5);
    const m = 200_000;
    const t = new Float64Array(m);
    for (let k = 0; k < m; k++) t[k] = zigguratSlow(0, r, false, () => rng.uniform());
    // the upper tail Q(x) = P(Z > x) = exp(-x^2/2) R(x) / sqrt(2 pi), R Mills' ratio (exact to rounding)
    const q = (v: number) => Math.exp(-0.5 * v * v) * millsRatio(v);
    const qr = q(r);
    expect(ksStatistic(t, (v) => (v <= r ? 0 : 1 - q(v) / qr))).toBeLessThan(1.949 / Math.sqrt(m));
    expect(t.reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(r);
    // P(Z > 5.5 | Z > r) = 1.5e-4: about 29 of the 2e5 draws (none with probability e^-29)
    expect(t.reduce((a, b) => Math.max(a, b))).toBeGreaterThan(5.5);
    expect(zigguratSlow(0, r, true, () => rng.uniform())).toBeLessThanOrEqual(-r);
  });

  it("fillNormal gives the same bits as normal() one at a time over 3e5 draws (so through many wedge and tail branches), into Float32Array rounded once", () => {
    const m = 300_000;
    const a = new Random(99).fillNormal(new Float64Array(m), 0.5, 2);
    const b = new Random(99);
    let same = true;
    for (let k = 0; k < m; k++) if (b.normal(0.5, 2) !== a[k]) same = false;
    expect(same).toBe(true);
    const f = new Random(99).fillNormal(new Float32Array(m), 0.5, 2);
    expect(f.every((v, k) => v === Math.fround(a[k]!))).toBe(true);
  });
});

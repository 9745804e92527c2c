import { describe, expect, it } from "vitest";
import {
  DomainError, NonFiniteError, Random, affinePath, betaTimeSampler, condOT, logitNormalTimeSampler, mlp, modeTimeSampler,
  moons, standardNormal, trainSync, uniformTimeSampler,
} from "../../src/index.js";
import type { ProbabilityPath } from "../../src/index.js";
import { ksStatistic, normalCdf } from "../helpers/stats.js";

// Kolmogorov's asymptotic critical value at level 0.001 is 1.9495 / sqrt(n) (the CDF error of
// normalCdf, < 2e-7, is negligible next to it). With a fixed seed each test is deterministic;
// for a random seed a correct sampler would fail with probability 0.001.
const N = 20000;
const KS_CRIT = 1.9495 / Math.sqrt(N);

describe("time samplers match their laws", () => {
  it("logit-normal matches Phi((logit t - m) / s) (KS at level 0.001) for several (m, s)", () => {
    for (const [m, s, seed] of [[0, 1, 1], [0.5, 0.8, 2], [-1, 2, 3]] as const) {
      const t = logitNormalTimeSampler({ location: m, scale: s })(N, new Random(seed));
      const d = ksStatistic(t, (x) => normalCdf((Math.log(x / (1 - x)) - m) / s));
      expect(d).toBeLessThan(KS_CRIT);
    }
  });

  it("a logit-normal with the wrong location is rejected by the same test (the test has power)", () => {
    const t = logitNormalTimeSampler({ location: 0.1, scale: 1 })(N, new Random(4));
    expect(ksStatistic(t, (x) => normalCdf(Math.log(x / (1 - x))))).toBeGreaterThan(KS_CRIT);
  });

  it("Beta(a, b) matches the closed-form CDFs of Beta(a, 1), Beta(1, b), Beta(2, 2) and Beta(0.5, 1) (KS)", () => {
    const cases: [number, number, (x: number) => number][] = [
      [3, 1, (x) => x ** 3],
      [1, 2.5, (x) => 1 - (1 - x) ** 2.5],
      [2, 2, (x) => 3 * x * x - 2 * x ** 3],
      [0.5, 1, (x) => Math.sqrt(x)],
    ];
    let seed = 10;
    for (const [a, b, cdf] of cases) {
      const t = betaTimeSampler(a, b)(N, new Random(seed++));
      expect(ksStatistic(t, cdf)).toBeLessThan(KS_CRIT);
    }
  });

  it("Beta(a, b) has mean a/(a+b) and variance ab/((a+b)^2 (a+b+1)) within 5 standard errors", () => {
    for (const [a, b] of [[0.7, 3.2], [5, 2], [1.5, 1.5]] as const) {
      const t = betaTimeSampler(a, b)(N, new Random(20));
      const mean = a / (a + b);
      const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
      let m = 0;
      for (const v of t) m += v;
      m /= N;
      let v2 = 0;
      for (const v of t) v2 += (v - m) ** 2;
      v2 /= N - 1;
      expect(Math.abs(m - mean)).toBeLessThan(5 * Math.sqrt(variance / N));
      // the variance of the sample variance is below E(t - mean)^4 / N <= variance / N (t in [0, 1])
      expect(Math.abs(v2 - variance)).toBeLessThan(5 * Math.sqrt(variance / N));
      expect(t.every((x) => x >= 0 && x <= 1)).toBe(true);
    }
  });

  it("Beta(a, b) keeps mean a/(a+b) for shapes so small that both Gamma draws underflow (Beta(a, a) had mean 0.61 at a = 1e-3, 0.93 at 1e-4)", () => {
    // Beta(a, b) with a, b -> 0 tends to Bernoulli(a / (a + b)) on {0, 1}: variance about mean (1 - mean)
    for (const [a, b, seed] of [[1e-3, 1e-3, 30], [1e-4, 1e-4, 31], [1e-320, 1e-320, 32], [1e-3, 3e-3, 33], [2e-310, 6e-310, 34]] as const) {
      const t = betaTimeSampler(a, b)(N, new Random(seed));
      const mean = a / (a + b);
      let m = 0;
      for (const v of t) m += v;
      m /= N;
      expect(Math.abs(m - mean)).toBeLessThan(5 * Math.sqrt((mean * (1 - mean)) / N));
      expect(t.every((x) => x >= 0 && x <= 1)).toBe(true);
    }
    // shapes near the largest double: X + Y overflowed and every t was 0
    expect(Array.from(betaTimeSampler(1.7e308, 1.7e308)(3, new Random(35)))).toEqual([0.5, 0.5, 0.5]);
  });

  it("Beta(a, b) draws the same bits as before wherever no draw underflows", () => {
    expect(Array.from(betaTimeSampler(0.3, 3)(4, new Random(3)))).toEqual([0.07607733202608229, 0.0410636362749879, 0.24954439270663886, 0.05678751836462375]);
    expect(Array.from(betaTimeSampler(2, 5)(3, new Random(3)))).toEqual([0.4441636793790866, 0.08970149048037009, 0.4601406973573586]);
  });

  it("mode sampling has CDF 1 - f^-1(t) (f inverted by bisection) and is uniform at s = 0", () => {
    for (const [s, seed] of [[0, 30], [1.29, 31], [-0.8, 32]] as const) {
      const f = (u: number): number => 1 - u - s * (Math.cos((Math.PI * u) / 2) ** 2 - 1 + u);
      const cdf = (t: number): number => {
        let lo = 0, hi = 1; // f decreases from 1 to 0
        for (let k = 0; k < 60; k++) {
          const mid = (lo + hi) / 2;
          if (f(mid) > t) lo = mid; else hi = mid;
        }
        return 1 - (lo + hi) / 2;
      };
      const t = modeTimeSampler(s)(N, new Random(seed));
      expect(ksStatistic(t, cdf)).toBeLessThan(KS_CRIT);
    }
  });

  it("uniformTimeSampler draws the same bits as the training default", () => {
    expect(uniformTimeSampler()(5, new Random(9))).toEqual(new Random(9).fillUniform(new Float64Array(5)));
  });
});

describe("time samplers reject bad parameters with typed errors", () => {
  it("scale <= 0, a or b <= 0, NaN, and a mode scale outside [-1, 2/(pi-2)]", () => {
    expect(() => logitNormalTimeSampler({ scale: 0 })).toThrow(DomainError);
    expect(() => logitNormalTimeSampler({ location: Number.NaN })).toThrow(NonFiniteError);
    expect(() => betaTimeSampler(0, 1)).toThrow(DomainError);
    expect(() => betaTimeSampler(1, -2)).toThrow(/betaTimeSampler\(\): b must/);
    expect(() => betaTimeSampler(Number.NaN, 1)).toThrow(NonFiniteError);
    expect(() => modeTimeSampler(2)).toThrow(DomainError);
    expect(() => modeTimeSampler(-1.01)).toThrow(DomainError);
    expect(() => uniformTimeSampler()(-1, new Random(0))).toThrow(DomainError);
  });
});

describe("the training loop takes a time sampler", () => {
  const base = () => ({
    source: standardNormal(2), target: moons(), steps: 3, batchSize: 16,
  });
  it("sampleTimes: uniformTimeSampler() gives the same parameters as the default", () => {
    const a = mlp({ dim: 2, hidden: [8], seed: 1 });
    const b = mlp({ dim: 2, hidden: [8], seed: 1 });
    trainSync({ ...base(), model: a, path: affinePath(condOT()), rng: new Random(5) });
    trainSync({ ...base(), model: b, path: affinePath(condOT()), rng: new Random(5), sampleTimes: uniformTimeSampler() });
    expect(b.parameters).toEqual(a.parameters);
  });

  it("the path receives the sampler's times", () => {
    const seen: number[] = [];
    const inner = affinePath(condOT());
    const path: ProbabilityPath = { ...inner, sample: (x0, x1, t) => { seen.push(...(t as Float64Array)); return inner.sample(x0, x1, t); } };
    const sampler = betaTimeSampler(50, 1); // mass near 1
    trainSync({ ...base(), model: mlp({ dim: 2, hidden: [8], seed: 1 }), path, rng: new Random(5), sampleTimes: sampler });
    expect(seen).toHaveLength(48);
    expect(seen.reduce((s, v) => s + v, 0) / seen.length).toBeGreaterThan(0.9);
  });

  it("a sampler returning the wrong length or times outside [0, 1] is a typed error", () => {
    const run = (sampleTimes: (n: number) => Float64Array) =>
      trainSync({ ...base(), model: mlp({ dim: 2, hidden: [8], seed: 1 }), path: affinePath(condOT()), rng: new Random(5), sampleTimes });
    expect(() => run((n) => new Float64Array(n + 1))).toThrow(/trainSync\(\): options.sampleTimes/);
    expect(() => run((n) => new Float64Array(n).fill(1.5))).toThrow(DomainError);
    expect(() => run((n) => new Float64Array(n).fill(Number.NaN))).toThrow(NonFiniteError);
  });
});

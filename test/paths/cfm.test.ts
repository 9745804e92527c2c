import { describe, expect, it } from "vitest";
import { DomainError, Random, affinePath, cosine, fromRows, independentCfmPath, lipmanPath, schrodingerBridgePath, trigonometricPath } from "../../src/index.js";

const x0 = fromRows([[1, -1], [0.5, 2]]);
const x1 = fromRows([[3, 0], [-2, 1]]);

describe("CFM paths", () => {
  it("I-CFM: x_t = t x1 + (1-t) x0 + sigma eps and u = x1 - x0; score = -eps/sigma", () => {
    const s = independentCfmPath({ sigma: 0.1 }).sample(x0, x1, 0.25, new Random(1));
    for (let k = 0; k < 4; k++) {
      const mean = 0.25 * (x1.data[k] as number) + 0.75 * (x0.data[k] as number);
      expect(s.xt.data[k]).toBeCloseTo(mean + 0.1 * (s.noise.data[k] as number), 14);
      expect(s.dxt.data[k]).toBeCloseTo((x1.data[k] as number) - (x0.data[k] as number), 14);
      expect(s.score.data[k]).toBeCloseTo(-(s.noise.data[k] as number) / 0.1, 12);
    }
    expect(() => independentCfmPath({ sigma: 0.1 }).sample(x0, x1, 0.5)).toThrow(DomainError);
    expect(() => independentCfmPath({ sigma: -1 })).toThrow(DomainError);
  });

  it("Lipman: u = (x1 - (1 - sigma_min) x_t)/(1 - (1 - sigma_min) t) (REFERENCES.md form) equals the sampled dx_t", () => {
    const sigmaMin = 0.05;
    const t = new Float64Array([0.3, 0.8]);
    const s = lipmanPath({ sigmaMin }).sample(x0, x1, t);
    for (let i = 0; i < 2; i++) {
      const ti = t[i] as number;
      for (let j = 0; j < 2; j++) {
        const k = i * 2 + j;
        expect(s.dxt.data[k]).toBeCloseTo(((x1.data[k] as number) - (1 - sigmaMin) * (s.xt.data[k] as number)) / (1 - (1 - sigmaMin) * ti), 13);
      }
    }
    expect(lipmanPath({ sigmaMin }).scheduler.at(1).sigma).toBeCloseTo(sigmaMin, 15);
    expect(() => lipmanPath({ sigmaMin: 1 })).toThrow(DomainError);
  });

  it("Schrödinger bridge: sigma_t = sigma sqrt(t(1-t)), u = (1-2t)/(2t(1-t))(x - mu) + x1 - x0, lambda_t = 2 sigma_t/sigma^2", () => {
    const sigma = 0.7;
    const t = 0.3;
    const s = schrodingerBridgePath({ sigma }).sample(x0, x1, t, new Random(5));
    const std = sigma * Math.sqrt(t * (1 - t));
    expect(s.std[0]).toBeCloseTo(std, 15);
    expect(s.lambda[0]).toBeCloseTo((2 * std) / (sigma * sigma), 15);
    for (let k = 0; k < 4; k++) {
      const mu = t * (x1.data[k] as number) + (1 - t) * (x0.data[k] as number);
      expect(s.mean.data[k]).toBeCloseTo(mu, 14);
      const u = ((1 - 2 * t) / (2 * t * (1 - t))) * ((s.xt.data[k] as number) - mu) + (x1.data[k] as number) - (x0.data[k] as number);
      expect(s.dxt.data[k]).toBeCloseTo(u, 12);
      expect(s.score.data[k]).toBeCloseTo(-((s.xt.data[k] as number) - mu) / (std * std), 10);
    }
  });

  it("Schrödinger bridge at t = 0 and 1: x_t = x0 / x1 exactly, u = x1 - x0, score 0 with lambda 0 (documented end behaviour)", () => {
    const path = schrodingerBridgePath({ sigma: 1 });
    const s = path.sample(x0, x1, new Float64Array([0, 1]), new Random(2));
    expect(Array.from(s.xt.data)).toEqual([1, -1, -2, 1]);
    expect(Array.from(s.dxt.data)).toEqual([2, 1, -2.5, -1]);
    expect(Array.from(s.score.data).map(Math.abs)).toEqual([0, 0, 0, 0]);
    expect(Array.from(s.lambda)).toEqual([0, 0]);
    expect(() => schrodingerBridgePath({ sigma: 0 })).toThrow(DomainError);
  });

  it("trigonometric: mu = cos(pi t/2) x0 + sin(pi t/2) x1, u = (pi/2)(cos x1 - sin x0); noiseless it equals affinePath(cosine())", () => {
    const t = new Float64Array([0.2, 0.7]);
    const a = trigonometricPath().sample(x0, x1, t);
    const b = affinePath(cosine()).sample(x0, x1, t);
    for (let k = 0; k < 4; k++) {
      expect(a.xt.data[k]).toBeCloseTo(b.xt.data[k] as number, 15);
      expect(a.dxt.data[k]).toBeCloseTo(b.dxt.data[k] as number, 15);
    }
    const noisy = trigonometricPath({ sigma: 0.2 }).sample(x0, x1, 0.5, new Random(9));
    const h = Math.PI / 4;
    expect(noisy.dxt.data[0]).toBeCloseTo((Math.PI / 2) * (Math.cos(h) * 3 - Math.sin(h) * 1), 14);
    expect(noisy.xt.data[0]).toBeCloseTo(Math.cos(h) * 1 + Math.sin(h) * 3 + 0.2 * (noisy.noise.data[0] as number), 14);
  });
});

describe("lipmanPath's snrInverse", () => {
  const s = lipmanPath({ sigmaMin: 0.1 }).scheduler;
  it("inverts the SNR t / (1 - 0.9 t) on [0, snr_1 = 10] and stays in [0, 1] at snr_1", () => {
    for (const t of [0, 0.25, 0.5, 0.99]) expect(s.snrInverse?.(t / (1 - 0.9 * t))).toBeCloseTo(t, 14);
    expect(s.snrInverse?.(1 / (1 - 0.9))).toBe(1);
  });
  it("an SNR outside [0, 1 / sigmaMin] (negative, NaN, 11, 1e300, Infinity) is a DomainError, not a time outside [0, 1]", () => {
    for (const r of [-1, Number.NaN, 11, 1e300, Number.POSITIVE_INFINITY]) {
      expect(() => s.snrInverse?.(r)).toThrow(DomainError);
      expect(() => s.snrInverse?.(r)).toThrow(/^lipman\(0\.1\)\.snrInverse\(\): snr must be a number in \[0, 10\.000000000000002\]/);
    }
    // sigmaMin = 0 reaches SNR Infinity at t = 1
    expect(lipmanPath({ sigmaMin: 0 }).scheduler.snrInverse?.(Number.POSITIVE_INFINITY)).toBe(1);
  });
});

describe("schrodingerBridgePath at extreme sigma", () => {
  it("lambda_t = 2 sigma_t / sigma^2 = 2 sqrt(t (1 - t)) / sigma stays finite where sigma^2 under- or overflows", () => {
    const lambda = (sigma: number) => schrodingerBridgePath({ sigma }).sample(fromRows([[1]]), fromRows([[2]]), 0.5, new Random(1)).lambda[0];
    expect(lambda(1e-170)).toBeCloseTo(1e170, -155);
    expect(lambda(1e-300)).toBeCloseTo(1e300, -285);
    expect(lambda(1e200)).toBeCloseTo(1e-200, 214);
    expect(lambda(0.5)).toBe((2 * 0.5 * Math.sqrt(0.25)) / 0.25);
  });
});

import { describe, expect, it } from "vitest";
import { adam, adamw, sgd, clipGradNorm, gradNorm, ParameterEma, constantSchedule, cosineSchedule, warmupSchedule } from "../../src/nn/index.js";

/** Gradient of f(p) = 0.5 sum a_i (p_i - c_i)^2. */
function quadraticGrad(p: Float64Array, a: number[], c: number[]): Float64Array {
  return p.map((v, i) => (a[i] as number) * (v - (c[i] as number)));
}

describe("optimizers", () => {
  it("sgd without momentum takes the step p - lr g exactly; with momentum it follows the PyTorch recursion", () => {
    const p = new Float64Array([1, -2]);
    sgd({ lr: 0.1 }).step(p, new Float64Array([2, 4]));
    expect(Array.from(p)).toEqual([1 - 0.1 * 2, -2 - 0.1 * 4]);
    const q = new Float64Array([0]);
    const opt = sgd({ lr: 1, momentum: 0.5 });
    opt.step(q, new Float64Array([1]));
    opt.step(q, new Float64Array([1]));
    expect(q[0]).toBeCloseTo(-(1 + 1.5), 15);
    expect(opt.steps).toBe(2);
    const r = new Float64Array([0]);
    const nest = sgd({ lr: 1, momentum: 0.5, nesterov: true });
    nest.step(r, new Float64Array([1]));
    expect(r[0]).toBeCloseTo(-1.5, 15);
  });

  it("adam's first step has size lr in every coordinate (bias correction), and adam, adamw, sgd minimise an ill-conditioned quadratic", () => {
    const p = new Float64Array([1, 1]);
    adam({ lr: 0.01 }).step(p, new Float64Array([5, -1e-3]));
    expect(p[0]).toBeCloseTo(0.99, 10);
    expect(p[1]).toBeCloseTo(1.01, 6);
    const a = [1, 10], c = [3, -1];
    for (const opt of [adam({ lr: 0.05 }), adamw({ lr: 0.05, weightDecay: 0 }), sgd({ lr: 0.05, momentum: 0.9 })]) {
      const q = new Float64Array([0, 0]);
      for (let k = 0; k < 2000; k++) opt.step(q, quadraticGrad(q, a, c));
      expect(Math.abs((q[0] as number) - 3)).toBeLessThan(1e-3);
      expect(Math.abs((q[1] as number) + 1)).toBeLessThan(1e-3);
    }
  });

  it("adamw decays weights multiplicatively (decoupled) while adam's L2 term passes through the normalisation", () => {
    const p = new Float64Array([2]);
    adamw({ lr: 0.1, weightDecay: 0.5 }).step(p, new Float64Array([0]));
    expect(p[0]).toBeCloseTo(2 - 0.1 * 0.5 * 2, 14);
    const q = new Float64Array([2]);
    adam({ lr: 0.1, weightDecay: 0.5 }).step(q, new Float64Array([0]));
    expect(q[0]).toBeCloseTo(1.9, 6);
  });

  it("rejects bad hyper-parameters and mismatched vectors", () => {
    expect(() => sgd({ lr: 0 })).toThrow(/lr must be > 0/);
    expect(() => sgd({ lr: 1, momentum: 1 })).toThrow(/momentum must be in \[0, 1\)/);
    expect(() => adam({ beta1: 1 })).toThrow(/beta1/);
    expect(() => adamw({ beta2: 1 })).toThrow(/beta2/);
    const opt = adam();
    expect(() => opt.step(new Float64Array(2), new Float64Array(3))).toThrow(/gradient must be a Float64Array of length 2/);
    expect(() => opt.step(new Float64Array(2), new Float64Array(2), -1)).toThrow(/lr must be >= 0/);
    opt.step(new Float64Array(2), new Float64Array(2));
    expect(() => opt.step(new Float64Array(3), new Float64Array(3))).toThrow(/keep length 2/);
    const s = sgd({ lr: 1, momentum: 0.1 });
    s.step(new Float64Array(2), new Float64Array(2));
    expect(() => s.step(new Float64Array(3), new Float64Array(3))).toThrow(/keep length 2/);
    expect(() => s.step([1] as unknown as Float64Array, new Float64Array(1))).toThrow(/parameters must be a Float64Array/);
  });
});

describe("clipping, EMA and schedules", () => {
  it("clipGradNorm rescales to the max norm, leaves small gradients alone, and rejects non-finite ones", () => {
    const g = new Float64Array([3, 4]);
    expect(clipGradNorm(g, 1)).toBe(5);
    expect(g[0]).toBeCloseTo(0.6, 15);
    expect(g[1]).toBeCloseTo(0.8, 15);
    const h = new Float64Array([0.3, 0.4]);
    clipGradNorm(h, 1);
    expect(Array.from(h)).toEqual([0.3, 0.4]);
    expect(gradNorm(new Float64Array([1e200, 1e200]))).toBeCloseTo(Math.SQRT2 * 1e200, -190);
    expect(gradNorm(new Float64Array(3))).toBe(0);
    expect(() => clipGradNorm(new Float64Array([Number.NaN]), 1)).toThrow(/gradient must be finite/);
  });

  it("ParameterEma is the exponential average decay^k p0 + (1 - decay^k) p for a constant p", () => {
    const ema = new ParameterEma(new Float64Array([0]), 0.9);
    for (let k = 0; k < 10; k++) ema.update(new Float64Array([1]));
    expect(ema.shadow[0]).toBeCloseTo(1 - 0.9 ** 10, 14);
    const target = new Float64Array(1);
    expect(ema.copyTo(target)[0]).toBe(ema.shadow[0]);
    expect(() => ema.update(new Float64Array(2))).toThrow(/length 1/);
    expect(() => ema.copyTo(new Float64Array(2))).toThrow(/length 1/);
    expect(() => new ParameterEma(new Float64Array(1), 2)).toThrow(/decay must be in \[0, 1\]/);
  });

  it("schedules: constant, cosine from lr to minLr, and linear warm-up", () => {
    expect(constantSchedule(0.1)(7)).toBe(0.1);
    const cos = cosineSchedule(1, 100, 0.1);
    expect(cos(0)).toBeCloseTo(1, 15);
    expect(cos(50)).toBeCloseTo(0.55, 14);
    expect(cos(100)).toBeCloseTo(0.1, 15);
    expect(cos(1000)).toBeCloseTo(0.1, 15);
    const warm = warmupSchedule(constantSchedule(2), 4);
    expect([0, 1, 2, 3, 4, 5].map(warm)).toEqual([0.5, 1, 1.5, 2, 2, 2]);
    expect(() => cosineSchedule(1, 0)).toThrow(/steps/);
    expect(() => warmupSchedule(constantSchedule(1), -1)).toThrow(/warmupSteps/);
  });
});

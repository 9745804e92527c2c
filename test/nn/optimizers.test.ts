import { describe, expect, it } from "vitest";
import { adam, adamw, sgd, clipGradNorm, gradNorm, ParameterEma, constantSchedule, cosineSchedule, warmupSchedule } from "../../src/nn/index.js";
import type { Optimizer } from "../../src/nn/index.js";
import { DomainError, NonFiniteError } from "../../src/core/errors.js";
import { Random } from "../../src/random/random.js";

/** Runs `optimizer` on the gradients `grads` (one Float64Array per step) from `start`, returning the parameters after each step. */
function trajectory(optimizer: Optimizer, start: number[], grads: Float64Array[]): Float64Array[] {
  const p = Float64Array.from(start);
  return grads.map((g) => { optimizer.step(p, g); return p.slice(); });
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relative: number): void {
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    expect(Math.abs((actual[i] as number) - e)).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(e)));
  }
}

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

  it("adam is scale-invariant where g^2 overflows: a gradient of 1e160 moves p by lr like a gradient of 1 (p stayed at 1)", () => {
    const p = new Float64Array([1, 1]);
    adam({ lr: 0.1 }).step(p, new Float64Array([1e160, -1.7e308]));
    expectClose(p, [0.9, 1.1], 1e-15);
    // Adam on s g with eps equals Adam on g with eps / s: 400 steps of gradients near 1e200 in entries 0 and 1
    // (scaled moments) against the same gradients divided by 1e200 (plain moments), for adam and adamw
    const rng = new Random(4);
    const grads = Array.from({ length: 400 }, () => Float64Array.from({ length: 3 }, () => rng.normal()));
    const huge = grads.map((g) => g.map((v, i) => (i === 2 ? v : v * 1e200)));
    for (const make of [(eps: number) => adam({ lr: 0.01, eps }), (eps: number) => adamw({ lr: 0.01, eps, weightDecay: 0.1 })]) {
      const a = trajectory(make(1e-8), [0.5, -0.5, 0.25], huge);
      const b = trajectory(make(1e-208), [0.5, -0.5, 0.25], grads);
      const plain = trajectory(make(1e-8), [0.5, -0.5, 0.25], grads);
      for (let k = 0; k < a.length; k++) {
        expectClose(a[k]!.subarray(0, 2), b[k]!.subarray(0, 2), 1e-12);
        // an entry with ordinary gradients beside them takes its usual step, bit for bit
        expect(a[k]![2]).toBe(plain[k]![2]);
      }
    }
  });

  it("adam's scaled moments return to plain ones as v decays: one gradient of 1e200 then ones, against the scaled-down run", () => {
    // with beta2 = 0.5 the 1e400 of the first g^2 decays below 2^900 after about 430 steps; the ones that
    // follow are negligible beside it for all 600 steps, and 1e-200 (their scaled image) is still representable
    const grads = [new Float64Array([1e200]), ...Array.from({ length: 599 }, () => new Float64Array([1]))];
    const scaled = grads.map((g, k) => new Float64Array([k === 0 ? 1 : 1e-200]));
    const a = trajectory(adam({ lr: 0.01, beta2: 0.5 }), [0], grads);
    const b = trajectory(adam({ lr: 0.01, beta2: 0.5, eps: 1e-208 }), [0], scaled);
    for (let k = 0; k < a.length; k++) expectClose(a[k]!, b[k]!, 1e-12);
  });

  it("sgd, adam and adamw reject NaN or infinite gradients and parameters with NonFiniteError; that entry and its state stay as they were", () => {
    const cases: [string, () => Optimizer][] = [["sgd", () => sgd({ lr: 0.1 })], ["sgd", () => sgd({ lr: 0.1, momentum: 0.9 })], ["adam", () => adam({ lr: 0.1 })], ["adamw", () => adamw({ lr: 0.1 })]];
    for (const [name, make] of cases) {
      const opt = make();
      const p = new Float64Array([1, 2, 3]);
      expect(() => opt.step(p, new Float64Array([1, Number.NaN, 1]))).toThrow(NonFiniteError);
      expect(p[1]).toBe(2);
      // the other entries took the step a fresh optimizer gives them
      const q = new Float64Array([1, 3]);
      make().step(q, new Float64Array([1, 1]));
      expect([p[0], p[2]]).toEqual([q[0], q[1]]);
      expect(() => opt.step(p, new Float64Array([Infinity, 0, 0]))).toThrow(new RegExp(`^${name}\\.step\\(\\): gradient must contain only finite numbers, got Infinity at index 0`));
      const r = new Float64Array([1, Number.NaN]);
      expect(() => make().step(r, new Float64Array([1, 1]))).toThrow(new RegExp(`^${name}\\.step\\(\\): parameters must contain only finite numbers, got NaN at index 1`));
      expect(Number.isNaN(r[1])).toBe(true);
      // the entry's state was not touched: the next finite step leaves every parameter finite
      opt.step(p, new Float64Array([1, 1, 1]));
      expect(p.every(Number.isFinite)).toBe(true);
    }
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

  it("ParameterEma rejects NaN or infinite parameters with NonFiniteError instead of averaging them into the shadow", () => {
    expect(() => new ParameterEma(new Float64Array([0, Number.NaN]))).toThrow(/^ParameterEma\(\): parameters must contain only finite numbers, got NaN at index 1/);
    const ema = new ParameterEma(new Float64Array([0, 4]), 0.5);
    expect(() => ema.update(new Float64Array([2, Number.NaN]))).toThrow(NonFiniteError);
    expect(() => ema.update(new Float64Array([2, Infinity]))).toThrow(/^ParameterEma\.update\(\): parameters must contain only finite numbers, got Infinity at index 1/);
    // the finite entry was averaged (twice), the other kept its value
    expect(Array.from(ema.shadow)).toEqual([1.5, 4]);
    const all = new ParameterEma(new Float64Array([1]), 1);
    expect(() => all.update(new Float64Array([Number.NaN]))).toThrow(NonFiniteError);
    expect(all.shadow[0]).toBe(1);
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
    // an inner schedule that is not a function is refused up front (it was a TypeError at the first call)
    expect(() => warmupSchedule(5 as never, 3)(1)).toThrow(DomainError);
    expect(() => warmupSchedule(5 as never, 3)).toThrow(/^warmupSchedule\(\): inner must be a function, got 5/);
  });
});

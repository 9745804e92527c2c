import ndarray from "ndarray";
import { describe, expect, it } from "vitest";
import { DomainError, NonFiniteError, Random, ShapeError, fromRows, meanFlowLoss, meanFlowTarget, mlp, twoTimeMlp, type Batch, type TwoTimeBatch } from "../../src/index.js";
import { exponentialFlow, straightLinearFlow } from "./closed-forms.js";

function batch(seed: number, n: number, d: number, v?: (x: Batch, r: Float64Array) => Batch): TwoTimeBatch {
  const rng = new Random(seed);
  const x = rng.normalBatch(n, d);
  const r = new Float64Array(n), t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.uniform(0.02, 0.98), b = rng.uniform(0.02, 0.98);
    r[i] = Math.min(a, b); t[i] = i % 4 === 0 ? r[i]! : Math.max(a, b);
  }
  return { x, r, t, v: v ? v(x, r) : rng.normalBatch(n, d) };
}

describe("meanFlowTarget", () => {
  it("is v + (t - r) d/ds u(x + s v, r + s, t) at s = 0, the JVP matching central finite differences of a TwoTimeMlp to 1e-6", () => {
    const model = twoTimeMlp({ dim: 2, hidden: [16, 16], activation: "silu", seed: 7 });
    const b = batch(1, 12, 2);
    const target = meanFlowTarget(model, b);
    const eps = 1e-5, n = 12;
    // r moves up with s: at rows with r = t, move t with it (the derivative in t is multiplied by t - r = 0 there)
    const movedEqual = (s: number) => model.average(ndarray(b.x.data.map((v, k) => v + s * (b.v.data[k] as number)), [n, 2]), b.r.map((v) => v + s), b.t.map((v, i) => (b.r[i] === v ? v + s : v)));
    const up = movedEqual(eps), down = movedEqual(-eps);
    for (let i = 0; i < n; i++) {
      const h = b.t[i]! - b.r[i]!;
      for (let j = 0; j < 2; j++) {
        const k = 2 * i + j;
        const derivative = (up.data[k]! - down.data[k]!) / (2 * eps);
        const expected = b.v.data[k]! + h * derivative;
        expect(Math.abs(target.data[k]! - expected)).toBeLessThan(1e-6 * Math.max(1, Math.abs(expected)));
      }
    }
  });

  it("of the exact average velocity of a curved flow (dx/dt = a x) with v = a x is that average velocity: the identity u = v + (t - r) du/dr", () => {
    const a = [0.7, -1.3, 2];
    const field = exponentialFlow(a);
    const b = batch(2, 16, 3, (x) => ndarray(x.data.map((v, k) => a[k % 3]! * v), [16, 3]));
    const target = meanFlowTarget(field, b);
    const exact = field.average(b.x, b.r, b.t);
    for (let k = 0; k < target.data.length; k++) expect(Math.abs(target.data[k]! - exact.data[k]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(exact.data[k]!)));
    // the other sign, u = v - (t - r) du/dr (the data-at-0 formula used as is), is 2 v - target: not the average velocity
    const wrong = b.v.data.map((v, k) => 2 * v - target.data[k]!);
    expect(Math.max(...wrong.map((w, k) => Math.abs(w - exact.data[k]!)))).toBeGreaterThan(1e-2);
  });

  it("rejects a plain velocity field, a model without averageJvp, r > t and mismatched shapes", () => {
    const b = batch(3, 4, 2);
    expect(() => meanFlowTarget(mlp({ dim: 2, hidden: [4] }) as never, b)).toThrow(DomainError);
    expect(() => meanFlowTarget(mlp({ dim: 2, hidden: [4] }) as never, b)).toThrow(/meanFlowTarget\(\): field must be a two-time model/);
    expect(() => meanFlowTarget({ dim: 2, average: (x: Batch) => x }, b)).toThrow(/averageJvp/);
    const model = twoTimeMlp({ dim: 2, hidden: [4], seed: 0 });
    expect(() => meanFlowTarget(model, { ...b, r: new Float64Array([0.5, 0, 0, 0]), t: new Float64Array([0.4, 1, 1, 1]) })).toThrow(/batch.r must be <= batch.t/);
    expect(() => meanFlowTarget(model, { ...b, v: fromRows([[1, 2]]) })).toThrow(ShapeError);
    expect(() => meanFlowTarget(model, { ...b, r: [0, 0, 0, 0] as never })).toThrow(DomainError);
  });
});

describe("meanFlowTarget output checks", () => {
  it("checks the model's JVP (not a batch, wrong rows, non-finite) and the target (an overflow is a NonFiniteError)", () => {
    // before: a raw TypeError for undefined, NaN targets for a short or NaN JVP, Infinity for v = 1.7e308
    const one = { x: fromRows([[1]]), r: new Float64Array([0]), t: new Float64Array([1]), v: fromRows([[3]]) };
    const jvp = (value: unknown) => ({ dim: 1, average: (x: Batch) => x, averageJvp: () => value as Batch });
    expect(() => meanFlowTarget(jvp(undefined), one)).toThrow(ShapeError);
    expect(() => meanFlowTarget(jvp(fromRows([], 1)), one)).toThrow(/^meanFlowTarget\(\): field\.averageJvp\(x, r, t, v, 1, 0\) must have shape \[1, 1\], got \[0, 1\]$/);
    expect(() => meanFlowTarget(jvp(fromRows([[Number.NaN]])), one)).toThrow(NonFiniteError);
    expect(() => meanFlowTarget(jvp(fromRows([[1e308]])), { ...one, v: fromRows([[1.7e308]]) })).toThrow(/^meanFlowTarget\(\): target must be finite/);
  });
});

describe("meanFlowLoss", () => {
  it("is zero for the exact average velocity of a straight linear flow with its conditional velocity x1 - x0", () => {
    const m = [2, 0.5];
    const field = straightLinearFlow(m);
    // x on the path at r from pairs (x0, x1 = m x0): x = ((1 - r) + r m) x0, v = (m - 1) x0
    const b = batch(4, 20, 2);
    const v = ndarray(new Float64Array(40), [20, 2]);
    for (let i = 0; i < 20; i++) for (let j = 0; j < 2; j++) {
      const x0 = b.x.data[2 * i + j]! / (1 - b.r[i]! + b.r[i]! * m[j]!);
      v.data[2 * i + j] = (m[j]! - 1) * x0;
    }
    const result = meanFlowLoss(field, { ...b, v });
    expect(result.loss).toBeLessThan(1e-28);
    expect(meanFlowLoss(field, { ...b, v: ndarray(v.data.map((q) => q + 0.1), [20, 2]) }).loss).toBeGreaterThan(1e-3);
  });

  it("writes dL/dtheta of (1/n) sum w_i |u_theta - target_i|^2 with target and weights held fixed (central differences, adaptive weights on)", () => {
    const model = twoTimeMlp({ dim: 2, hidden: [8, 8], activation: "tanh", seed: 2 });
    const b = batch(5, 10, 2);
    const result = meanFlowLoss(model, b, { adaptivePower: 1, adaptiveEps: 0.5 });
    const grad = Float64Array.from(model.gradient);
    const frozen = () => {
      const u = model.average(b.x, b.r, b.t);
      let s = 0;
      for (let i = 0; i < 10; i++) {
        let e = 0;
        for (let j = 0; j < 2; j++) e += (u.data[2 * i + j]! - result.target.data[2 * i + j]!) ** 2;
        s += result.weights[i]! * e;
      }
      return s / 10;
    };
    expect(Math.abs(frozen() - result.loss)).toBeLessThan(1e-12);
    // weights are 1 / (|u - target|^2 + c)^p at the current parameters
    const u0 = model.average(b.x, b.r, b.t);
    const e0 = (u0.data[0]! - result.target.data[0]!) ** 2 + (u0.data[1]! - result.target.data[1]!) ** 2;
    expect(result.weights[0]).toBeCloseTo(1 / (e0 + 0.5), 12);
    const pick = new Random(3);
    for (let q = 0; q < 30; q++) {
      const p = pick.int(model.parameters.length);
      const keep = model.parameters[p]!, eps = 1e-6;
      model.parameters[p] = keep + eps; const a = frozen();
      model.parameters[p] = keep - eps; const c = frozen();
      model.parameters[p] = keep;
      expect(Math.abs((a - c) / (2 * eps) - grad[p]!)).toBeLessThan(1e-7 * Math.max(1, Math.abs(grad[p]!)));
    }
  });

  it("rejects a model that cannot be trained and bad weighting options", () => {
    const b = batch(6, 3, 2);
    expect(() => meanFlowLoss({ dim: 2, average: (x: Batch) => x } as never, b)).toThrow(/trainable two-time model/);
    const model = twoTimeMlp({ dim: 2, hidden: [4], seed: 0 });
    expect(() => meanFlowLoss(model, b, { adaptivePower: -1 })).toThrow(DomainError);
    expect(() => meanFlowLoss(model, b, { adaptiveEps: 0 })).toThrow(DomainError);
  });

  it("options must be an object, and an adaptive weight that overflows is a NonFiniteError naming meanFlowLoss", () => {
    // before: a raw TypeError for null options; "cfmLoss(): weights[0] must be finite" for adaptivePower 200
    const model = twoTimeMlp({ dim: 1, hidden: [4], seed: 0 });
    const x = fromRows([[0]]);
    const exact = { x, r: new Float64Array([0.5]), t: new Float64Array([0.5]), v: model.average(x, 0.5, 0.5) };
    expect(() => meanFlowLoss(model, exact, null as never)).toThrow(DomainError);
    expect(() => meanFlowLoss(model, exact, { adaptivePower: 200 })).toThrow(NonFiniteError);
    expect(() => meanFlowLoss(model, exact, { adaptivePower: 200 })).toThrow(/^meanFlowLoss\(\): weights must be finite/);
  });
});

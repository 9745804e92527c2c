import { describe, expect, it } from "vitest";
import { DomainError, NonFiniteError, Random, ShapeError, fromRows, gaussianVelocity, condOT, mlp, sampleFewStep, twoTimeMlp, zeros, type Batch } from "../../src/index.js";
import { exponentialFlow } from "./closed-forms.js";

describe("sampleFewStep", () => {
  it("with the exact average velocity reproduces the flow map x0 e^a for every number of steps", () => {
    const a = [0.9, -2];
    const x0 = new Random(1).normalBatch(7, 2);
    for (const steps of [1, 2, 3, 8, 33]) {
      const { y, nfe } = sampleFewStep(exponentialFlow(a), x0, { steps });
      expect(nfe).toBe(steps);
      for (let k = 0; k < 14; k++) {
        const exact = x0.data[k]! * Math.exp(a[k % 2]!);
        expect(Math.abs(y.data[k]! - exact)).toBeLessThan(1e-12 * Math.max(1, Math.abs(exact)));
      }
    }
  });

  it("jumps x_{k+1} = x_k + h u(x_k, t_k, t_{k+1}) on the uniform grid of [t0, t1] and leaves x0 untouched", () => {
    const calls: [number, number][] = [];
    const u = { dim: 1, average: (x: Batch, r: number | Float64Array, t: number | Float64Array) => { calls.push([r as number, t as number]); const o = zeros(x.shape[0] as number, 1); o.data.fill(1 + (r as number)); return o; } };
    const x0 = fromRows([[0]]);
    const { y } = sampleFewStep(u, x0, { steps: 2, t0: 0.2, t1: 0.6 });
    expect(calls).toEqual([[0.2, 0.4], [0.4, 0.6]]);
    expect(y.data[0]).toBeCloseTo(0.2 * 1.2 + 0.2 * 1.4, 15);
    expect(x0.data[0]).toBe(0);
  });

  it("rejects steps < 1 or not an integer, t1 < t0, a model without the two-time input, a wrong x0 and a non-finite model value", () => {
    const model = twoTimeMlp({ dim: 2, hidden: [4], seed: 0 });
    const x0 = fromRows([[0, 0]]);
    for (const steps of [0, -1, 1.5, Number.NaN, "2"]) expect(() => sampleFewStep(model, x0, { steps: steps as number })).toThrow(DomainError);
    expect(() => sampleFewStep(model, x0, { steps: 0 })).toThrow(/sampleFewStep\(\): options.steps must be an integer >= 1, got 0/);
    expect(() => sampleFewStep(model, x0, { steps: 1.5 })).toThrow(/options.steps must be an integer/);
    expect(() => sampleFewStep(model, x0, { steps: 1, t0: 0.7, t1: 0.2 })).toThrow(DomainError);
    expect(() => sampleFewStep(mlp({ dim: 2, hidden: [4] }) as never, x0, { steps: 1 })).toThrow(/sampleFewStep\(\): model must be a two-time model/);
    expect(() => sampleFewStep(gaussianVelocity(condOT(), { mean: [0, 0], std: 1 }) as never, x0, { steps: 1 })).toThrow(DomainError);
    expect(() => sampleFewStep(model, x0, undefined as never)).toThrow(DomainError);
    expect(() => sampleFewStep(model, fromRows([[0, 0, 0]]), { steps: 1 })).toThrow(ShapeError);
    const bad = { dim: 1, average: (x: Batch) => { const o = zeros(x.shape[0] as number, 1); o.data.fill(Number.NaN); return o; } };
    expect(() => sampleFewStep(bad, fromRows([[0]]), { steps: 3 })).toThrow(NonFiniteError);
  });

  it("caps steps at 1e7 like riemannianSample, so 2^40 is rejected at once instead of running for hours", () => {
    const model = { dim: 1, average: (x: Batch) => zeros(x.shape[0] as number, 1) };
    expect(() => sampleFewStep(model, fromRows([[0]]), { steps: 2 ** 40 })).toThrow(DomainError);
    expect(() => sampleFewStep(model, fromRows([[0]]), { steps: 2 ** 40 })).toThrow(/^sampleFewStep\(\): options\.steps must be an integer <= 10000000, got 1099511627776$/);
  });

  it("checks the model's output: not a batch, too few or too many rows are ShapeErrors; a jump that overflows is a NonFiniteError", () => {
    // before: undefined gave a raw TypeError, a short batch "got undefined", a longer batch or a plain { data } object was used
    const x0 = fromRows([[0], [1]]);
    const returning = (value: unknown) => ({ dim: 1, average: () => value as Batch });
    expect(() => sampleFewStep(returning(undefined), x0, { steps: 1 })).toThrow(ShapeError);
    expect(() => sampleFewStep(returning(fromRows([[1]])), x0, { steps: 1 })).toThrow(/^sampleFewStep\(\): model\.average\(x, r, t\) must have shape \[2, 1\], got \[1, 1\]$/);
    expect(() => sampleFewStep(returning(fromRows([[1], [1], [7]])), x0, { steps: 1 })).toThrow(ShapeError);
    expect(() => sampleFewStep(returning({ data: [1, 1], shape: [2, 1] }), x0, { steps: 1 })).toThrow(ShapeError);
    const huge = { dim: 1, average: (x: Batch) => { const o = zeros(x.shape[0] as number, 1); o.data.fill(1e308); return o; } };
    expect(() => sampleFewStep(huge, fromRows([[1e308]]), { steps: 1 })).toThrow(NonFiniteError);
    expect(() => sampleFewStep(huge, fromRows([[1e308]]), { steps: 1 })).toThrow(/^sampleFewStep\(\): result must be finite/);
  });
});

import { describe, expect, it } from "vitest";
import { DomainError, Mlp, Random, ShapeError, adam, condOT, gaussian, gaussianVelocity, mlp, reflow, standardNormal, zeros, type Batch, type VelocityField } from "../../src/index.js";

/**
 * The rectified field of pairs related by x1_j = alpha_j x0_j + beta_j, fitted by least squares per
 * coordinate (exact for the Gaussian-to-Gaussian flow map, which is affine):
 * v(x, t)_j = (alpha_j - 1) x0_j + beta_j with x0_j = (x_j - t beta_j) / ((1 - t) + t alpha_j).
 */
function affineRectifiedField(x0: Batch, x1: Batch, fitted: { alpha: number[]; beta: number[] }[]): VelocityField {
  const [n, d] = x0.shape as [number, number];
  const alpha: number[] = [], beta: number[] = [];
  for (let j = 0; j < d; j++) {
    let mx = 0, my = 0;
    for (let i = 0; i < n; i++) { mx += x0.data[i * d + j]! / n; my += x1.data[i * d + j]! / n; }
    let sxy = 0, sxx = 0;
    for (let i = 0; i < n; i++) { const a = x0.data[i * d + j]! - mx; sxy += a * (x1.data[i * d + j]! - my); sxx += a * a; }
    alpha.push(sxy / sxx); beta.push(my - (sxy / sxx) * mx);
  }
  fitted.push({ alpha, beta });
  return {
    dim: d,
    evaluate(x: Batch, t: number | Float64Array, out?: Batch) {
      const m = x.shape[0] as number;
      const o = out ?? zeros(m, d);
      for (let i = 0; i < m; i++) {
        const ti = typeof t === "number" ? t : t[i]!;
        for (let j = 0; j < d; j++) {
          const start = (x.data[i * d + j]! - ti * beta[j]!) / (1 - ti + ti * alpha[j]!);
          o.data[i * d + j] = (alpha[j]! - 1) * start + beta[j]!;
        }
      }
      return o;
    },
  };
}

describe("reflow", () => {
  it("on the Gaussian-to-Gaussian flow (flow map x1 = mu + s x0) recovers the map from ODE pairs and yields straight trajectories (straightness <= 1e-6)", () => {
    const mean = [1.5, -1], std = [0.5, 2];
    const base = gaussianVelocity(condOT(), { mean, std });
    const fitted: { alpha: number[]; beta: number[] }[] = [];
    const rounds = reflow({
      field: base, source: standardNormal(2), rounds: 2, pairs: 200, measureSamples: 64, rng: new Random(1), steps: 0, batchSize: 1,
      solver: { method: "dopri5", rtol: 1e-10, atol: 1e-10 }, fitPairs: (x0, x1) => affineRectifiedField(x0, x1, fitted),
    });
    expect(rounds.map((r) => r.round)).toEqual([0, 1, 2]);
    // the base flow is curved, each rectified flow straight
    expect(rounds[0]!.straightness).toBeGreaterThan(0.1);
    for (const k of [1, 2]) expect(Math.abs(rounds[k]!.straightness)).toBeLessThanOrEqual(1e-6);
    // the pairs carry the exact flow map, in both rounds (reflow keeps the marginals' map)
    for (const f of fitted) for (let j = 0; j < 2; j++) {
      expect(Math.abs(f.alpha[j]! - std[j]!)).toBeLessThan(1e-7);
      expect(Math.abs(f.beta[j]! - mean[j]!)).toBeLessThan(1e-7);
    }
    // a straight flow's energy is its squared displacement: E|x1 - x0|^2 = sum_j mu_j^2 + (s_j - 1)^2 E x0^2 (< the base's energy)
    expect(rounds[1]!.pathEnergy).toBeLessThan(rounds[0]!.pathEnergy);
  });

  it("with training: seeded rounds are bit-identical, and straighten the flow of a trained field", () => {
    const run = () => {
      const base = mlp({ dim: 2, hidden: [16, 16], seed: 2 });
      // the closed-form field's flow as teacher, an Mlp for the rounds
      const teacher = gaussianVelocity(condOT(), gaussian({ mean: [2, 0], std: [0.4, 1.5] }));
      return reflow({
        field: teacher, source: standardNormal(2), rounds: 1, pairs: 512, measureSamples: 64, rng: new Random(5), steps: 300, batchSize: 64,
        optimizer: () => adam({ lr: 3e-3 }), model: () => new Mlp(base.toSpec()),
      });
    };
    const a = run(), b = run();
    expect(a[1]!.field).toBeInstanceOf(Mlp);
    expect(Array.from((a[1]!.field as Mlp).parameters)).toEqual(Array.from((b[1]!.field as Mlp).parameters));
    expect(a[1]!.history!.steps).toBe(300);
    expect(a[1]!.straightness).toBeLessThan(a[0]!.straightness / 3);
  });

  it("by default starts each round from a copy of the previous Mlp (Liu et al. 2022)", () => {
    const base = mlp({ dim: 2, hidden: [8], seed: 4 });
    const rounds = reflow({ field: base, source: standardNormal(2), rounds: 1, pairs: 16, measureSamples: 8, steps: 0, batchSize: 4, rng: new Random(0) });
    expect(rounds[1]!.field).not.toBe(base);
    expect(Array.from((rounds[1]!.field as Mlp).parameters)).toEqual(Array.from(base.parameters));
  });

  it("rejects invalid options", () => {
    const base = mlp({ dim: 2, hidden: [4] });
    const ok = { field: base, source: standardNormal(2), rounds: 1, pairs: 8, steps: 1, batchSize: 4, rng: new Random(0) };
    expect(() => reflow({ ...ok, rounds: 0 })).toThrow(DomainError);
    expect(() => reflow({ ...ok, rounds: 1.5 })).toThrow(/reflow\(\): options.rounds must be an integer/);
    expect(() => reflow({ ...ok, source: standardNormal(3) })).toThrow(ShapeError);
    expect(() => reflow({ ...ok, field: gaussianVelocity(condOT(), { mean: [0, 0], std: 1 }) })).toThrow(/options.model must be given/);
    expect(() => reflow({ ...ok, fitPairs: () => ({ dim: 3, evaluate: (x: Batch) => x }) })).toThrow(/fitPairs must return a velocity field of dim 2/);
    expect(() => reflow({ ...ok, rng: undefined as never })).toThrow(DomainError);
  });

  it("a solver that is not an options object, and fitPairs, model or path of the wrong type, are DomainErrors naming the option", () => {
    // before: solver "euler" was spread into the solver options and ignored; "o.fitPairs is not a function",
    // "make is not a function", "path.sample is not a function"
    const base = mlp({ dim: 2, hidden: [4] });
    const ok = { field: base, source: standardNormal(2), rounds: 1, pairs: 8, measureSamples: 4, steps: 1, batchSize: 4, rng: new Random(0) };
    expect(() => reflow({ ...ok, solver: "euler" as never })).toThrow(DomainError);
    expect(() => reflow({ ...ok, solver: "euler" as never })).toThrow(/^reflow\(\): options\.solver must be an options object, got "euler"$/);
    expect(() => reflow({ ...ok, fitPairs: 5 as never })).toThrow(/^reflow\(\): options\.fitPairs must be a function, got 5$/);
    expect(() => reflow({ ...ok, model: 5 as never })).toThrow(/^reflow\(\): options\.model must be a function, got 5$/);
    expect(() => reflow({ ...ok, path: {} as never })).toThrow(/^reflow\(\): options\.path must be a probability path/);
    expect(() => reflow({ ...ok, source: { dim: 2 } as never })).toThrow(/^reflow\(\): options\.source must be a Distribution/);
  });
});

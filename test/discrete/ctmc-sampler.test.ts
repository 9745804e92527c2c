import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { fromRows } from "../../src/core/batch.js";
import { DomainError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import type { Scheduler } from "../../src/core/interfaces.js";
import { Random } from "../../src/random/random.js";
import { ctmcSample, uniformSource, maskSource, tokensFromRows, type DiscretePosteriorModel, type Tokens } from "../../src/discrete/index.js";
import { condOT, quadratic } from "./helpers.js";

/** A model whose posterior is always delta_token. */
const always = (states: number, token: number): DiscretePosteriorModel => ({
  states,
  posterior: (x: Tokens) => {
    const out = new Float64Array(x.data.length * states);
    for (let r = 0; r < x.data.length; r++) out[r * states + token] = 1;
    return ndarray(out, [x.data.length, states]);
  },
});

/**
 * The exact posterior p(x1 = y | x_t = x) of the mixture path with independent coupling of a
 * source p0 and a target q (one position): proportional to q(y) ((1 - kappa) p0(x) + kappa delta_{xy}).
 */
const exactPosterior = (q: number[], p0: Float64Array, kappaOf: (t: number) => number): DiscretePosteriorModel => ({
  states: p0.length,
  posterior: (x: Tokens, t: number) => {
    const S = p0.length;
    const k = kappaOf(t);
    const out = new Float64Array(x.data.length * S);
    for (let r = 0; r < x.data.length; r++) {
      const s = x.data[r]!;
      let z = 0;
      for (let y = 0; y < S; y++) {
        const w = (q[y] ?? 0) * ((1 - k) * p0[s]! + k * (y === s ? 1 : 0));
        out[r * S + y] = w;
        z += w;
      }
      for (let y = 0; y < S; y++) out[r * S + y] = out[r * S + y]! / z;
    }
    return ndarray(out, [x.data.length, S]);
  },
});

const histogram = (x: Tokens, S: number) => {
  const h = new Array(S).fill(0);
  for (const v of x.data) h[v]++;
  return h.map((c) => c / x.data.length);
};

describe("ctmcSample", () => {
  it("a model that always predicts token 2 reaches token 2 everywhere at t = 1 (uniform and mask sources, with and without divergence-free term)", () => {
    const rng = new Random(5);
    for (const source of [uniformSource(4), maskSource(4)]) {
      for (const divergenceFree of [0, (t: number) => 3 * t * (1 - t)]) {
        const x0 = source.sample(8, 16, rng);
        const { x, nfe, steps } = ctmcSample(always(source.states, 2), x0, { scheduler: condOT, rng, steps: 20, source, divergenceFree });
        expect(Array.from(x.data)).toEqual(new Array(128).fill(2));
        expect(nfe).toBe(20);
        expect(steps).toBe(20);
        expect(x0.data.some((v) => v !== 2)).toBe(true); // the input was not mutated
      }
    }
  });

  it("with the exact posterior, the t = 1 histogram matches the target q (20000 samples, within 0.015)", () => {
    const q = [0.6, 0.3, 0.1];
    const source = uniformSource(3);
    const model = exactPosterior(q, source.probabilities(), (t) => quadratic.at(t).alpha);
    const x0 = source.sample(20000, 1, new Random(11));
    const { x } = ctmcSample(model, x0, { scheduler: quadratic, rng: new Random(12), steps: 25 });
    histogram(x, 3).forEach((f, y) => expect(Math.abs(f - q[y]!)).toBeLessThan(0.015));
  });

  it("Euler steps track the path marginal p_t = (1 - kappa) p0 + kappa q at t = 0.5, with and without the divergence-free term", () => {
    const q = [0.6, 0.3, 0.1];
    for (const source of [uniformSource(3), maskSource(3)]) {
      const p0 = source.probabilities();
      const model = exactPosterior(q, p0, (t) => t);
      const x0 = source.sample(20000, 1, new Random(21));
      for (const divergenceFree of [0, (t: number) => 2 * t]) {
        const { x } = ctmcSample(model, x0, { scheduler: condOT, rng: new Random(22), steps: 50, t1: 0.5, source, divergenceFree });
        const h = histogram(x, source.states);
        h.forEach((f, y) => expect(Math.abs(f - (0.5 * p0[y]! + 0.5 * (q[y] ?? 0)))).toBeLessThan(0.015));
      }
    }
  });

  it("bad input throws typed errors", () => {
    const model = always(3, 1);
    const x0 = tokensFromRows([[0, 1]]);
    const base = { scheduler: condOT, rng: new Random(1), steps: 4 };
    expect(() => ctmcSample({} as DiscretePosteriorModel, x0, base)).toThrow(DomainError);
    expect(() => ctmcSample(model, tokensFromRows([[0, 3]]), base)).toThrow(DomainError);
    expect(() => ctmcSample(model, x0, { ...base, rng: {} as Random })).toThrow(DomainError);
    expect(() => ctmcSample(model, x0, { ...base, steps: 0 })).toThrow(DomainError);
    expect(() => ctmcSample(model, x0, { ...base, t0: 0.5, t1: 0.2 })).toThrow(DomainError);
    expect(() => ctmcSample(model, x0, { ...base, divergenceFree: 1 })).toThrow(DomainError);
    expect(() => ctmcSample(model, x0, { ...base, divergenceFree: 1, source: uniformSource(4) })).toThrow(DomainError);
    expect(() => ctmcSample(model, x0, { ...base, divergenceFree: 1, source: uniformSource(3) })).toThrow(DomainError);
    expect(() => ctmcSample(model, x0, { ...base, divergenceFree: -1, source: uniformSource(3) })).toThrow(DomainError);
    const wrongShape: DiscretePosteriorModel = { states: 3, posterior: () => fromRows([[1, 0, 0]]) };
    expect(() => ctmcSample(wrongShape, x0, base)).toThrow(ShapeError);
    const negative: DiscretePosteriorModel = { states: 3, posterior: () => fromRows([[1, -1, 1], [1, 0, 0]]) };
    expect(() => ctmcSample(negative, x0, base)).toThrow(DomainError);
    const zero: DiscretePosteriorModel = { states: 3, posterior: () => fromRows([[0, 0, 0], [1, 0, 0]]) };
    expect(() => ctmcSample(zero, x0, base)).toThrow(DomainError);
  });

  it("posterior rows of any scale are normalised: rows of 1e308 or 5e-324 give the same draws as rows of 1", () => {
    // before: [1e308] * 3 sent every token to the last state at t = 1 and froze them before; 5e-324 * 3 was skewed
    const fixed = (v: number): DiscretePosteriorModel => ({ states: 3, posterior: (x: Tokens) => fromRows(Array.from(x.data, () => [v, v, v])) });
    const x0 = tokensFromRows([new Array(3000).fill(0)]);
    for (const t1 of [1, 0.9]) {
      const reference = ctmcSample(fixed(1), x0, { scheduler: condOT, rng: new Random(1), steps: 20, t1 }).x.data;
      const h = histogram(ndarray(reference, [1, 3000]), 3);
      // at t1 = 0.9 a token still at 0 stayed with probability (1 - 0.9) + 0.9 / 3 = 0.4
      h.forEach((f, y) => expect(Math.abs(f - (t1 === 1 ? 1 / 3 : y === 0 ? 0.4 : 0.3))).toBeLessThan(0.04));
      for (const v of [1e308, 5e-324, 1e-320]) {
        expect(Array.from(ctmcSample(fixed(v), x0, { scheduler: condOT, rng: new Random(1), steps: 20, t1 }).x.data)).toEqual(Array.from(reference));
      }
    }
  });

  it("a divergence-free term where kappa_t is subnormal jumps every token to (1 - kappa) p0 + kappa p off its state, like a tiny normal kappa_t", () => {
    // before: a kappa'/(kappa (1 - kappa)) overflowed to Infinity and every jump went to the last state (0/0/3000)
    const source = uniformSource(3);
    const x0 = tokensFromRows([new Array(3000).fill(0)]);
    const model = always(3, 0);
    for (const t0 of [1e-310, 1e-300]) {
      const h = histogram(ctmcSample(model, x0, { scheduler: condOT, rng: new Random(1), steps: 1, t0, t1: 0.5, divergenceFree: 1, source }).x, 3);
      expect(h[0]).toBe(0);
      expect(Math.abs(h[1]! - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / 3000));
    }
  });

  it("a scheduler with an absurd but finite kappa' (1e308) still jumps with probability 1 to the posterior's states", () => {
    // before: kappa'/(1 - kappa) overflowed, rates were Infinity and draws went to the last state
    const huge: Scheduler = { name: "huge", at: (t) => ({ alpha: t, sigma: 1 - t, dAlpha: 1e308, dSigma: -1e308 }) };
    const model: DiscretePosteriorModel = { states: 3, posterior: (x: Tokens) => fromRows(Array.from(x.data, () => [0, 0.5, 0.5])) };
    const h = histogram(ctmcSample(model, tokensFromRows([new Array(3000).fill(0)]), { scheduler: huge, rng: new Random(2), steps: 1, t1: 0.5 }).x, 3);
    expect(h[0]).toBe(0);
    expect(Math.abs(h[1]! - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / 3000));
  });

  it("a malformed source, divergence-free weight, time grid or scheduler gives a typed error, never a TypeError or frozen tokens", () => {
    const model = always(3, 1);
    const x0 = tokensFromRows([[0, 1]]);
    const base = { scheduler: condOT, rng: new Random(1), steps: 4, t0: 0.1, divergenceFree: 1 };
    // before: TypeErrors from null.states, source.probabilities and "1"(t)
    expect(() => ctmcSample(model, x0, { ...base, source: null as never })).toThrow(DomainError);
    expect(() => ctmcSample(model, x0, { ...base, source: { states: 3 } as never })).toThrow(/options.source must be a DiscreteSource/);
    expect(() => ctmcSample(model, x0, { ...base, divergenceFree: "1" as never, source: uniformSource(3) })).toThrow(/options.divergenceFree must be a number >= 0 or a function of t/);
    // before: NaN rates and no jump at all, silently
    const bad = (p: Float64Array) => ({ ...uniformSource(3), probabilities: () => p });
    expect(() => ctmcSample(model, x0, { ...base, source: bad(new Float64Array([Number.NaN, Number.NaN, Number.NaN])) })).toThrow(NonFiniteError);
    expect(() => ctmcSample(model, x0, { ...base, source: bad(new Float64Array(1)) })).toThrow(ShapeError);
    expect(() => ctmcSample(model, x0, { ...base, source: bad(new Float64Array([0.5, -0.5, 1])) })).toThrow(DomainError);
    expect(() => ctmcSample(model, x0, { ...base, source: bad(new Float64Array([1, 1, 1])) })).toThrow(/sum to 1/);
    // before: a grid past MAX_STEPS ran for as long as it was
    expect(() => ctmcSample(model, x0, { scheduler: condOT, rng: new Random(1), timeGrid: { length: 20_000_001 } as never })).toThrow(/options.timeGrid must have at most 10000001 nodes/);
    // before: a decreasing kappa gave negative rates and no jump
    const decreasing: Scheduler = { name: "decreasing", at: (t) => ({ alpha: 1 - t, sigma: t, dAlpha: -1, dSigma: 1 }) };
    expect(() => ctmcSample(model, x0, { scheduler: decreasing, rng: new Random(1), steps: 4, t1: 0.9 })).toThrow(/non-decreasing/);
  });
});

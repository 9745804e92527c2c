import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Random } from "../../src/random/random.js";
import { DomainError, ShapeError } from "../../src/core/errors.js";
import type { Scheduler } from "../../src/core/interfaces.js";
import { mixtureDiscretePath, tokensFromRows, asTokens, uniformSource, maskSource, mixtureKappa, MixtureDiscretePath, type Tokens } from "../../src/discrete/index.js";
import { condOT, quadratic } from "./helpers.js";

describe("mixtureDiscretePath", () => {
  it("x_t = x0 at t = 0 and x_t = x1 at t = 1 exactly, for any tokens and seed", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 7 }), (seed, n, L) => {
      const rng = new Random(seed);
      const x0 = uniformSource(5).sample(n, L, rng);
      const x1 = uniformSource(5).sample(n, L, rng);
      for (const sch of [condOT, quadratic]) {
        const path = mixtureDiscretePath(sch);
        expect(Array.from(path.sample(x0, x1, 0, rng).xt.data)).toEqual(Array.from(x0.data));
        expect(Array.from(path.sample(x0, x1, 1, rng).xt.data)).toEqual(Array.from(x1.data));
      }
    }), { seed: 42, numRuns: 50 });
  });

  it("each position takes x1 with probability kappa_t (20000 positions, 4-sigma band) and x0 otherwise", () => {
    const n = 200, L = 100;
    const x0 = tokensFromRows(Array.from({ length: n }, () => new Array(L).fill(0)));
    const x1 = tokensFromRows(Array.from({ length: n }, () => new Array(L).fill(1)));
    const s = mixtureDiscretePath(quadratic).sample(x0, x1, 0.6, new Random(7));
    const frac = s.xt.data.reduce((a, v) => a + v, 0) / (n * L);
    const k = 0.36;
    expect(Math.abs(frac - k)).toBeLessThan(4 * Math.sqrt((k * (1 - k)) / (n * L)));
    expect(Array.from(s.t)).toEqual(new Array(n).fill(0.6));
  });

  it("per-row times are honoured", () => {
    const x0 = tokensFromRows([[0, 0, 0], [0, 0, 0]]);
    const x1 = tokensFromRows([[1, 1, 1], [1, 1, 1]]);
    const s = mixtureDiscretePath(condOT).sample(x0, x1, new Float64Array([0, 1]), new Random(1));
    expect(Array.from(s.xt.data)).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it("sources: uniform draws every token, mask is the extra token K", () => {
    const u = uniformSource(3).sample(100, 10, new Random(3));
    expect(new Set(u.data).size).toBe(3);
    expect(Array.from(uniformSource(2).probabilities())).toEqual([0.5, 0.5]);
    const m = maskSource(3);
    expect(m.states).toBe(4);
    expect(Array.from(m.probabilities())).toEqual([0, 0, 0, 1]);
    expect(Array.from(m.sample(2, 2, new Random(0)).data)).toEqual([3, 3, 3, 3]);
  });

  it("bad input throws typed errors", () => {
    const path = mixtureDiscretePath(condOT);
    const x = tokensFromRows([[0, 1]]);
    expect(() => path.sample(x, tokensFromRows([[0, 1, 2]]), 0.5, new Random(1))).toThrow(ShapeError);
    expect(() => path.sample(x, x, 2, new Random(1))).toThrow(DomainError);
    expect(() => path.sample(x, x, 0.5, {} as Random)).toThrow(DomainError);
    expect(() => path.sample({ shape: [1, 2], data: new Float64Array(2) } as unknown as Tokens, x, 0.5, new Random(1))).toThrow(ShapeError);
    expect(() => new MixtureDiscretePath(undefined as unknown as Scheduler)).toThrow(DomainError);
    const vp: Scheduler = { name: "vp", at: (t) => ({ alpha: Math.sin(t), sigma: Math.cos(t), dAlpha: 1, dSigma: 0 }) };
    expect(() => mixtureDiscretePath(vp).sample(x, x, 0.5, new Random(1))).toThrow(DomainError);
    expect(() => mixtureKappa(null as unknown as Scheduler, 0, "f")).toThrow(DomainError);
    expect(() => tokensFromRows([[0, 1], [2]])).toThrow(ShapeError);
    expect(() => tokensFromRows([[0, -1]])).toThrow(DomainError);
    expect(() => tokensFromRows([[0.5]])).toThrow(DomainError);
    expect(() => asTokens("f", "x", x, { states: 1 })).toThrow(DomainError);
    expect(() => asTokens("f", "x", x, { rows: 2 })).toThrow(ShapeError);
    expect(() => asTokens("f", "x", x, { positions: 3 })).toThrow(ShapeError);
    expect(() => uniformSource(0)).toThrow(DomainError);
    expect(() => maskSource(1.5)).toThrow(DomainError);
    expect(tokensFromRows([]).shape).toEqual([0, 0]);
  });

  it("token batches with negative, fractional or missing sizes are ShapeErrors, not RangeErrors", () => {
    // before: tokensFromRows([{ length: -1 }]) threw a RangeError; shape [-1, -2] over 2 tokens passed asTokens
    expect(() => tokensFromRows([{ length: -1 } as never])).toThrow(/rows\[0\].length must be an integer >= 0/);
    expect(() => tokensFromRows([{ length: 1.5 } as never])).toThrow(ShapeError);
    const negative = { shape: [-1, -2], stride: [-2, 1], offset: 0, data: Int32Array.of(0, 0) } as unknown as Tokens;
    const fractional = { shape: [1.5, 2], stride: [2, 1], offset: 0, data: new Int32Array(3) } as unknown as Tokens;
    expect(() => asTokens("f", "x", negative)).toThrow(/x.shape\[0\] must be an integer >= 0/);
    expect(() => asTokens("f", "x", fractional)).toThrow(ShapeError);
    expect(() => mixtureDiscretePath(condOT).sample(negative, negative, 0.5, new Random(1))).toThrow(ShapeError);
    expect(() => asTokens("f", "x", { shape: [2, 2], data: new Int32Array(4) })).toThrow(/x.stride must be an array of 2 strides/);
  });
});

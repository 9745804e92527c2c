import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { DomainError } from "../../src/core/errors.js";
import { Random } from "../../src/random/random.js";
import { cosineGrid, powerGrid, uniformGrid } from "../../src/solvers/time-grid.js";
import { ctmcSample, tokensFromRows, uniformSource, type DiscretePosteriorModel, type Tokens } from "../../src/discrete/index.js";
import { quadratic } from "./helpers.js";

// a posterior that depends on the state and the time, so a shifted node or step changes the draws
const model: DiscretePosteriorModel = {
  states: 4,
  posterior: (x: Tokens, t: number) => {
    const out = new Float64Array(x.data.length * 4);
    for (let r = 0; r < x.data.length; r++) {
      for (let y = 0; y < 4; y++) out[r * 4 + y] = 1 + ((x.data[r] as number) + y) % 3 + t * y;
    }
    return ndarray(out, [x.data.length, 4]);
  },
};
const x0 = tokensFromRows([[0, 1, 2, 3, 0, 1], [3, 3, 2, 2, 1, 0], [1, 1, 1, 1, 1, 1]]);

describe("ctmcSample returnIntermediates agrees with sampling to each grid time separately", () => {
  it("trajectory[k] equals the run on grid[0..k] with the same seed (with and without a divergence-free term)", () => {
    for (const divergenceFree of [0, 0.5]) {
      const grid = powerGrid(10, 2, { t0: 0.05, t1: 1 });
      const opts = { scheduler: quadratic, source: uniformSource(4), divergenceFree };
      const r = ctmcSample(model, x0, { ...opts, rng: new Random(7), timeGrid: grid, returnIntermediates: true });
      expect(Array.from(r.times as Float64Array)).toEqual(Array.from(grid));
      expect(r.trajectory?.[0]?.data).toEqual(x0.data);
      for (let k = 1; k <= 10; k++) {
        const alone = ctmcSample(model, x0, { ...opts, rng: new Random(7), timeGrid: grid.slice(0, k + 1) });
        expect(r.trajectory?.[k]?.data).toEqual(alone.x.data);
      }
      expect(r.trajectory?.[10]?.data).toEqual(r.x.data);
    }
  });

  it("timeGrid = uniformGrid(N) reproduces steps: N with the same seed", () => {
    const a = ctmcSample(model, x0, { scheduler: quadratic, rng: new Random(3), steps: 12 });
    const b = ctmcSample(model, x0, { scheduler: quadratic, rng: new Random(3), timeGrid: uniformGrid(12) });
    expect(b.x.data).toEqual(a.x.data);
    expect(b.nfe).toBe(12);
    expect(ctmcSample(model, x0, { scheduler: quadratic, rng: new Random(3), timeGrid: cosineGrid(5) }).steps).toBe(5);
  });

  it("a non-monotone, decreasing or out-of-range grid is a typed error", () => {
    const o = { scheduler: quadratic, rng: new Random(1) };
    expect(() => ctmcSample(model, x0, { ...o, timeGrid: [0, 0.6, 0.5, 1] })).toThrow(DomainError);
    expect(() => ctmcSample(model, x0, { ...o, timeGrid: [1, 0.5, 0] })).toThrow(/ctmcSample\(\): options.timeGrid must increase/);
    expect(() => ctmcSample(model, x0, { ...o, timeGrid: [0, 1.5] })).toThrow(DomainError);
  });
});

import { describe, expect, it } from "vitest";
import { DomainError, NonFiniteError, Random, ShapeError, condOT, ctmcSample, fromRows, tokensFromRows, withPosteriorCondition } from "../../src/index.js";
import type { ConditionedPosteriorModel } from "../../src/index.js";

// the posterior puts all its mass on the state given by the sequence's condition, so at t = 1
// (kappa = 1: the last step jumps with probability 1) every position holds its condition's state
const states = 4;
const pointMass: ConditionedPosteriorModel = {
  states, conditionDim: 1,
  posteriorConditioned: (x, _t, c) => {
    const positions = x.shape[1] as number;
    return fromRows(Array.from(x.data, (_, k) => Array.from({ length: states }, (_, s) => (s === c.data[Math.floor(k / positions)] ? 1 : 0))));
  },
};

describe("withPosteriorCondition binds one condition per sequence for ctmcSample", () => {
  it("every sequence ends in its own condition's state, whatever the order of the rows", () => {
    const labels = [3, 0, 2, 1, 3, 2];
    const r = ctmcSample(withPosteriorCondition(pointMass, fromRows(labels.map((l) => [l]))), tokensFromRows(labels.map(() => [1, 1, 1])), {
      scheduler: condOT(), rng: new Random(4), steps: 8, returnIntermediates: true,
    });
    expect(Array.from(r.x.data)).toEqual(labels.flatMap((l) => [l, l, l]));
    expect(r.trajectory?.length).toBe(9);
  });

  it("rejects wrong row counts, widths, NaN conditions and unconditioned models with typed errors", () => {
    const bound = withPosteriorCondition(pointMass, fromRows([[0], [1]]));
    expect(() => ctmcSample(bound, tokensFromRows([[1], [1], [1]]), { scheduler: condOT(), rng: new Random(1), steps: 2 })).toThrow(/withPosteriorCondition\(\): condition must have one row per sequence of xt \(3\), got \[2, 1\]/);
    expect(() => withPosteriorCondition(pointMass, fromRows([[0, 1]]))).toThrow(ShapeError);
    expect(() => withPosteriorCondition(pointMass, fromRows([[Number.NaN]]))).toThrow(NonFiniteError);
    expect(() => withPosteriorCondition({ states: 2, posterior: () => fromRows([[1, 0]]) } as never, fromRows([[0]]))).toThrow(DomainError);
  });

  it("the bound model blames xt, not the condition, when xt is not a batch of tokens", () => {
    // before: "condition must have one row per sequence of xt (undefined)"
    const bound = withPosteriorCondition(pointMass, fromRows([[0], [1]]));
    expect(() => bound.posterior(null as never, 0.5)).toThrow(/withPosteriorCondition\(\): xt must be/);
  });
});

import { describe, expect, it } from "vitest";
import { DomainError, NonFiniteError, Random, ShapeError, adam, cosineSchedule, gaussian, mlp, moons, sampleFewStep, sgd, standardNormal, trainMeanFlow, trainShortcut, twoTimeMlp } from "../../src/index.js";

const target = gaussian({ mean: [2], std: [0.5] });

function oneStepMoments(train: typeof trainMeanFlow | typeof trainShortcut): { mean: number; std: number; losses: Float64Array } {
  const model = twoTimeMlp({ dim: 1, hidden: [32, 32], seed: 1 });
  const history = train({ model, source: standardNormal(1), target, steps: 2000, batchSize: 128, rng: new Random(2), optimizer: () => adam({ lr: 3e-3 }), learningRate: cosineSchedule(3e-3, 2000, 1e-4) });
  const y = sampleFewStep(model, new Random(9).normalBatch(4000, 1), { steps: 1 }).y.data;
  let mean = 0;
  for (const v of y) mean += v / y.length;
  let variance = 0;
  for (const v of y) variance += (v - mean) ** 2 / y.length;
  return { mean, std: Math.sqrt(variance), losses: history.loss };
}

describe("trainMeanFlow and trainShortcut", () => {
  // N(0, 1) -> N(2, 0.5^2): the exact one-step map is x -> 2 + 0.5 x; a model that only learned
  // the instantaneous velocity would jump with v(x, 0) = 2 - x, giving std 0 in one Euler step
  for (const [name, train] of [["MeanFlow", trainMeanFlow], ["shortcut", trainShortcut]] as const) {
    it(`${name}: one step from N(0, 1) lands on N(2, 0.5^2) (mean and std within 0.1), and the loss falls`, () => {
      const { mean, std, losses } = oneStepMoments(train);
      expect(Math.abs(mean - 2)).toBeLessThan(0.1);
      expect(Math.abs(std - 0.5)).toBeLessThan(0.1);
      const head = losses.slice(0, 100).reduce((a, b) => a + b) / 100, tail = losses.slice(-100).reduce((a, b) => a + b) / 100;
      // the loss keeps the variance of the conditional target, so it falls but not to zero
      expect(tail).toBeLessThan(head);
    }, 60_000);
  }

  it("is seeded: the same options give bit-identical parameters and losses", () => {
    const run = () => {
      const model = twoTimeMlp({ dim: 2, hidden: [8], seed: 3 });
      const h = trainMeanFlow({ model, source: standardNormal(2), target: moons(), steps: 10, batchSize: 16, rng: new Random(4) });
      const s = trainShortcut({ model, source: standardNormal(2), target: moons(), steps: 10, batchSize: 16, rng: new Random(5) });
      return { p: Array.from(model.parameters), l: [...h.loss, ...s.loss] };
    };
    expect(run()).toEqual(run());
  });

  it("stops on onStep returning false, and rejects invalid options with typed errors", () => {
    const model = twoTimeMlp({ dim: 2, hidden: [4], seed: 0 });
    const ok = { model, source: standardNormal(2), target: moons(), steps: 5, batchSize: 8, rng: new Random(0) };
    expect(trainShortcut({ ...ok, onStep: (s) => s.step < 2 }).steps).toBe(2);
    expect(() => trainMeanFlow({ ...ok, model: mlp({ dim: 2, hidden: [4] }) as never })).toThrow(/trainMeanFlow\(\): options.model must be a two-time model/);
    expect(() => trainMeanFlow({ ...ok, target: standardNormal(3) })).toThrow(ShapeError);
    expect(() => trainMeanFlow({ ...ok, distinctFraction: 2 })).toThrow(DomainError);
    expect(() => trainMeanFlow({ ...ok, sampleTimes: () => new Float64Array(3) })).toThrow(ShapeError);
    expect(() => trainMeanFlow({ ...ok, sampleTimes: (n) => new Float64Array(n).fill(1.5) })).toThrow(DomainError);
    expect(() => trainShortcut({ ...ok, finestGrid: 48 })).toThrow(/finestGrid must be a power of 2/);
    expect(() => trainShortcut({ ...ok, batchSize: 0 })).toThrow(DomainError);
    expect(() => trainShortcut({ ...ok, optimizer: adam() as never })).toThrow(/options.optimizer must be a function/);
    const blowUp = twoTimeMlp({ dim: 2, hidden: [4], seed: 0 });
    blowUp.parameters.fill(1e200);
    expect(() => trainMeanFlow({ ...ok, model: blowUp })).toThrow(NonFiniteError);
  });

  it("options that should be functions or objects with methods are DomainErrors naming the option, not raw TypeErrors", () => {
    // before: "o.source.sample is not a function", "draw is not a function", "o.coupling.pair is not a function",
    // "o.learningRate is not a function", "o.onStep is not a function", "optimizer.step is not a function"
    const model = twoTimeMlp({ dim: 2, hidden: [4], seed: 0 });
    const ok = { model, source: standardNormal(2), target: moons(), steps: 2, batchSize: 4, rng: new Random(0) };
    expect(() => trainMeanFlow({ ...ok, source: { dim: 2 } as never })).toThrow(/^trainMeanFlow\(\): options\.source must be a Distribution/);
    expect(() => trainShortcut({ ...ok, target: { dim: 2 } as never })).toThrow(/^trainShortcut\(\): options\.target must be a Distribution/);
    expect(() => trainMeanFlow({ ...ok, sampleTimes: 5 as never })).toThrow(/^trainMeanFlow\(\): options\.sampleTimes must be a function, got 5$/);
    expect(() => trainMeanFlow({ ...ok, coupling: {} as never })).toThrow(/^trainMeanFlow\(\): options\.coupling must be a Coupling/);
    expect(() => trainShortcut({ ...ok, path: {} as never })).toThrow(/^trainShortcut\(\): options\.path must be a probability path/);
    expect(() => trainMeanFlow({ ...ok, learningRate: 5 as never })).toThrow(/^trainMeanFlow\(\): options\.learningRate must be a function, got 5$/);
    expect(() => trainShortcut({ ...ok, onStep: 5 as never })).toThrow(/^trainShortcut\(\): options\.onStep must be a function, got 5$/);
    expect(() => trainMeanFlow({ ...ok, optimizer: () => ({}) as never })).toThrow(/^trainMeanFlow\(\): options\.optimizer\(\) must be an Optimizer/);
    expect(() => trainShortcut({ ...ok, rng: { uniform: () => 0.1 } as never })).toThrow(/^trainShortcut\(\): options\.rng must be a Random/);
    expect(() => trainMeanFlow({ ...ok, batchSize: 2 ** 40 })).toThrow(/^trainMeanFlow\(\): options\.batchSize must be an integer <= /);
    for (const bad of [{ ...ok, source: { dim: 2 } }, { ...ok, sampleTimes: 5 }, { ...ok, optimizer: () => ({}) }]) {
      expect(() => trainMeanFlow(bad as never)).toThrow(DomainError);
    }
  });

  it("non-finite times from sampleTimes are a NonFiniteError naming the option, not a diverged run", () => {
    // before: "loss must be finite at step 1 (the run diverged: lower the learning rate, ...)"
    const model = twoTimeMlp({ dim: 2, hidden: [4], seed: 0 });
    const run = () => trainMeanFlow({ model, source: standardNormal(2), target: moons(), steps: 2, batchSize: 4, rng: new Random(0), sampleTimes: (n) => new Float64Array(n).fill(Number.NaN) });
    expect(run).toThrow(NonFiniteError);
    expect(run).toThrow(/^trainMeanFlow\(\): options\.sampleTimes must return finite times, got NaN at index 0$/);
  });

  it("a diverging run (sgd, lr 1e3) reports the loop's loss at its step with the hint, and leaves finite parameters", () => {
    // before: the inner "squaredEuclidean.value(): ... (rescale the input)" or "TwoTimeMlp.average(): x must ..." with no step
    for (const train of [trainMeanFlow, trainShortcut]) {
      const model = twoTimeMlp({ dim: 2, hidden: [16], seed: 1 });
      const run = () => train({ model, source: standardNormal(2), target: moons(), steps: 30, batchSize: 32, rng: new Random(1), optimizer: () => sgd({ lr: 1e3 }) });
      expect(run).toThrow(/(trainMeanFlow|trainShortcut)\(\): loss must be finite at step \d+ \(the run diverged: lower the learning rate/);
      expect(model.parameters.every(Number.isFinite)).toBe(true);
    }
  });
});

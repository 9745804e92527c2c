import { describe, expect, it } from "vitest";
import {
  DomainError, NonFiniteError, Random, ShapeError, adam, affinePath, condOT, cosineSchedule, fromData, gaussian, gaussianVelocity,
  mlp, moons, sgd, standardNormal, train, trainSync, ParameterEma, type Batch, type Coupling, type CoupledBatch, type LabelledDistribution,
} from "../../src/index.js";

const path = affinePath(condOT());

function options(seed: number, steps = 20) {
  return {
    model: mlp({ dim: 2, hidden: [16, 16], activation: "silu" as const, seed }),
    source: standardNormal(2),
    target: moons(),
    path,
    steps,
    batchSize: 32,
    rng: new Random(seed),
  };
}

describe("train", () => {
  it("the same seed gives bit-identical parameters and losses; train and trainSync agree", async () => {
    const a = options(3), b = options(3), c = options(3);
    const ha = trainSync(a);
    const hb = trainSync(b);
    const hc = await train(c);
    expect(Array.from(a.model.parameters)).toEqual(Array.from(b.model.parameters));
    expect(Array.from(c.model.parameters)).toEqual(Array.from(a.model.parameters));
    expect(Array.from(hb.loss)).toEqual(Array.from(ha.loss));
    expect(Array.from(hc.loss)).toEqual(Array.from(ha.loss));
    expect(ha.steps).toBe(20);
    expect(ha.stoppedBy).toBe("steps");
    const d = options(4);
    trainSync(d);
    expect(Array.from(d.model.parameters)).not.toEqual(Array.from(a.model.parameters));
  });

  it("learns the closed-form Gaussian-to-Gaussian marginal velocity (mean squared error to the exact field drops over 5x)", () => {
    const target = gaussian({ mean: [2, -1], std: [0.5, 1.5] });
    const exact = gaussianVelocity(path, target);
    const model = mlp({ dim: 2, hidden: [64, 64], activation: "silu", seed: 1 });
    const rng = new Random(11);
    const probe = new Random(99);
    const xs = probe.normalBatch(512, 2);
    const ts = probe.fillUniform(new Float64Array(512), 0.05, 0.95);
    const error = () => {
      const u = exact.evaluate(xs, ts).data, v = model.evaluate(xs, ts).data;
      let s = 0;
      for (let i = 0; i < u.length; i++) s += (u[i]! - v[i]!) ** 2;
      return s / 512;
    };
    const before = error();
    // The conditional target has variance about 3 here (the CFM loss of the exact field), so
    // SGD noise keeps the fit from being tight; a broken loop (wrong sign, target or time)
    // does not reduce the error at all.
    trainSync({ model, source: standardNormal(2), target, path, steps: 1500, batchSize: 256, rng, optimizer: adam({ lr: 1e-2 }), learningRate: cosineSchedule(1e-2, 1500, 1e-4) });
    expect(error()).toBeLessThan(before / 5);
  });

  it("onStep reports every step; returning false or aborting the signal stops cleanly between steps", async () => {
    const seen: number[] = [];
    const h1 = trainSync({ ...options(1, 50), onStep: (s) => { seen.push(s.step); expect(Number.isFinite(s.loss) && s.gradNorm >= 0 && s.lr > 0 && s.elapsedMs >= 0).toBe(true); return s.step < 7; } });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(h1.steps).toBe(7);
    expect(h1.stoppedBy).toBe("callback");

    const controller = new AbortController();
    const h2 = await train({ ...options(1, 50), signal: controller.signal, onStep: (s) => { if (s.step === 5) controller.abort(); } });
    expect(h2.steps).toBe(5);
    expect(h2.stoppedBy).toBe("signal");
    expect(h2.loss).toHaveLength(5);

    const timer = new AbortController();
    setTimeout(() => timer.abort(), 30);
    const h3 = await train({ ...options(1, 1_000_000), signal: timer.signal, yieldEveryMs: 5 });
    expect(h3.stoppedBy).toBe("signal");
    expect(h3.steps).toBeGreaterThan(0);
    expect(h3.steps).toBeLessThan(1_000_000);
  });

  it("a diverging run stops with NonFiniteError and leaves the model at its last finite parameters", () => {
    const o = options(2, 200);
    let snapshot = new Float64Array(0);
    const run = () => trainSync({ ...o, optimizer: sgd({ lr: 1e306 }), onStep: () => { snapshot = o.model.parameters.slice(); } });
    expect(run).toThrow(NonFiniteError);
    expect(run).toThrow(/trainSync\(\): (loss|gradient|parameters|prediction) must/);
    expect(o.model.parameters.every(Number.isFinite)).toBe(true);
    // the last completed step's parameters are the ones left in the model
    if (snapshot.length > 0) expect(Array.from(o.model.parameters)).toEqual(Array.from(snapshot));
  });

  it("a run whose finite predictions grow until the loss overflows reports trainSync's loss at that step, not the divergence's internal check", () => {
    // before: "squaredEuclidean.value(): result must be finite ... (rescale the input)" with no step and no hint
    const o = options(2, 200);
    let snapshot = new Float64Array(0);
    const run = () => trainSync({ ...o, optimizer: sgd({ lr: 1e3 }), onStep: () => { snapshot = o.model.parameters.slice(); } });
    expect(run).toThrow(/trainSync\(\): loss must be finite at step \d+ \(the run diverged: lower the learning rate/);
    expect(o.model.parameters.every(Number.isFinite)).toBe(true);
    if (snapshot.length > 0) expect(Array.from(o.model.parameters)).toEqual(Array.from(snapshot));
  });

  it("labels travel with the data rows through the coupling, and label dropout feeds the null label", () => {
    // target: class k sits at (10 k, 0); a coupling that reverses x1 must carry labels along
    const labelled: LabelledDistribution = {
      dim: 2,
      sampleWithLabels(n: number, rng: Random) {
        const labels = new Int32Array(n);
        const data = new Float64Array(2 * n);
        for (let i = 0; i < n; i++) {
          labels[i] = rng.int(3);
          data[2 * i] = 10 * labels[i]!;
        }
        return { x: fromData(data, [n, 2]), labels };
      },
    };
    const reverse: Coupling = {
      pair(x0: Batch, x1: Batch): CoupledBatch {
        const n = x1.shape[0]!;
        const idx = Int32Array.from({ length: n }, (_, i) => n - 1 - i);
        const out = new Float64Array(2 * n);
        for (let i = 0; i < n; i++) out.set(x1.data.subarray(2 * idx[i]!, 2 * idx[i]! + 2), 2 * i);
        return { x0, x1: fromData(out, [n, 2]), indices0: Int32Array.from({ length: n }, (_, i) => i), indices1: idx };
      },
    };
    const model = mlp({ dim: 2, hidden: [8], classes: 3, seed: 0 });
    const seenX1: number[] = [], seenLabels: number[] = [];
    const spyPath = {
      sample(x0: Batch, x1: Batch, t: Float64Array | number) {
        for (let i = 0; i < x1.shape[0]!; i++) seenX1.push(x1.data[2 * i]!);
        return path.sample(x0, x1, t);
      },
    };
    const origForward = model.forward.bind(model);
    (model as { forward: typeof model.forward }).forward = (x, t, labels, out) => {
      for (const l of labels as Int32Array) seenLabels.push(l);
      return origForward(x, t, labels, out);
    };
    trainSync({ model, source: standardNormal(2), target: labelled, path: spyPath, coupling: reverse, steps: 3, batchSize: 64, rng: new Random(5), labelDropout: 0.25 });
    expect(seenX1).toHaveLength(192);
    for (let i = 0; i < seenX1.length; i++) {
      if (seenLabels[i] === 3) continue;
      expect(seenX1[i]).toBe(10 * seenLabels[i]!);
    }
    const dropped = seenLabels.filter((l) => l === 3).length;
    expect(dropped).toBeGreaterThan(192 * 0.25 - 4 * Math.sqrt(192 * 0.1875));
    expect(dropped).toBeLessThan(192 * 0.25 + 4 * Math.sqrt(192 * 0.1875));
    expect(seenLabels).toHaveLength(192);
  });

  it("an EMA of the parameters is updated every step", () => {
    const o = options(6, 10);
    const ema = new ParameterEma(o.model.parameters, 0.5);
    trainSync({ ...o, ema });
    expect(Array.from(ema.shadow)).not.toEqual(Array.from(o.model.parameters));
    expect(ema.shadow.every(Number.isFinite)).toBe(true);
  });

  it("rejects invalid options with typed errors naming the option", () => {
    const o = options(0);
    expect(() => trainSync({ ...o, steps: -1 })).toThrow(/trainSync\(\): options.steps must be an integer >= 0, got -1/);
    expect(() => trainSync({ ...o, batchSize: 0 })).toThrow(DomainError);
    expect(() => trainSync({ ...o, source: standardNormal(3) })).toThrow(ShapeError);
    expect(() => trainSync({ ...o, target: standardNormal(3) })).toThrow(/options.target must have dim 2/);
    expect(() => trainSync({ ...o, labelDropout: 2 })).toThrow(/labelDropout must be in \[0, 1\]/);
    expect(() => trainSync({ ...o, clipGradNorm: 0 })).toThrow(/clipGradNorm must be > 0/);
    expect(() => trainSync({ ...o, model: {} as never })).toThrow(/options.model must be a trainable model/);
    expect(() => trainSync({ ...o, path: {} as never })).toThrow(/options.path must be a probability path/);
    expect(() => trainSync({ ...o, rng: undefined as never })).toThrow(/options.rng must be a Random/);
    expect(() => trainSync(null as never)).toThrow(DomainError);
    expect(() => trainSync({ ...o, target: { dim: 2, sampleWithLabels: () => ({ x: o.source.sample(1, o.rng), labels: new Int32Array(1) }) } })).toThrow(/be conditional/);
    return expect(train({ ...o, yieldEveryMs: -1 })).rejects.toThrow(/yieldEveryMs must be > 0/);
  });

  it("a model, source, target or coupling that returns no batch is a typed error naming the call (a TypeError before)", () => {
    const o = options(0, 2);
    const m = o.model;
    const model = { dim: 2, parameters: m.parameters, gradient: m.gradient, forward: () => undefined as never, backward: (g: Batch) => m.backward(g) };
    expect(() => trainSync({ ...o, model })).toThrow(ShapeError);
    expect(() => trainSync({ ...o, model })).toThrow(/^trainSync\(\): options.model.forward\(xt, t\) must be an ndarray of shape \[n, d\], got undefined/);
    const short = { ...model, forward: () => fromData(new Float64Array(6), [3, 2]) };
    expect(() => trainSync({ ...o, model: short })).toThrow(/options.model.forward\(xt, t\) must have shape \[32, 2\], got \[3, 2\]/);
    expect(() => trainSync({ ...o, source: { dim: 2, sample: () => undefined as never } })).toThrow(/^trainSync\(\): options.source.sample\(n, rng\) must be an ndarray/);
    expect(() => trainSync({ ...o, target: { dim: 2, sample: () => undefined as never } })).toThrow(/^trainSync\(\): options.target.sample\(n, rng\) must be an ndarray/);
    expect(() => trainSync({ ...o, coupling: { pair: () => ({}) as never } })).toThrow(/^trainSync\(\): options.coupling.pair\(x0, x1, rng\).x0 must be an ndarray/);
    expect(() => trainSync({ ...o, coupling: { pair: () => undefined as never } })).toThrow(DomainError);
    const labelled = { dim: 2, sampleWithLabels: () => undefined as never };
    expect(() => trainSync({ ...o, model: mlp({ dim: 2, hidden: [4], classes: 2 }), target: labelled })).toThrow(/options.target.sampleWithLabels\(n, rng\) must return \{ x, labels \}/);
  });

  it("label dropout draws into a copy: the labels array the target returned is left as it was (it became all null labels)", () => {
    const kept = new Int32Array(32).fill(1);
    const target: LabelledDistribution = { dim: 2, sampleWithLabels: (n: number, rng: Random) => ({ x: moons().sample(n, rng), labels: kept }) };
    const seen: number[][] = [];
    const model = mlp({ dim: 2, hidden: [4], classes: 2, seed: 0 });
    const spy = { ...options(0, 3), model, target, conditionDropout: 0.5 };
    const forward = model.forward.bind(model);
    model.forward = (x, t, labels, out) => { seen.push(Array.from(labels as Int32Array)); return forward(x, t, labels, out); };
    trainSync(spy);
    expect(Array.from(kept)).toEqual(new Array(32).fill(1));
    // the model still saw the dropped labels: the null label 2 about half the time
    const nulls = seen.flat().filter((y) => y === 2).length;
    expect(nulls).toBeGreaterThan(20);
    expect(nulls).toBeLessThan(76);
  });

  it("gradient clipping bounds the update: with clipGradNorm the step is the clipped gradient times the learning rate", () => {
    const o = options(7, 1);
    const before = o.model.parameters.slice();
    const h = trainSync({ ...o, optimizer: sgd({ lr: 0.1 }), clipGradNorm: 1e-3 });
    let step = 0;
    for (let i = 0; i < before.length; i++) step += (o.model.parameters[i]! - before[i]!) ** 2;
    expect(h.gradNorm[0]!).toBeGreaterThan(1e-3);
    expect(Math.sqrt(step)).toBeCloseTo(0.1 * 1e-3, 12);
  });
});

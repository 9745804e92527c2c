/*
 * trainTf draws the same batches as the core's train, computes the same loss and, with plain
 * SGD, takes the same steps as our float64 Mlp (to float32 precision); EMA, checkpoints,
 * stopping and the non-finite guard behave as documented, and no tensor is left behind.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { DomainError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import { exactOTCoupling } from "../../src/couplings/exact-ot.js";
import { conditionalOTCoupling } from "../../src/couplings/conditional-ot.js";
import { fromData } from "../../src/core/batch.js";
import { eightGaussians } from "../../src/distributions/eight-gaussians.js";
import { moons } from "../../src/distributions/moons.js";
import { standardNormal } from "../../src/distributions/gaussian.js";
import { bregman } from "../../src/losses/bregman.js";
import { mlp } from "../../src/nn/create.js";
import { sgd } from "../../src/nn/optimizers.js";
import { affinePath } from "../../src/paths/affine.js";
import { Random } from "../../src/random/random.js";
import { condOT } from "../../src/schedulers/builtin.js";
import { trainSync } from "../../src/train/train.js";
import type { TfModelFunction } from "../../src/tfjs/model.js";
import { trainTf } from "../../src/tfjs/train.js";
import { BACKENDS, functionTwin, layersTwin, relativeError, toOurLayout, useBackend } from "./helpers.js";

const problem = () => ({ source: eightGaussians(), target: moons(), path: affinePath(condOT()), coupling: exactOTCoupling() });

for (const backend of BACKENDS) {
  describe(`trainTf on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    it("with SGD it takes the core's steps: same batches, losses and final weights as trainSync on the f64 Mlp (1e-4 relative)", async () => {
      const ours = mlp({ dim: 2, hidden: [16, 16], activation: "tanh", seed: 7 });
      const twin = functionTwin(ours);
      const steps = 4;
      const expected = trainSync({ ...problem(), model: ours, optimizer: sgd({ lr: 0.05 }), steps, batchSize: 32, rng: new Random(21) });
      const optimizer = tf.train.sgd(0.05);
      const before = tf.memory().numTensors;
      const got = await trainTf(twin.model, { ...problem(), dim: 2, optimizer, variables: twin.variables, steps, batchSize: 32, rng: new Random(21) });
      expect(tf.memory().numTensors).toBe(before);
      expect(got.steps).toBe(steps);
      expect(got.stoppedBy).toBe("steps");
      expect(relativeError(got.loss, expected.loss)).toBeLessThan(1e-5);
      expect(relativeError(got.gradNorm, expected.gradNorm)).toBeLessThan(1e-4);
      const weights = toOurLayout(ours, twin.variables.map((v) => v.dataSync() as Float32Array));
      expect(relativeError(weights, ours.parameters)).toBeLessThan(1e-4);
      optimizer.dispose();
      twin.dispose();
    });

    it("conditions: labels (one-hot) and [n, c] conditions reach the model with their rows, as trainSync's conditioned Mlp (1e-4 relative)", async () => {
      const labelled = {
        dim: 2,
        sampleWithLabels(n: number, rng: Random) {
          const labels = Int32Array.from({ length: n }, () => rng.int(3));
          return { x: fromData(Float64Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? 2 * (labels[k >> 1] as number) : 0) + 0.3 * rng.normal()), [n, 2]), labels };
        },
      };
      const conditioned = {
        dim: 2, conditionDim: 2,
        sampleWithConditions(n: number, rng: Random) {
          const c = rng.normalBatch(n, 2);
          return { x: fromData(Float64Array.from(c.data, (v) => 2 * v + 0.3 * rng.normal()), [n, 2]), condition: c };
        },
      };
      const cases = [
        { net: mlp({ dim: 2, hidden: [16], activation: "tanh", classes: 3, seed: 7 }), extra: { target: labelled, classes: 3, coupling: conditionalOTCoupling(), labelDropout: 0.2 } },
        { net: mlp({ dim: 2, hidden: [16], activation: "tanh", conditionDim: 2, seed: 7 }), extra: { target: conditioned, coupling: conditionalOTCoupling({ lambda: 3 }), conditionDropout: 0.2, nullCondition: [5, 5] } },
      ];
      for (const { net, extra } of cases) {
        const twin = functionTwin(net);
        const { classes, ...core } = extra as typeof extra & { classes?: number };
        const expected = trainSync({ source: standardNormal(2), path: affinePath(condOT()), ...core, model: net, optimizer: sgd({ lr: 0.05 }), steps: 4, batchSize: 32, rng: new Random(21) });
        const optimizer = tf.train.sgd(0.05);
        const before = tf.memory().numTensors;
        const got = await trainTf(twin.model, { source: standardNormal(2), path: affinePath(condOT()), ...extra, dim: 2, optimizer, variables: twin.variables, steps: 4, batchSize: 32, rng: new Random(21) });
        expect(tf.memory().numTensors).toBe(before);
        expect(relativeError(got.loss, expected.loss)).toBeLessThan(1e-5);
        expect(relativeError(toOurLayout(net, twin.variables.map((v) => v.dataSync() as Float32Array)), net.parameters)).toBeLessThan(1e-4);
        optimizer.dispose();
        twin.dispose();
        void classes;
      }
    });

    it("a LayersModel trains with the default Adam; numTensors is unchanged after the run", async () => {
      const model = layersTwin(mlp({ dim: 2, hidden: [32], activation: "tanh", seed: 1 }));
      const before = tf.memory().numTensors;
      const result = await trainTf(model, { ...problem(), steps: 60, batchSize: 64, rng: new Random(3) });
      expect(tf.memory().numTensors).toBe(before);
      const head = result.loss.slice(0, 10).reduce((a, b) => a + b) / 10;
      const tail = result.loss.slice(-10).reduce((a, b) => a + b) / 10;
      expect(tail).toBeLessThan(head);
      model.dispose();
    });
  });
}

describe("trainTf: EMA, checkpoints, stopping, guards", () => {
  beforeAll(async () => {
    await useBackend("cpu");
  });

  it("EMA with decay 1/2 over two SGD steps is w0/4 + w1/4 + w2/2, and apply() writes it into the model", async () => {
    const twin = functionTwin(mlp({ dim: 2, hidden: [8], activation: "tanh", seed: 2 }));
    const start = tf.memory().numTensors;
    const snapshots: Float32Array[][] = [twin.variables.map((v) => v.dataSync() as Float32Array)];
    const optimizer = tf.train.sgd(0.1);
    const result = await trainTf(twin.model, {
      ...problem(), dim: 2, optimizer, variables: twin.variables, ema: 0.5, steps: 2, batchSize: 16, rng: new Random(4),
      onProgress: () => { snapshots.push(twin.variables.map((v) => v.dataSync() as Float32Array)); },
    });
    const ema = result.ema;
    expect(ema).not.toBeNull();
    if (ema === null) return;
    ema.shadows.forEach((s, i) => {
      const got = s.dataSync();
      const [w0, w1, w2] = snapshots.map((snap) => snap[i] as Float32Array) as [Float32Array, Float32Array, Float32Array];
      for (let k = 0; k < got.length; k++) expect(Math.abs((got[k] as number) - (0.25 * (w0[k] as number) + 0.25 * (w1[k] as number) + 0.5 * (w2[k] as number)))).toBeLessThan(1e-6);
    });
    ema.apply();
    twin.variables.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from((ema.shadows[i] as tf.Variable).dataSync())));
    const count = tf.memory().numTensors;
    ema.dispose();
    expect(tf.memory().numTensors).toBe(count - twin.variables.length);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(start);
    twin.dispose();
  });

  it("checkpoints every 2 of 5 steps save 3 times through model.save; the last holds the final weights", async () => {
    const model = layersTwin(mlp({ dim: 2, hidden: [8], activation: "tanh", seed: 5 }));
    const saved: Float32Array[] = [];
    const handler = tf.io.withSaveHandler(async (artifacts) => {
      saved.push(new Float32Array(artifacts.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    });
    const result = await trainTf(model, { ...problem(), checkpoint: { every: 2, save: handler }, steps: 5, batchSize: 16, rng: new Random(6) });
    expect(result.checkpoints).toBe(3);
    expect(saved.length).toBe(3);
    const final = model.getWeights().flatMap((w) => Array.from(w.dataSync()));
    expect(Array.from(saved[2] as Float32Array)).toEqual(final);
    expect(Array.from(saved[0] as Float32Array)).not.toEqual(final);
    model.dispose();
  });

  it("stops on an aborted signal and when onProgress returns false", async () => {
    const model = layersTwin(mlp({ dim: 2, hidden: [8], activation: "tanh", seed: 5 }));
    const controller = new AbortController();
    const bySignal = await trainTf(model, { ...problem(), steps: 50, batchSize: 8, rng: new Random(1), signal: controller.signal, onProgress: (s) => { if (s.step === 3) controller.abort(); } });
    expect(bySignal).toMatchObject({ steps: 3, stoppedBy: "signal" });
    const byCallback = await trainTf(model, { ...problem(), steps: 50, batchSize: 8, rng: new Random(1), onProgress: (s) => s.step < 2 });
    expect(byCallback).toMatchObject({ steps: 2, stoppedBy: "callback" });
    model.dispose();
  });

  it("a non-finite loss stops with NonFiniteError before the update: the weights stay as they were, no tensor left", async () => {
    const w = tf.variable(tf.ones([3, 2]), true, "guard_w");
    const model: TfModelFunction = (x, t) => tf.log(tf.sub(tf.matMul(tf.concat([x, tf.reshape(t, [-1, 1])], 1), w), 100)) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const err = await trainTf(model, { ...problem(), dim: 2, variables: [w], steps: 3, batchSize: 8, rng: new Random(1) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as Error).message).toMatch(/^trainTf\(\): loss must be finite at step 1/);
    expect(Array.from(w.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });

  it("bad input gives typed errors naming the argument, and leaves no tensor behind", async () => {
    const model = layersTwin(mlp({ dim: 2, hidden: [8], activation: "tanh", seed: 5 }));
    const v = tf.variable(tf.zeros([1]), true, "unused_v");
    const condTwin = functionTwin(mlp({ dim: 2, hidden: [4], activation: "tanh", conditionDim: 1 }));
    const before = tf.memory().numTensors;
    const base = { ...problem(), steps: 2, batchSize: 8, rng: new Random(1) };
    await expect(trainTf(model, { ...base, source: standardNormal(3) })).rejects.toThrow(ShapeError);
    await expect(trainTf(model, { ...base, loss: bregman((x) => x[0] as number, (x, out) => out, { name: "mine" }) })).rejects.toThrow(/trainTf\(\): options\.loss must have a tf form/);
    await expect(trainTf(model, { ...base, steps: -1 })).rejects.toThrow(DomainError);
    const wide: TfModelFunction = (x) => tf.concat([x, x], 1) as tf.Tensor2D;
    await expect(trainTf(wide, { ...base, dim: 2, variables: [v] })).rejects.toThrow(/trainTf\(\): model must return a tensor of shape \[8, 2\], got \[8, 4\]/);
    // a conditioned target for a LayersModel whose input has no condition columns; a labelled target without classes; NaN conditions
    const conditioned = { dim: 2, conditionDim: 1, sampleWithConditions: (n: number, rng: Random) => ({ x: rng.normalBatch(n, 2), condition: fromData(new Float64Array(n).fill(Number.NaN), [n, 1]) }) };
    await expect(trainTf(model, { ...base, target: conditioned })).rejects.toThrow(/trainTf\(\): model must take inputs of width 4 \(the columns \[x, t, cond\]\), got an input of shape/);
    const labelled = { dim: 2, sampleWithLabels: (n: number, rng: Random) => ({ x: rng.normalBatch(n, 2), labels: new Int32Array(n) }) };
    await expect(trainTf(wide, { ...base, dim: 2, variables: [v], target: labelled })).rejects.toThrow(/trainTf\(\): options.classes must be/);
    await expect(trainTf(condTwin.model, { ...base, coupling: undefined as never, dim: 2, variables: [v], target: conditioned })).rejects.toThrow(NonFiniteError);
    const graphLike = { predict: (x: tf.Tensor) => x, inputs: [{ shape: [null, 3] }], outputs: [{ shape: [null, 2] }] };
    await expect(trainTf(graphLike, base)).rejects.toThrow(/options\.variables must be a non-empty array of tf\.Variable/);
    expect(tf.memory().numTensors).toBe(before);
    v.dispose();
    condTwin.dispose();
    model.dispose();
    await expect(trainTf(model, base)).rejects.toThrow(/trainTf\(\): model must not be disposed/);
  });
});

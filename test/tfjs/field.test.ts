/*
 * tfVelocityField: a tf model with our Mlp's weights is the same field (to float32 precision),
 * works with every solver, gives bit-identical results through sync and async readback, and
 * leaks no tensors.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import type { Batch } from "../../src/core/batch.js";
import { zeros } from "../../src/core/batch.js";
import { DomainError, ShapeError } from "../../src/core/errors.js";
import { mlp } from "../../src/nn/create.js";
import { Random } from "../../src/random/random.js";
import { logLikelihood, logLikelihoodAsync } from "../../src/solvers/likelihood.js";
import { sample, sampleAsync } from "../../src/solvers/sample.js";
import { tfVelocityField } from "../../src/tfjs/field.js";
import type { TfModelFunction } from "../../src/tfjs/model.js";
import { BACKENDS, functionTwin, layersTwin, relativeError, useBackend } from "./helpers.js";

const net = mlp({ dim: 2, hidden: [32, 32], activation: "tanh", seed: 3 });
const x = new Random(1).normalBatch(64, 2);
const tRows = new Random(2).fillUniform(new Float64Array(64));

function dot(a: Batch, b: Batch, i: number): number {
  let s = 0;
  for (let j = 0; j < 2; j++) s += (a.data[i * 2 + j] as number) * (b.data[i * 2 + j] as number);
  return s;
}

for (const backend of BACKENDS) {
  describe(`tfVelocityField on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    it("a function model and a LayersModel with the Mlp's weights evaluate like the Mlp (float32 precision, 1e-5 relative)", async () => {
      const twin = functionTwin(net);
      const layers = layersTwin(net);
      const expected = net.evaluate(x, tRows);
      for (const field of [tfVelocityField(twin.model, { dim: 2 }), tfVelocityField(layers)]) {
        expect(field.dim).toBe(2);
        expect(relativeError(field.evaluate(x, tRows).data, expected.data)).toBeLessThan(1e-5);
        expect(relativeError((await field.evaluateAsync(x, 0.25)).data, net.evaluate(x, 0.25).data)).toBeLessThan(1e-5);
      }
      twin.dispose();
      layers.dispose();
    });

    it("a GraphModel-like object (predict on [x, t] columns) and a two-input LayersModel ([x], [t]) are the same field", async () => {
      const twin = functionTwin(net);
      const graphLike = {
        inputs: [{ shape: [null, 3] }], outputs: [{ shape: [null, 2] }],
        predict: (feed: tf.Tensor | tf.Tensor[]) => {
          const columns = feed as tf.Tensor2D;
          return twin.model(tf.slice(columns, [0, 0], [-1, 2]), tf.reshape(tf.slice(columns, [0, 2], [-1, 1]), [-1]) as tf.Tensor1D);
        },
      };
      const expected = net.evaluate(x, tRows);
      expect(relativeError(tfVelocityField(graphLike).evaluate(x, tRows).data, expected.data)).toBeLessThan(1e-5);
      expect(relativeError(tfVelocityField(graphLike).divergence(x, tRows), net.divergence(x, tRows))).toBeLessThan(1e-5);
      // two inputs: x [n, 2] and t [n, 1], concatenated inside the model
      const sequential = layersTwin(net);
      const xIn = tfl.input({ shape: [2] });
      const tIn = tfl.input({ shape: [1] });
      const joined = tfl.layers.concatenate().apply([xIn, tIn]) as tfl.SymbolicTensor;
      const out = sequential.apply(joined) as tfl.SymbolicTensor;
      const twoInputs = tfl.model({ inputs: [xIn, tIn], outputs: out });
      const field = tfVelocityField(twoInputs);
      expect(relativeError((await field.evaluateAsync(x, tRows)).data, expected.data)).toBeLessThan(1e-5);
      sequential.dispose();
      twin.dispose();
    });

    it("vjp is the transpose of the Mlp's jvp (w . J v = (J^T w) . v) and the exact divergence is the Mlp's", async () => {
      const twin = functionTwin(net);
      const field = tfVelocityField(twin.model, { dim: 2 });
      const v = new Random(5).normalBatch(64, 2);
      const w = new Random(6).normalBatch(64, 2);
      const jv = net.jvp(x, tRows, v);
      for (const jtw of [field.vjp(x, tRows, w), await field.vjpAsync(x, tRows, w)]) {
        for (let i = 0; i < 64; i++) expect(Math.abs(dot(jtw, v, i) - dot(w, jv, i))).toBeLessThan(1e-5 * Math.max(1, Math.abs(dot(w, jv, i))));
      }
      const div = net.divergence(x, tRows);
      expect(relativeError(field.divergence(x, tRows), div)).toBeLessThan(1e-5);
      // stacked in blocks of one unit vector at a time: the same values
      const blocked = tfVelocityField(twin.model, { dim: 2, divergenceRows: 1 });
      expect(relativeError(await blocked.divergenceAsync(x, tRows), div)).toBeLessThan(1e-5);
      twin.dispose();
    });

    it("sampleAsync equals sample with the same tf field bit for bit, with the same NFE (dopri5 and rk4)", async () => {
      const twin = functionTwin(net);
      const field = tfVelocityField(twin.model, { dim: 2 });
      for (const options of [{ rtol: 1e-5, atol: 1e-5 }, { method: "rk4" as const, steps: 12, times: [0.5] }]) {
        const a = sample(field, x, options);
        const b = await sampleAsync(field, x, options);
        expect(Array.from(b.y.data)).toEqual(Array.from(a.y.data));
        expect(b.statistics).toEqual(a.statistics);
        expect(b.statistics.nfe).toBeGreaterThan(0);
      }
      twin.dispose();
    });

    it("exact log-likelihood of the tf field equals the f64 Mlp's to 1e-3 nats per sample; async equals sync bit for bit", async () => {
      const layers = layersTwin(net);
      const field = tfVelocityField(layers);
      const x1 = new Random(9).normalBatch(32, 2);
      const options = { rtol: 1e-6, atol: 1e-6 };
      const ours = logLikelihood(net, x1, options);
      const sync = logLikelihood(field, x1, options);
      const async = await logLikelihoodAsync(field, x1, options);
      expect(relativeError(sync.logProb, ours.logProb) * Math.max(1, ...Array.from(ours.logProb, Math.abs))).toBeLessThan(1e-3);
      for (let i = 0; i < 32; i++) expect(Math.abs((sync.logProb[i] as number) - (ours.logProb[i] as number))).toBeLessThan(1e-3);
      expect(Array.from(async.logProb)).toEqual(Array.from(sync.logProb));
      expect(async.statistics).toEqual(sync.statistics);
      layers.dispose();
    });

    it("Hutchinson through the tf field's VJP equals the Mlp's Hutchinson (same probes) to 1e-3 nats", async () => {
      const twin = functionTwin(net);
      const field = tfVelocityField(twin.model, { dim: 2 });
      const x1 = new Random(10).normalBatch(16, 2);
      const options = { method: "rk4" as const, steps: 20, divergence: "hutchinson" as const, probes: 2 };
      const ours = logLikelihood(net, x1, { ...options, rng: new Random(4) });
      const tfs = await logLikelihoodAsync(field, x1, { ...options, rng: new Random(4) });
      for (let i = 0; i < 16; i++) expect(Math.abs((tfs.logProb[i] as number) - (ours.logProb[i] as number))).toBeLessThan(1e-3);
      twin.dispose();
    });

    it("leaks no tensors: numTensors is unchanged after sampling, likelihoods and failed calls", async () => {
      const twin = functionTwin(net);
      const field = tfVelocityField(twin.model, { dim: 2 });
      const before = tf.memory().numTensors;
      sample(field, x, { method: "rk4", steps: 4 });
      await sampleAsync(field, x, { rtol: 1e-4 });
      logLikelihood(field, x, { method: "rk4", steps: 3 });
      await logLikelihoodAsync(field, x, { method: "rk4", steps: 3, divergence: "hutchinson", rng: new Random(1) });
      const bad = tfVelocityField(((xs: tf.Tensor2D) => tf.concat([xs, xs], 1)) as TfModelFunction, { dim: 2 });
      expect(() => bad.evaluate(x, 0.5)).toThrow(ShapeError);
      await expect(bad.divergenceAsync(x, 0.5)).rejects.toThrow(ShapeError);
      expect(tf.memory().numTensors).toBe(before);
      twin.dispose();
    });
  });
}

describe("tfVelocityField: bad input gives typed errors naming the argument", () => {
  beforeAll(async () => {
    await useBackend("cpu");
  });

  it("a model whose output has the wrong shape", () => {
    const wide: TfModelFunction = (xs) => tf.concat([xs, xs], 1) as tf.Tensor2D;
    expect(() => tfVelocityField(wide, { dim: 2 }).evaluate(x, 0.5)).toThrow(/tfVelocityField\.evaluate\(\): model must return a tensor of shape \[64, 2\], got \[64, 4\]/);
    const layers = layersTwin(mlp({ dim: 3, hidden: [4], activation: "tanh", seed: 1 }));
    expect(() => tfVelocityField(layers, { dim: 2 })).toThrow(ShapeError);
    layers.dispose();
  });

  it("a disposed LayersModel, for every method", async () => {
    const layers = layersTwin(net);
    const field = tfVelocityField(layers);
    layers.dispose();
    const before = tf.memory().numTensors;
    expect(() => field.evaluate(x, 0.5)).toThrow(DomainError);
    expect(() => field.evaluate(x, 0.5)).toThrow(/tfVelocityField\.evaluate\(\): model must not be disposed/);
    expect(() => field.divergence(x, 0.5)).toThrow(/tfVelocityField\.divergence\(\): model must not be disposed/);
    await expect(field.vjpAsync(x, 0.5, x)).rejects.toThrow(/tfVelocityField\.vjpAsync\(\): model must not be disposed/);
    await expect(sampleAsync(field, x)).rejects.toThrow(DomainError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("tensors of the wrong dtype: a model returning int32, an x given as a tensor", () => {
    const ints: TfModelFunction = (xs) => tf.cast(xs, "int32") as tf.Tensor2D;
    expect(() => tfVelocityField(ints, { dim: 2 }).evaluate(x, 0.5)).toThrow(/model must return a float32 tensor, got dtype int32/);
    const twin = functionTwin(net);
    const field = tfVelocityField(twin.model, { dim: 2 });
    const tensor = tf.tensor2d([[1, 2]], [1, 2], "int32");
    expect(() => field.evaluate(tensor as unknown as Batch, 0.5)).toThrow(/tfVelocityField\.evaluate\(\): x must be a Batch .*got a int32 tensor/);
    tensor.dispose();
    expect(() => field.evaluate(zeros(3, 5), 0.5)).toThrow(ShapeError);
    expect(() => field.evaluate(x, 2)).toThrow(DomainError);
    twin.dispose();
  });

  it("not a model, or a function model without dim", () => {
    expect(() => tfVelocityField({} as never)).toThrow(/tfVelocityField\(\): model must be a tf\.LayersModel/);
    expect(() => tfVelocityField(((xs: tf.Tensor2D) => xs) as TfModelFunction)).toThrow(/options\.dim must be a positive integer/);
  });

  it("a model that throws becomes a DomainError naming the model", () => {
    const broken: TfModelFunction = () => { throw new TypeError("bad layer"); };
    expect(() => tfVelocityField(broken, { dim: 2 }).evaluate(x, 0.5)).toThrow(/model must evaluate on x \[n, dim\] and t \[n\], got an error: bad layer/);
  });
});

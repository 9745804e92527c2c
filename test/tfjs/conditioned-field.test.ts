/*
 * A conditioned tfjs model, trained by trainTf, sampled through withCondition/conditionGuidance
 * (sync and async) equals the float64 Mlp holding the same weights, to float32 precision; labels
 * go in as one-hot rows; extras reach a function model; bad conditions give typed errors.
 *
 * Tolerance: the tf model runs in float32 (unit roundoff 6e-8); each evaluation of a [3-16-2] tanh
 * net has a relative error of a few 1e-7, and 20 RK4 steps of a flow whose Jacobian is O(1)
 * amplify it by at most e^(L) ~ 10, so samples agree to ~1e-5 relative; we allow 1e-4.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { DomainError, ShapeError } from "../../src/core/errors.js";
import { fromData, type Batch } from "../../src/core/batch.js";
import { conditionalOTCoupling } from "../../src/couplings/conditional-ot.js";
import { standardNormal } from "../../src/distributions/gaussian.js";
import { mlp } from "../../src/nn/create.js";
import type { Mlp } from "../../src/nn/mlp.js";
import { affinePath } from "../../src/paths/affine.js";
import { Random } from "../../src/random/random.js";
import { condOT } from "../../src/schedulers/builtin.js";
import { logLikelihood, logLikelihoodAsync } from "../../src/solvers/likelihood.js";
import { sample, sampleAsync } from "../../src/solvers/sample.js";
import { classifierFreeGuidance, withLabels } from "../../src/velocity/conditional.js";
import { conditionGuidance, withCondition } from "../../src/velocity/conditioned.js";
import { tfConditionedVelocityField } from "../../src/tfjs/conditioned-field.js";
import { trainTf } from "../../src/tfjs/train.js";
import { BACKENDS, functionTwin, layersTwin, relativeError, toOurLayout, useBackend } from "./helpers.js";

const conditioned = {
  dim: 2, conditionDim: 1,
  sampleWithConditions(n: number, rng: Random) {
    const c = rng.normalBatch(n, 1);
    return { x: fromData(Float64Array.from({ length: 2 * n }, (_, k) => 2 * (c.data[k >> 1] as number) * (k % 2 === 0 ? 1 : -1) + 0.3 * rng.normal()), [n, 2]), condition: c };
  },
};
const labelled = {
  dim: 2,
  sampleWithLabels(n: number, rng: Random) {
    const labels = Int32Array.from({ length: n }, () => rng.int(3));
    return { x: fromData(Float64Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? 2 * (labels[k >> 1] as number) : 0) + 0.3 * rng.normal()), [n, 2]), labels };
  },
};

/** Trains net's tf twin with trainTf, then writes the trained float32 weights back into net (float64). */
async function trainedTwin(net: Mlp, extra: object): Promise<ReturnType<typeof functionTwin>> {
  const twin = functionTwin(net);
  const optimizer = tf.train.adam(0.01);
  await trainTf(twin.model, { source: standardNormal(2), path: affinePath(condOT()), ...extra, dim: 2, optimizer, variables: twin.variables, steps: 30, batchSize: 64, rng: new Random(5) } as never);
  optimizer.dispose();
  net.parameters.set(toOurLayout(net, twin.variables.map((v) => v.dataSync() as Float32Array)));
  return twin;
}

const oneHot = (labels: Int32Array, width: number): Batch => {
  const out = new Float64Array(labels.length * width);
  labels.forEach((l, i) => { out[i * width + l] = 1; });
  return fromData(out, [labels.length, width]);
};

for (const backend of BACKENDS) {
  describe(`tfConditionedVelocityField on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    it("a continuously conditioned model trained by trainTf samples (sync and async) and guides like the f64 Mlp with its weights", async () => {
      const net = mlp({ dim: 2, hidden: [16], activation: "tanh", conditionDim: 1, seed: 3 });
      const twin = await trainedTwin(net, { target: conditioned, coupling: conditionalOTCoupling({ lambda: 1 }), conditionDropout: 0.2, nullCondition: [0] });
      const field = tfConditionedVelocityField(twin.model, { dim: 2, conditionDim: 1 });
      const n = 40;
      const rng = new Random(9);
      const c = fromData(Float64Array.from({ length: n }, (_, i) => -1.5 + (3 * i) / (n - 1)), [n, 1]);
      const x0 = rng.normalBatch(n, 2);
      const opts = { method: "rk4" as const, steps: 20 };
      const before = tf.memory().numTensors;
      const expected = sample(withCondition(net, c), x0, opts).y;
      const got = await sampleAsync(withCondition(field, c), x0, opts);
      expect(relativeError(got.y.data, expected.data)).toBeLessThan(1e-4);
      expect(relativeError(sample(withCondition(field, c), x0, opts).y.data, expected.data)).toBeLessThan(1e-4);
      // the trained model did learn the condition (target mean 2c(1, -1)); the check is not vacuous
      expect(Math.abs((got.y.data[2 * (n - 1)] as number) - (got.y.data[0] as number))).toBeGreaterThan(1);
      for (const w of [1, 2.5]) {
        const g = conditionGuidance(net, c, [0], w);
        const tg = conditionGuidance(field, c, [0], w);
        const e = sample(g, x0, opts).y;
        expect(relativeError((await sampleAsync(tg, x0, opts)).y.data, e.data)).toBeLessThan(1e-4);
        expect(relativeError(sample(tg, x0, opts).y.data, e.data)).toBeLessThan(1e-4);
        // guidance changes the samples (by much more than the tolerance)
        expect(relativeError(e.data, expected.data)).toBeGreaterThan(1e-2);
      }
      // likelihoods with the exact divergence: tf (vjp-based) against the Mlp's forward-mode one
      const ll = logLikelihood(withCondition(net, c), expected, { method: "rk4", steps: 20 }).logProb;
      const tll = (await logLikelihoodAsync(withCondition(field, c), expected, { method: "rk4", steps: 20 })).logProb;
      expect(relativeError(tll, ll)).toBeLessThan(1e-4);
      expect(tf.memory().numTensors).toBe(before);
      twin.dispose();
    });

    it("a model trained on labels takes the one-hot label: withCondition / conditionGuidance equal withLabels / classifierFreeGuidance", async () => {
      const net = mlp({ dim: 2, hidden: [16], activation: "tanh", classes: 3, seed: 4 });
      const twin = await trainedTwin(net, { target: labelled, classes: 3, coupling: conditionalOTCoupling(), labelDropout: 0.2 });
      const layers = layersTwin(net);
      const n = 30;
      const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
      const x0 = new Random(2).normalBatch(n, 2);
      const opts = { method: "rk4" as const, steps: 20 };
      const expected = sample(withLabels(net, labels), x0, opts).y;
      const guided = sample(classifierFreeGuidance(net, labels, 1.5), x0, opts).y;
      const nullRow = [0, 0, 0, 1];
      for (const model of [twin.model, layers]) {
        const field = tfConditionedVelocityField(model, { dim: 2, conditionDim: 4 });
        expect(relativeError((await sampleAsync(withCondition(field, oneHot(labels, 4)), x0, opts)).y.data, expected.data)).toBeLessThan(1e-4);
        expect(relativeError((await sampleAsync(conditionGuidance(field, oneHot(labels, 4), nullRow, 1.5), x0, opts)).y.data, guided.data)).toBeLessThan(1e-4);
      }
      layers.dispose();
      twin.dispose();
    });
  });
}

describe("tfConditionedVelocityField: extras and bad input", () => {
  beforeAll(async () => {
    await useBackend("cpu");
  });

  it("extras bound by withCondition reach a function model's every call (evaluate, vjp, divergence, async)", async () => {
    const seen: unknown[] = [];
    // u(x | c, extras) = scale * (c - x): divergence -2 scale, J^T v = -scale v
    const model = (x: tf.Tensor2D, _t: tf.Tensor1D, cond?: tf.Tensor2D, extras?: Readonly<Record<string, unknown>>): tf.Tensor2D => {
      seen.push(extras);
      const scale = (extras?.scale as number | undefined) ?? 1;
      return tf.mul(tf.sub(tf.tile(cond as tf.Tensor2D, [1, 2]), x), scale) as tf.Tensor2D;
    };
    const field = tfConditionedVelocityField(model, { dim: 2, conditionDim: 1 });
    const c = fromData(Float64Array.from([1, -2]), [2, 1]);
    const x = fromData(Float64Array.from([0, 0, 1, 1]), [2, 2]);
    const extras = { scale: 3 };
    const bound = withCondition(field, c, { extras });
    expect(Array.from(bound.evaluate(x, 0.5).data)).toEqual([3, 3, -9, -9]);
    expect(Array.from((await bound.evaluateAsync?.(x, 0.5))?.data ?? [])).toEqual([3, 3, -9, -9]);
    expect(Array.from(bound.divergence?.(x, 0.5) ?? [])).toEqual([-6, -6]);
    expect(Array.from((await bound.vjpAsync?.(x, 0.5, x))?.data ?? [])).toEqual([-0, -0, -3, -3]);
    expect(seen.every((e) => e === extras)).toBe(true);
    expect(Array.from(withCondition(field, c).evaluate(x, 0.5).data)).toEqual([1, 1, -3, -3]);
    expect(() => withCondition(field, c, { extras: 5 as never })).toThrow(/withCondition\(\): options.extras must be an object/);
  });

  it("bad input: missing or bad conditionDim, a model of the wrong input width, a condition of the wrong shape", () => {
    const net = mlp({ dim: 2, hidden: [4], activation: "tanh", conditionDim: 1 });
    const layers = layersTwin(net);
    expect(() => tfConditionedVelocityField(layers, {} as never)).toThrow(DomainError);
    expect(() => tfConditionedVelocityField(layers, { conditionDim: 0 })).toThrow(/options.conditionDim/);
    expect(() => tfConditionedVelocityField(layers, { conditionDim: 2 })).toThrow(ShapeError);
    const field = tfConditionedVelocityField(layers, { conditionDim: 1 });
    const x = new Random(0).normalBatch(3, 2);
    expect(() => field.evaluateConditioned(x, 0.5, fromData(new Float64Array(2), [2, 1]))).toThrow(ShapeError);
    expect(() => field.evaluateConditioned(x, 0.5, fromData(new Float64Array(6), [3, 2]))).toThrow(/evaluateConditioned\(\): condition/);
    expect(() => withCondition(field, fromData(new Float64Array(2), [2, 1])).evaluate(x, 0.5)).toThrow(ShapeError);
    layers.dispose();
  });
});

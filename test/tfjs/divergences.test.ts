/*
 * The CFM loss in tf ops and its gradient with respect to the weights (tf.variableGrads)
 * equal our float64 cfmLoss and Mlp.backward with the same weights, for every Bregman
 * divergence, on the cpu and wasm backends.
 *
 * Tolerance: float32 rounds each of the ~100 products of a row's forward pass to 6e-8
 * relative, and the loss is a mean of such rows, so loss and gradient agree with the float64
 * values to a few 1e-6 relative; 1e-4 relative to the largest gradient entry leaves room for
 * accumulation yet catches a wrong factor, sign or transposition (all of order 1).
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import ndarray from "ndarray";
import type { Batch } from "../../src/core/batch.js";
import { DomainError, ShapeError } from "../../src/core/errors.js";
import type { BregmanDivergence } from "../../src/core/interfaces.js";
import { bregman } from "../../src/losses/bregman.js";
import { cfmLoss } from "../../src/losses/cfm-loss.js";
import { generalizedKL, itakuraSaito, mahalanobis, squaredEuclidean } from "../../src/losses/divergences.js";
import { mlp } from "../../src/nn/create.js";
import { Random } from "../../src/random/random.js";
import type { TfBregmanDivergence } from "../../src/tfjs/divergences.js";
import { tfBregman, tfCfmLoss } from "../../src/tfjs/divergences.js";
import { BACKENDS, functionTwin, relativeError, toOurLayout, useBackend } from "./helpers.js";

const n = 48;
const net = mlp({ dim: 2, hidden: [16, 16], activation: "tanh", seed: 11 });
// shift the output bias so that predictions are positive (generalized KL and Itakura-Saito need it)
net.parameters.set(net.parameters.subarray(-2).map((b) => b + 3), net.parameters.length - 2);
const xt = new Random(1).normalBatch(n, 2);
const t = new Random(2).fillUniform(new Float64Array(n));
const target: Batch = ndarray(new Random(3).fillUniform(new Float64Array(n * 2), 0.5, 2), [n, 2]);

const expPhi = (x: Float64Array): number => x.reduce((s, v) => s + Math.exp(v), 0);
const expGrad = (x: Float64Array, out: Float64Array): Float64Array => {
  for (let j = 0; j < x.length; j++) out[j] = Math.exp(x[j] as number);
  return out;
};

const CASES: { name: string; ours: BregmanDivergence; tfForm?: TfBregmanDivergence }[] = [
  { name: "squaredEuclidean", ours: squaredEuclidean },
  { name: "mahalanobis (diagonal metric)", ours: mahalanobis([1, 2.5]) },
  { name: "mahalanobis (full metric)", ours: mahalanobis([[2, 0.5], [0.5, 1]]) },
  { name: "generalizedKL", ours: generalizedKL },
  { name: "itakuraSaito", ours: itakuraSaito },
  { name: "bregman(exp) as tfBregman", ours: bregman(expPhi, expGrad, { name: "exp" }), tfForm: tfBregman((x) => tf.sum(tf.exp(x), 1) as tf.Tensor1D, (x) => tf.exp(x) as tf.Tensor2D, "exp") },
];

for (const backend of BACKENDS) {
  describe(`tfCfmLoss on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    for (const { name, ours, tfForm } of CASES) {
      it(`${name}: loss and weight gradient equal ours (f64 Mlp, same weights) to float32 precision`, () => {
        const prediction = net.forward(xt, t);
        const expected = cfmLoss(prediction, target, ours);
        const gradient = Float64Array.from(net.backward(expected.gradient));
        const twin = functionTwin(net);
        const before = tf.memory().numTensors;
        const { value, grads } = tf.tidy(() => {
          const x = tf.tensor2d(Float32Array.from(xt.data), [n, 2]);
          const ts = tf.tensor1d(Float32Array.from(t));
          const u = tf.tensor2d(Float32Array.from(target.data), [n, 2]);
          return tf.variableGrads(() => tfCfmLoss(twin.model(x, ts), u, tfForm ?? ours), twin.variables);
        });
        const loss = value.dataSync()[0] as number;
        const got = toOurLayout(net, twin.variables.map((v) => grads[v.name]?.dataSync() as Float32Array));
        tf.dispose([value, ...Object.values(grads)]);
        expect(tf.memory().numTensors).toBe(before);
        twin.dispose();
        expect(Math.abs(loss - expected.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(expected.loss)));
        expect(relativeError(got, gradient) * Math.max(1, ...Array.from(gradient, Math.abs))).toBeLessThan(1e-4 * Math.max(...Array.from(gradient, Math.abs)));
        expect(expected.loss).toBeGreaterThan(0);
      });
    }
  });
}

describe("tfCfmLoss: bad input", () => {
  beforeAll(async () => {
    await useBackend("cpu");
  });

  it("a core divergence without a tf form, tensors of the wrong dtype or shape give typed errors", () => {
    const a = tf.tensor2d([[1, 2]]);
    const b = tf.tensor2d([[1, 2, 3]]);
    const ints = tf.tensor2d([[1, 2]], [1, 2], "int32");
    expect(() => tfCfmLoss(a, a, bregman(expPhi, expGrad, { name: "exp" }))).toThrow(/tfCfmLoss\(\): divergence must have a tf form .*got the divergence "exp"/);
    expect(() => tfCfmLoss(a, ints as tf.Tensor2D)).toThrow(DomainError);
    expect(() => tfCfmLoss(a, ints as tf.Tensor2D)).toThrow(/target must be a float32 tensor, got dtype int32/);
    expect(() => tfCfmLoss(a, b)).toThrow(ShapeError);
    expect(() => tfCfmLoss(a, [[1, 2]] as unknown as tf.Tensor2D)).toThrow(/target must be a tf\.Tensor2D/);
    tf.dispose([a, b, ints]);
  });

  it("squared Euclidean by default: mean over rows of the summed squares", () => {
    const loss = tf.tidy(() => tfCfmLoss(tf.tensor2d([[1, 1], [0, 0]]), tf.tensor2d([[0, 3], [0, 1]])).dataSync()[0]);
    expect(loss).toBeCloseTo((1 + 4 + 1) / 2, 6);
  });
});

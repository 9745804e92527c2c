import * as tf from "@tensorflow/tfjs-core";
import ndarray from "ndarray";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeShape, describeValue } from "../core/format.js";
import type { BregmanDivergence } from "../core/interfaces.js";
import { isTensor } from "./model.js";

/**
 * A Bregman divergence in tf ops, so that gradients flow through it:
 * `value(u, v)` is D(u_i, v_i) per row (u the target, v the prediction), shape [n].
 *
 * @category TensorFlow.js
 */
export interface TfBregmanDivergence {
  /** A short name, used in messages. */
  readonly name: string;
  /** D(u_i, v_i) for each row, from tensors of shape [n, d]. */
  value(u: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor1D;
}

/**
 * The Bregman divergence of a convex function written in tf ops,
 * D(u, v) = phi(u) - phi(v) - <grad phi(v), u - v>, the tf twin of the core's
 * `bregman(phi, gradPhi)`. Its gradient with respect to the prediction v, -H(v)(u - v),
 * comes from differentiating `gradPhi`'s ops (tfjs cannot nest `tf.grad`, so grad phi is
 * given rather than derived).
 *
 * @param phi - phi per row: [n, d] -> [n], strictly convex in each row, built from tf ops
 * @param gradPhi - its gradient per row: [n, d] -> [n, d], built from tf ops
 * @param name - name used in messages (default "bregman")
 * @returns the divergence, for {@link trainTf} and {@link tfCfmLoss}
 * @throws `DomainError` when phi or gradPhi is not a function
 * @example
 * ```ts
 * // phi(x) = sum exp(x_j): D(u, v) = sum exp(u) - exp(v) - exp(v) (u - v)
 * const expDivergence = tfBregman((x) => tf.sum(tf.exp(x), 1), (x) => tf.exp(x));
 * expDivergence.value(tf.tensor2d([[1]]), tf.tensor2d([[0]])).dataSync()[0] // => 0.71828... (e - 2)
 * ```
 * @category TensorFlow.js
 */
export function tfBregman(
  phi: (x: tf.Tensor2D) => tf.Tensor1D, gradPhi: (x: tf.Tensor2D) => tf.Tensor2D, name = "bregman",
): TfBregmanDivergence {
  if (typeof phi !== "function") throw new DomainError("tfBregman", "phi", "be a function (x: Tensor2D) => Tensor1D", describeValue(phi));
  if (typeof gradPhi !== "function") throw new DomainError("tfBregman", "gradPhi", "be a function (x: Tensor2D) => Tensor2D", describeValue(gradPhi));
  return {
    name,
    value: (u, v) => tf.sub(tf.sub(phi(u), phi(v)), tf.sum(tf.mul(gradPhi(v), tf.sub(u, v)), 1)) as tf.Tensor1D,
  };
}

/**
 * The conditional flow-matching loss in tf ops: (1/n) sum_i D(target_i, prediction_i), a
 * scalar through which `tf.grad`/`tf.variableGrads` differentiate. Our divergences are
 * expressed in tf ops: `squaredEuclidean` sum (u - v)^2, `mahalanobis(metric)` (u - v)^T M (u - v)
 * (M read back from the divergence's gradient, exactly), `generalizedKL`
 * sum u log(u / v) - u + v and `itakuraSaito` sum u / v - log(u / v) - 1; a divergence of
 * your own is a {@link TfBregmanDivergence} (see {@link tfBregman}).
 *
 * @param prediction - v_theta(x_t, t), shape [n, d]
 * @param target - the regression target u_t(x_t | z), shape [n, d]
 * @param divergence - one of ours (default squared Euclidean) or a {@link TfBregmanDivergence}
 * @returns the mean loss, a scalar tensor (the caller disposes it)
 * @throws `ShapeError` for mismatched shapes; `DomainError` for a float tensor of another dtype or a core divergence that has no tf form (write it with {@link tfBregman})
 * @example
 * ```ts
 * tfCfmLoss(tf.tensor2d([[1, 1]]), tf.tensor2d([[0, 3]])).dataSync()[0] // => 5
 * ```
 * @category TensorFlow.js
 */
export function tfCfmLoss(prediction: tf.Tensor2D, target: tf.Tensor2D, divergence?: BregmanDivergence | TfBregmanDivergence): tf.Scalar {
  const fn = "tfCfmLoss";
  for (const [name, x] of [["prediction", prediction], ["target", target]] as const) {
    if (!isTensor(x)) throw new DomainError(fn, name, "be a tf.Tensor2D", describeValue(x));
    if (x.dtype !== "float32") throw new DomainError(fn, name, "be a float32 tensor", `dtype ${x.dtype}`);
    if (x.rank !== 2) throw new ShapeError(fn, name, "have shape [n, d]", describeShape(x.shape));
  }
  if (prediction.shape[0] !== target.shape[0] || prediction.shape[1] !== target.shape[1]) {
    throw new ShapeError(fn, "target", `have the shape of prediction ${describeShape(prediction.shape)}`, describeShape(target.shape));
  }
  const tfDivergence = asTfDivergence(fn, "divergence", divergence, prediction.shape[1]);
  return tf.tidy(() => tf.mean(tfDivergence.value(target, prediction)) as tf.Scalar);
}

/** @internal Our divergence (or a tf one) as tf ops for dimension d. */
export function asTfDivergence(fn: string, argument: string, divergence: BregmanDivergence | TfBregmanDivergence | undefined, d: number): TfBregmanDivergence {
  if (divergence === undefined) return SQUARED;
  const candidate = divergence as Partial<BregmanDivergence & TfBregmanDivergence> | null;
  if (candidate === null || typeof candidate !== "object" || typeof candidate.value !== "function") {
    throw new DomainError(fn, argument, "be a BregmanDivergence or a TfBregmanDivergence", describeValue(divergence));
  }
  if (typeof candidate.gradient !== "function") return divergence as TfBregmanDivergence;
  const ours = divergence as BregmanDivergence;
  const tfForm = ours.name === "squaredEuclidean" ? SQUARED
    : ours.name === "generalizedKL" ? GENERALIZED_KL
      : ours.name === "itakuraSaito" ? ITAKURA_SAITO
        : ours.name === "mahalanobis" ? mahalanobisFrom(ours, d) : null;
  if (tfForm === null) {
    throw new DomainError(fn, argument, "have a tf form (squaredEuclidean, mahalanobis, generalizedKL, itakuraSaito; write others with tfBregman(phi))", `the divergence "${ours.name}"`);
  }
  return tfForm;
}

const SQUARED: TfBregmanDivergence = {
  name: "squaredEuclidean",
  value: (u, v) => tf.sum(tf.square(tf.sub(u, v)), 1) as tf.Tensor1D,
};

const GENERALIZED_KL: TfBregmanDivergence = {
  name: "generalizedKL",
  value: (u, v) => tf.sum(tf.add(tf.sub(tf.mul(u, tf.sub(tf.log(u), tf.log(v))), u), v), 1) as tf.Tensor1D,
};

const ITAKURA_SAITO: TfBregmanDivergence = {
  name: "itakuraSaito",
  value: (u, v) => {
    const ratio = tf.div(u, v);
    return tf.sum(tf.sub(tf.sub(ratio, tf.log(ratio)), 1), 1) as tf.Tensor1D;
  },
};

/** (u - v)^T M (u - v) with M recovered exactly from the gradient at (u, v) = (e_i, 0): -2 M e_i. */
function mahalanobisFrom(ours: BregmanDivergence, d: number): TfBregmanDivergence {
  const eye = new Float64Array(d * d);
  for (let i = 0; i < d; i++) eye[i * d + i] = 1;
  const g = ours.gradient(ndarray(eye, [d, d]), ndarray(new Float64Array(d * d), [d, d]));
  // row i of g is -2 M e_i = -2 (column i of M); M is symmetric
  const m = Float32Array.from(g.data, (value) => -value / 2);
  return {
    name: "mahalanobis",
    value: (u, v) => {
      const e = tf.sub(u, v);
      return tf.sum(tf.mul(tf.matMul(e, tf.tensor2d(m, [d, d])), e), 1) as tf.Tensor1D;
    },
  };
}

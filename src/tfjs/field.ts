import * as tf from "@tensorflow/tfjs-core";
import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { checkInteger } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { AsyncVelocityField, VelocityField } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import { checkTime } from "../core/time.js";
import type { ModelCall, TfModel } from "./model.js";
import { isTensor, modelCall, translate } from "./model.js";

/**
 * Options of {@link tfVelocityField}.
 *
 * @category TensorFlow.js
 */
export interface TfFieldOptions {
  /** Dimension of x (required for a function model; else read from the model's output shape). */
  dim?: number;
  /** Most rows one pass of the exact divergence may stack (n rows times a block of unit vectors; default 65536). */
  divergenceRows?: number;
}

/**
 * A TensorFlow.js model as a velocity field: every method of both contracts, so it works with
 * `sample`/`logLikelihood` (synchronous readback, `dataSync`) and with `sampleAsync`/
 * `logLikelihoodAsync` (non-blocking readback, `data()`, the one that webgpu needs).
 *
 * @category TensorFlow.js
 */
export interface TfVelocityField extends VelocityField, AsyncVelocityField {
  /** Dimension of x and of the output. */
  readonly dim: number;
  /** u_t(x) for every row, read back synchronously. */
  evaluate(x: Batch, t: Time, out?: Batch): Batch;
  /** u_t(x) for every row, read back without blocking. */
  evaluateAsync(x: Batch, t: Time, out?: Batch): Promise<Batch>;
  /** J^T v per row (reverse mode, one `tf.grad` pass). */
  vjp(x: Batch, t: Time, v: Batch, out?: Batch): Batch;
  /** {@link TfVelocityField.vjp}, read back without blocking. */
  vjpAsync(x: Batch, t: Time, v: Batch, out?: Batch): Promise<Batch>;
  /** Exact divergence tr(du_t/dx) per row: all dim unit-vector VJPs in one stacked reverse pass, one readback. */
  divergence(x: Batch, t: Time, out?: Float64Array): Float64Array;
  /** {@link TfVelocityField.divergence}, read back without blocking. */
  divergenceAsync(x: Batch, t: Time, out?: Float64Array): Promise<Float64Array>;
}

/**
 * Wraps a TensorFlow.js model (a `tf.LayersModel`, `tf.GraphModel` or function of tensors,
 * see {@link TfModel}) as a velocity field for the solvers, sampling and likelihoods.
 * Each call uploads x and t as float32 tensors, runs the model on the active backend (cpu,
 * wasm, webgl, webgpu, or tensorflow with tfjs-node) and reads the result back as float64;
 * the weights stay on the backend and every intermediate tensor is disposed (`tf.tidy`).
 * Derivatives come from reverse mode: `vjp(x, t, v)` = J^T v through `tf.grad`, and the exact
 * divergence sum_j e_j^T J e_j from the dim VJPs with unit vectors, stacked into one pass over
 * [dim * n] rows (in blocks of `divergenceRows`) with one readback. The solvers' Hutchinson
 * estimator uses `vjp` (z^T J^T z = z^T J z).
 *
 * Float32 costs little at the usual tolerances: exact log-likelihoods of small models agree
 * with a float64 twin to a few 1e-7 nats at rtol = 1e-7 and to ~1e-5 at rtol = 1e-5, where the
 * solver's own error dominates (measured by scripts/tfjs-accuracy.ts; see the guide
 * docs/bring-your-own-model.md).
 *
 * @param model - the model; it receives x [n, dim] and t [n] (see {@link TfModel} for layouts)
 * @param options - see {@link TfFieldOptions}
 * @returns the field (it owns no tensors: disposing the model is the caller's business)
 * @throws `DomainError` for something that is not a model or a missing dim; `ShapeError` when the model's static input or output shape does not fit dim.
 *   Its methods throw a `ShapeError` when the model returns another shape, a `DomainError` when it returns a non-float32 tensor, is disposed or fails, and the argument errors of the solvers
 * @example
 * ```ts
 * const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 32, activation: "tanh" }), tf.layers.dense({ units: 2 })] });
 * const field = tfVelocityField(model);
 * const { y } = await sampleAsync(field, standardNormal(2).sample(256, new Random(0)), { method: "rk4", steps: 20 });
 * y.shape // => [256, 2]
 * ```
 * @category TensorFlow.js
 */
export function tfVelocityField(model: TfModel, options: TfFieldOptions = {}): TfVelocityField {
  const fn = "tfVelocityField";
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object", describeValue(options));
  const call = modelCall(fn, model, options.dim);
  const maxRows = checkInteger(fn, "options.divergenceRows", options.divergenceRows ?? 65536, 1);
  const d = call.dim;
  const m = (method: string): string => `${fn}.${method}`;
  return {
    dim: d,
    evaluate: (x, t, out) => readBatch(launch(call, m("evaluate"), x, t, null, (a) => call.predict(m("evaluate"), a.x, a.t, false)), out),
    evaluateAsync: async (x, t, out) => readBatchAsync(launch(call, m("evaluateAsync"), x, t, null, (a) => call.predict(m("evaluateAsync"), a.x, a.t, false)), out),
    vjp: (x, t, v, out) => readBatch(launch(call, m("vjp"), x, t, v, (a) => vjp(call, m("vjp"), a)), out),
    vjpAsync: async (x, t, v, out) => readBatchAsync(launch(call, m("vjpAsync"), x, t, v, (a) => vjp(call, m("vjpAsync"), a)), out),
    divergence: (x, t, out) => readValues(launch(call, m("divergence"), x, t, null, (a) => divergence(call, m("divergence"), a, maxRows)), out),
    divergenceAsync: async (x, t, out) => readValuesAsync(launch(call, m("divergenceAsync"), x, t, null, (a) => divergence(call, m("divergenceAsync"), a, maxRows)), out),
  };
}

/** @internal What a launch uploads besides x, t and v: a condition batch (checked against the model's conditionDim) and the extras. */
export interface LaunchCondition { condition: Batch; extras: Readonly<Record<string, unknown>> | undefined }

/** @internal The model inputs of one call, as tensors. */
export interface LaunchInputs { x: tf.Tensor2D; t: tf.Tensor1D; v: tf.Tensor2D | null; cond: tf.Tensor2D | null; extras: Readonly<Record<string, unknown>> | undefined }

/** @internal Checks the arguments, uploads them and runs `work` in a tidy; returns the result tensor (the caller reads and disposes it). */
export function launch(
  call: ModelCall, fn: string, x: Batch, t: Time, v: Batch | null,
  work: (inputs: LaunchInputs) => tf.Tensor, conditioned: LaunchCondition | null = null,
): { tensor: tf.Tensor; n: number; d: number; fn: string } {
  if (isTensor(x as unknown)) throw new DomainError(fn, "x", "be a Batch (ndarray over a Float64Array), not a tf.Tensor", `a ${(x as unknown as tf.Tensor).dtype} tensor`);
  const d = call.dim;
  const xb = asBatch(fn, "x", x, { dim: d });
  const n = xb.shape[0] as number;
  checkTime(fn, "t", t, n);
  let vb: Batch | null = null;
  if (v !== null) {
    if (isTensor(v as unknown)) throw new DomainError(fn, "v", "be a Batch (ndarray over a Float64Array), not a tf.Tensor", `a ${(v as unknown as tf.Tensor).dtype} tensor`);
    vb = asBatch(fn, "v", v, { dim: d, rows: n });
  }
  const c = conditioned === null ? null : asBatch(fn, "condition", conditioned.condition, { dim: call.conditionDim, rows: n });
  call.checkAlive(fn);
  const tensor = tf.tidy(() => work({
    x: tf.tensor2d(Float32Array.from(xb.data), [n, d], "float32"),
    t: typeof t === "number" ? tf.fill([n], t, "float32") as tf.Tensor1D : tf.tensor1d(Float32Array.from(t), "float32"),
    v: vb === null ? null : tf.tensor2d(Float32Array.from(vb.data), [n, d], "float32"),
    cond: c === null ? null : tf.tensor2d(Float32Array.from(c.data), [n, call.conditionDim], "float32"),
    extras: conditioned?.extras,
  }));
  return { tensor, n, d, fn };
}

/** @internal J^T v per row: the gradient of sum_i v_i . u(x_i | c_i) with respect to x. */
export function vjp(call: ModelCall, fn: string, a: LaunchInputs): tf.Tensor2D {
  return guardedGrad(fn, (xs) => tf.sum(tf.mul(call.predict(fn, xs, a.t, false, a.cond, a.extras), a.v as tf.Tensor2D)), a.x);
}

/**
 * tf.grad(f)(x), with f's errors raised after the gradient returns: an error thrown inside
 * tf.grad leaves tensors on the engine's tape (tfjs 4.22), so f's failure is recorded and a
 * zero connected to x stands in for its value.
 */
function guardedGrad(fn: string, f: (x: tf.Tensor2D) => tf.Scalar, x: tf.Tensor2D): tf.Tensor2D {
  let failure: { error: unknown } | null = null;
  let g: tf.Tensor2D;
  try {
    g = tf.grad((xs: tf.Tensor) => {
      try {
        return f(xs as tf.Tensor2D);
      } catch (error) {
        failure = { error };
        return tf.mul(tf.sum(xs), 0) as tf.Scalar;
      }
    })(x) as tf.Tensor2D;
  } catch (error) {
    throw translate(fn, error);
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
  return g;
}

/**
 * @internal sum_j (J^T e_j)_j per row: the rows are repeated once per unit vector of a block (k blocks of
 * n rows), one reverse pass of sum(mask * u) gives every e_j^T J, and the mask picks the diagonal.
 */
export function divergence(call: ModelCall, fn: string, a: LaunchInputs, maxRows: number): tf.Tensor1D {
  const { x, t, cond, extras } = a;
  const n = x.shape[0];
  const d = x.shape[1];
  const block = Math.max(1, Math.min(d, Math.floor(maxRows / Math.max(n, 1))));
  let total: tf.Tensor1D = tf.zeros([n]);
  for (let j0 = 0; j0 < d; j0 += block) {
    const k = Math.min(block, d - j0);
    // built here rather than with tf.oneHot, whose wasm kernel (4.22) ignores the float32 dtype
    const maskData = new Float32Array(k * n * d);
    for (let b = 0; b < k; b++) for (let i = 0; i < n; i++) maskData[(b * n + i) * d + j0 + b] = 1;
    const mask = tf.tensor2d(maskData, [k * n, d], "float32");
    const xs = tf.tile(x, [k, 1]) as tf.Tensor2D;
    const ts = tf.tile(t, [k]) as tf.Tensor1D;
    const cs = cond === null ? null : tf.tile(cond, [k, 1]) as tf.Tensor2D;
    const g = guardedGrad(fn, (rows) => tf.sum(tf.mul(call.predict(fn, rows, ts, false, cs, extras), mask)), xs);
    const diagonal = tf.reshape(tf.sum(tf.mul(g, mask), 1), [k, n]);
    total = tf.add(total, tf.sum(diagonal, 0));
  }
  return total;
}

/** @internal */
export function readBatch(r: { tensor: tf.Tensor; n: number; d: number; fn: string }, out?: Batch): Batch {
  try {
    return copyInto(r, r.tensor.dataSync(), out);
  } finally {
    r.tensor.dispose();
  }
}

/** @internal */
export async function readBatchAsync(r: { tensor: tf.Tensor; n: number; d: number; fn: string }, out?: Batch): Promise<Batch> {
  try {
    return copyInto(r, await r.tensor.data(), out);
  } finally {
    r.tensor.dispose();
  }
}

function copyInto(r: { n: number; d: number; fn: string }, data: ArrayLike<number>, out?: Batch): Batch {
  const result = outputBatch(r.fn, out, r.n, r.d);
  result.data.set(data);
  return result;
}

/** @internal */
export function readValues(r: { tensor: tf.Tensor; n: number; fn: string }, out?: Float64Array): Float64Array {
  try {
    return copyValues(r, r.tensor.dataSync(), out);
  } finally {
    r.tensor.dispose();
  }
}

/** @internal */
export async function readValuesAsync(r: { tensor: tf.Tensor; n: number; fn: string }, out?: Float64Array): Promise<Float64Array> {
  try {
    return copyValues(r, await r.tensor.data(), out);
  } finally {
    r.tensor.dispose();
  }
}

function copyValues(r: { n: number; fn: string }, data: ArrayLike<number>, out?: Float64Array): Float64Array {
  const result = out ?? new Float64Array(r.n);
  if (!(result instanceof Float64Array) || result.length !== r.n) throw new ShapeError(r.fn, "out", `be a Float64Array of length ${r.n}`, describeValue(out));
  result.set(data);
  return result;
}

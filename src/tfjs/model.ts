import * as tf from "@tensorflow/tfjs-core";
import { DomainError, FlowMatchingError, ShapeError } from "../core/errors.js";
import { describeShape, describeValue } from "../core/format.js";

/**
 * A velocity model written as a function of tensors: `x` of shape [n, dim] and `t` of shape [n]
 * (one time per row), and for a conditioned model `cond` of shape [n, conditionDim] (the rows'
 * conditions, see {@link trainTf}) and the run's `extras`; it returns the velocities, shape
 * [n, dim], float32. It must be built from tf ops (so that `tf.grad` differentiates it) and may read
 * `tf.Variable`s, which {@link trainTf} updates.
 *
 * @example
 * ```ts
 * const w = tf.variable(tf.zeros([3, 2]));
 * const model: TfModelFunction = (x, t) => tf.matMul(tf.concat([x, tf.reshape(t, [-1, 1])], 1), w);
 * ```
 * @category TensorFlow.js
 */
export type TfModelFunction = (x: tf.Tensor2D, t: tf.Tensor1D, cond?: tf.Tensor2D, extras?: Readonly<Record<string, unknown>>) => tf.Tensor2D;

/**
 * What {@link tfVelocityField} and {@link trainTf} accept: a `tf.LayersModel` (from
 * `@tensorflow/tfjs-layers`), a `tf.GraphModel` (from `@tensorflow/tfjs-converter`), any other
 * `tf.InferenceModel`, or a {@link TfModelFunction}. A model with one input receives the
 * columns [x, t] ([n, dim + 1]); a model with two inputs receives [x, t] as [n, dim] and [n, 1].
 * A conditioned model (conditionDim c > 0) receives [x, t, cond] ([n, dim + 1 + c]), or x and [t, cond] ([n, 1 + c]).
 *
 * @category TensorFlow.js
 */
export type TfModel = TfInferenceModel | TfModelFunction;

/**
 * The part of a `tf.LayersModel` or `tf.GraphModel` (any `tf.InferenceModel`) that the adapter
 * uses: `predict`, and the static shapes of `inputs` and `outputs` when the model has them.
 *
 * @category TensorFlow.js
 */
export interface TfInferenceModel {
  /** Runs the model on one input tensor or a list of them. */
  predict(inputs: tf.Tensor | tf.Tensor[], config?: object): unknown;
  /** The model's inputs, with their shapes ([batch, width]; null for a free size). */
  readonly inputs?: readonly { readonly shape?: readonly (number | null)[] | undefined }[];
  /** The model's outputs, with their shapes. */
  readonly outputs?: readonly { readonly shape?: readonly (number | null)[] | undefined }[];
}

/** @internal The structural view of a LayersModel that the adapter uses. */
interface LayersLike {
  apply(inputs: tf.Tensor | tf.Tensor[], kwargs?: Record<string, unknown>): tf.Tensor | tf.Tensor[];
  layers: unknown[];
  trainableWeights?: { read(): tf.Tensor }[];
}

/** @internal A model reduced to one call: (x [n, dim], t [n]) -> [n, dim], with checks. */
export interface ModelCall {
  /** Dimension of x and of the output. */
  dim: number;
  /** The raw prediction tensor (inside a tidy or a gradient tape), checked for shape and dtype; errors name `caller`. `cond` is required when conditionDim > 0. */
  predict(caller: string, x: tf.Tensor2D, t: tf.Tensor1D, training: boolean, cond?: tf.Tensor2D | null, extras?: Readonly<Record<string, unknown>>): tf.Tensor2D;
  /** Width of the condition columns (0: unconditioned). */
  conditionDim: number;
  /** Throws a typed error naming `caller` when the model's weights are disposed. */
  checkAlive(caller: string): void;
  /** The trainable variables of a LayersModel (empty for other models). */
  variables(): tf.Variable[];
}

/** @internal Wraps a model, working out the input layout and the dimension. */
export function modelCall(fn: string, model: TfModel, dim?: number, conditionDim = 0): ModelCall {
  const isFunction = typeof model === "function";
  const inference = model as Partial<TfInferenceModel & LayersLike>;
  if (!isFunction && (model === null || typeof model !== "object" || typeof inference.predict !== "function")) {
    throw new DomainError(fn, "model", "be a tf.LayersModel, a tf.GraphModel or a function (x, t) => tensor", describeValue(model));
  }
  const inputs = isFunction ? [] : (inference.inputs ?? []);
  const outShape = isFunction ? undefined : inference.outputs?.[0]?.shape;
  const outDim = Array.isArray(outShape) && typeof outShape[1] === "number" && outShape[1] > 0 ? outShape[1] : undefined;
  if (dim === undefined) dim = outDim;
  if (dim === undefined || !Number.isInteger(dim) || dim < 1) {
    throw new DomainError(fn, "options.dim", "be a positive integer (required for a function model or a model without a static output shape)", describeValue(dim));
  }
  if (outDim !== undefined && outDim !== dim) throw new ShapeError(fn, "model", `have outputs of shape [n, ${dim}] (options.dim)`, describeShape(outShape as unknown as number[]));
  const separate = inputs.length >= 2;
  const width = inputs[0]?.shape?.[1];
  const expected = separate ? dim : dim + 1 + conditionDim;
  const layout = conditionDim > 0 ? (separate ? "x, then [t, cond] as a second input" : "the columns [x, t, cond]") : (separate ? "x, then t as a second input" : "the columns [x, t]");
  if (!isFunction && typeof width === "number" && width > 0 && width !== expected) {
    throw new ShapeError(fn, "model", `take inputs of width ${expected} (${layout})`, `an input of shape ${describeShape(inputs[0]?.shape as unknown as number[])}`);
  }
  const d = dim;
  const layers = !isFunction && typeof inference.apply === "function" && Array.isArray(inference.layers) ? (model as unknown as LayersLike) : null;
  const raw = (x: tf.Tensor2D, t: tf.Tensor1D, training: boolean, cond: tf.Tensor2D | null, extras: Readonly<Record<string, unknown>> | undefined): unknown => {
    if (isFunction) return cond === null && extras === undefined ? (model as TfModelFunction)(x, t) : (model as TfModelFunction)(x, t, cond ?? undefined, extras);
    const column = cond === null ? tf.reshape(t, [-1, 1]) : tf.concat([tf.reshape(t, [-1, 1]), cond], 1);
    const feed = separate ? [x, column] : tf.concat([x, column], 1);
    // LayersModel.apply runs the layers eagerly on tensors (differentiable, no batching loop)
    if (layers !== null) return layers.apply(feed, { training });
    return (model as TfInferenceModel).predict(feed, {});
  };
  return {
    dim: d,
    conditionDim,
    predict(caller, x, t, training, cond = null, extras = undefined) {
      if ((cond === null) !== (conditionDim === 0)) {
        throw new DomainError(caller, "condition", conditionDim === 0 ? "be absent: the model is unconditioned (no conditionDim)" : `be given: the model takes conditionDim ${conditionDim}`, cond === null ? "none" : "a condition");
      }
      let out: unknown;
      try {
        out = raw(x, t, training, cond, extras);
      } catch (e) {
        throw translate(caller, e);
      }
      return checkOutput(caller, out, x.shape[0], d);
    },
    checkAlive(caller) {
      if (layers === null) return;
      try {
        for (const w of layers.trainableWeights ?? []) if (w.read().isDisposed) throw new Error("disposed");
      } catch {
        throw new DomainError(caller, "model", "not be disposed", "a disposed model");
      }
    },
    variables() {
      return layers === null ? [] : (layers.trainableWeights ?? []).map((w) => w.read() as tf.Variable);
    },
  };
}

/**
 * @internal A model's own error, or tfjs's from differentiating it, as a typed one naming the
 * model (disposed weights and unregistered gradients are the usual causes).
 */
export function translate(fn: string, e: unknown): FlowMatchingError {
  if (e instanceof FlowMatchingError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (/gradient function not found/i.test(message)) {
    return new DomainError(fn, "model", "have its ops' gradients registered (import \"@tensorflow/tfjs-core/dist/register_all_gradients\" once, or use @tensorflow/tfjs)", message);
  }
  if (/dispos/i.test(message)) return new DomainError(fn, "model", "not be disposed", `a disposed model (${message})`);
  return new DomainError(fn, "model", "evaluate on x [n, dim] and t [n]", `an error: ${message}`);
}

/** The model's output must be one float32 tensor of shape [n, dim]. */
function checkOutput(fn: string, out: unknown, n: number, d: number): tf.Tensor2D {
  const single = Array.isArray(out) && out.length === 1 ? out[0] : out;
  if (!isTensor(single)) throw new DomainError(fn, "model", "return one tf.Tensor", describeValue(out));
  if (single.dtype !== "float32") throw new DomainError(fn, "model", "return a float32 tensor", `dtype ${single.dtype}`);
  if (single.rank !== 2 || single.shape[0] !== n || single.shape[1] !== d) {
    throw new ShapeError(fn, "model", `return a tensor of shape [${n}, ${d}]`, describeShape(single.shape));
  }
  return single as tf.Tensor2D;
}

/** @internal A tf.Tensor, recognised by shape rather than class (a second copy of tfjs-core has another class). */
export function isTensor(value: unknown): value is tf.Tensor {
  const v = value as Partial<tf.Tensor> | null;
  return v !== null && typeof v === "object" && typeof v.dataSync === "function" && typeof v.dtype === "string" && Array.isArray(v.shape);
}

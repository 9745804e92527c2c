import * as tf from "@tensorflow/tfjs-core";
import { checkInRange, checkInteger } from "../core/check.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { BregmanDivergence, Coupling, Distribution, ProbabilityPath } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import type { Batch } from "../core/batch.js";
import { batchDrawer } from "../train/conditions.js";
import type { ConditionedDistribution, LabelledDistribution, ModelExtras } from "../train/train-options.js";
import type { TfBregmanDivergence } from "./divergences.js";
import { asTfDivergence } from "./divergences.js";
import type { TfEma } from "./ema.js";
import { createEma } from "./ema.js";
import type { TfModel } from "./model.js";
import { modelCall, translate } from "./model.js";

/** What `onProgress` receives after every step. @category TensorFlow.js */
export interface TfStepInfo {
  /** 1-based step number. */
  step: number;
  /** CFM loss of this step's batch (before the update). */
  loss: number;
  /** Global L2 norm of the gradient. */
  gradNorm: number;
  /** Milliseconds since training started. */
  elapsedMs: number;
}

/** Options of {@link trainTf}. @category TensorFlow.js */
export interface TfTrainOptions {
  /** Source distribution p0 (for example `eightGaussians()` or `standardNormal(dim)`). */
  source: Distribution;
  /**
   * Target distribution p1; a labelled target (with `classes`: the model gets the one-hot label,
   * classes + 1 columns, the last the null label) or a conditioned target (the model gets its
   * [n, conditionDim] conditions) for a conditioned model; see {@link TfModel} for the layout.
   */
  target: Distribution | LabelledDistribution | ConditionedDistribution;
  /** Number of real classes of a labelled target. */
  classes?: number;
  /** Probability of replacing a row's condition by the null one (classifier-free guidance; default 0), as in `train`. */
  conditionDropout?: number;
  /** The null condition row of a conditioned target (default zeros). */
  nullCondition?: ArrayLike<number>;
  /** Passed unchanged to a function model's every call (its fourth argument). */
  extras?: ModelExtras;
  /** Conditional probability path (for example `affinePath(condOT())`): x_t and the target dx_t. */
  path: ProbabilityPath;
  /** Coupling of each source batch with each target batch (default: rows paired in order). */
  coupling?: Coupling;
  /** Bregman divergence of the loss: one of ours or one in tf ops (default squared Euclidean). */
  loss?: BregmanDivergence | TfBregmanDivergence;
  /** A tfjs optimizer (default `tf.train.adam(1e-3)`, created and disposed by trainTf). */
  optimizer?: tf.Optimizer;
  /** Draws the n times of a batch (default U[0, 1)). */
  timeSampler?: (n: number, rng: Random) => Float64Array;
  /** Number of optimizer steps. */
  steps: number;
  /** Rows per batch. */
  batchSize: number;
  /** The only source of randomness of the batches. */
  rng: Random;
  /** Dimension (required for a function model). */
  dim?: number;
  /** The variables to train (default: a LayersModel's trainable weights; for a function model, every trainable tf.Variable). */
  variables?: tf.Variable[];
  /** Keep an exponential moving average of the weights with this decay in [0, 1) (returned as `ema`). */
  ema?: number;
  /** Save the model with `model.save(save)` every `every` steps and after the last one. */
  checkpoint?: { every: number; save: string | tf.io.IOHandler };
  /** Stops training cleanly between two steps. */
  signal?: AbortSignal;
  /** Called after every step; returning `false` stops training. */
  onProgress?: (info: TfStepInfo) => void | boolean;
}

/** The record of {@link trainTf}. @category TensorFlow.js */
export interface TfTrainResult {
  /** Loss of every completed step. */
  loss: Float64Array;
  /** Gradient norm of every completed step. */
  gradNorm: Float64Array;
  /** Number of completed steps. */
  steps: number;
  /** Why the run ended. */
  stoppedBy: "steps" | "signal" | "callback";
  /** Wall time in ms. */
  elapsedMs: number;
  /** The weight average when `ema` was asked for (dispose it when done), else null. */
  ema: TfEma | null;
  /** Number of checkpoints saved. */
  checkpoints: number;
}

/**
 * Trains a TensorFlow.js model by conditional flow matching: per step, x0 ~ p0 and x1 ~ p1
 * (our distributions, seeded `rng`), the coupling pairs them, t ~ `timeSampler`, the path gives
 * (x_t, u_t) in float64 (none of these depends on the weights), and the loss
 * L(theta) = mean_i D(u_t,i, v_theta(x_t,i, t_i)) runs in tf ops (the model and the Bregman
 * divergence, see {@link tfCfmLoss}) so `tf.variableGrads` differentiates it; the optimizer
 * applies the gradients on the backend. Batches are the same as `train`'s for the same rng
 * and options (conditions included: they move with their rows through the coupling as in `train`,
 * and reach the model as tensors). One readback per step (the loss and gradient norm, non-blocking) feeds
 * `onProgress` and the guard: a non-finite loss or gradient stops training with a
 * `NonFiniteError` before the update, so the model keeps its last finite weights.
 * Every tensor of a step is disposed: after the run `tf.memory().numTensors` has grown only by
 * the optimizer's slots (none with the default optimizer, which is disposed) and the `ema` shadows.
 *
 * @param model - a `tf.LayersModel`, a `tf.GraphModel` with `options.variables`, or a function model (see {@link TfModel})
 * @param options - see {@link TfTrainOptions}
 * @returns the loss history, the EMA and the number of checkpoints
 * @throws `DomainError` or `ShapeError` for invalid options or a model without trainable variables; `NonFiniteError` as above; the model's errors as in {@link tfVelocityField}
 * @example
 * ```ts
 * const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 64, activation: "tanh" }), tf.layers.dense({ units: 2 })] });
 * const result = await trainTf(model, { source: eightGaussians(), target: moons(), path: affinePath(condOT()), coupling: exactOTCoupling(), steps: 10, batchSize: 64, rng: new Random(0) });
 * result.steps // => 10
 * ```
 * @category TensorFlow.js
 */
export async function trainTf(model: TfModel, options: TfTrainOptions): Promise<TfTrainResult> {
  const fn = "trainTf";
  const o = options;
  if (o === null || typeof o !== "object") throw new DomainError(fn, "options", "be an object", describeValue(o));
  const { source, target, path, rng } = o;
  const labelled = target !== null && typeof target === "object" && "sampleWithLabels" in target;
  const classes = labelled ? checkInteger(fn, "options.classes", o.classes, 1) : 0;
  if (!labelled && o.classes !== undefined) throw new DomainError(fn, "options.classes", "be absent without a labelled target", describeValue(o.classes));
  const conditionDim = labelled ? classes + 1 : target !== null && typeof target === "object" && "sampleWithConditions" in target ? checkInteger(fn, "options.target.conditionDim", (target as ConditionedDistribution).conditionDim, 1) : 0;
  const call = modelCall(fn, model, o.dim, conditionDim);
  const dim = call.dim;
  if (!source || source.dim !== dim) throw new ShapeError(fn, "options.source", `have dim ${dim} like the model`, describeValue(source?.dim));
  if (!target || target.dim !== dim) throw new ShapeError(fn, "options.target", `have dim ${dim} like the model`, describeValue(target?.dim));
  if (!path || typeof path.sample !== "function") throw new DomainError(fn, "options.path", "be a probability path", describeValue(path));
  if (!rng || typeof rng.fillUniform !== "function") throw new DomainError(fn, "options.rng", "be a Random", describeValue(rng));
  if (o.coupling !== undefined && (o.coupling === null || typeof o.coupling.pair !== "function")) throw new DomainError(fn, "options.coupling", "be a Coupling", describeValue(o.coupling));
  const steps = checkInteger(fn, "options.steps", o.steps);
  const batchSize = checkInteger(fn, "options.batchSize", o.batchSize, 1);
  const divergence = asTfDivergence(fn, "options.loss", o.loss, dim);
  const draw = batchDrawer(fn, o, labelled ? { classes } : { conditionDim });
  if (o.extras !== undefined && (o.extras === null || typeof o.extras !== "object")) throw new DomainError(fn, "options.extras", "be an object", describeValue(o.extras));
  const decay = o.ema === undefined ? null : checkInRange(fn, "options.ema", o.ema, 0, 0.999999);
  const every = o.checkpoint === undefined ? null : checkInteger(fn, "options.checkpoint.every", o.checkpoint.every, 1);
  const saver = model as Partial<{ save(handler: string | tf.io.IOHandler): Promise<unknown> }>;
  if (every !== null && typeof saver.save !== "function") throw new DomainError(fn, "options.checkpoint", "be used with a model that has save() (a LayersModel or GraphModel)", "a function model");
  call.checkAlive(fn);
  const variables = o.variables ?? (typeof model === "function" ? null : call.variables());
  if (variables !== null && (!Array.isArray(variables) || variables.length === 0)) {
    throw new DomainError(fn, "options.variables", "be a non-empty array of tf.Variable (a GraphModel has no trainable variables of its own)", describeValue(variables));
  }
  const trained = variables ?? trainable();
  if (trained.length === 0) throw new DomainError(fn, "options.variables", "be given: the function model reads no trainable tf.Variable", "none registered");
  const optimizer = o.optimizer ?? tf.train.adam(1e-3);
  const ema = decay === null ? null : createEma(trained, decay);
  const lossHistory = new Float64Array(steps);
  const normHistory = new Float64Array(steps);
  const start = performance.now();
  let lastYield = start;
  let done = 0;
  let checkpoints = 0;
  let stoppedBy: TfTrainResult["stoppedBy"] = "steps";
  try {
    while (done < steps) {
      if (o.signal?.aborted) {
        stoppedBy = "signal";
        break;
      }
      const batch = drawBatch(o, draw, batchSize, dim, classes);
      const n = batch.t.length;
      const { value, grads, stats } = tf.tidy(() => {
        const xt = tf.tensor2d(Float32Array.from(batch.xt), [n, dim], "float32");
        const ts = tf.tensor1d(Float32Array.from(batch.t), "float32");
        const ut = tf.tensor2d(Float32Array.from(batch.dxt), [n, dim], "float32");
        const cond = batch.cond === null ? null : tf.tensor2d(Float32Array.from(batch.cond), [n, conditionDim], "float32");
        // an error thrown inside the gradient tape leaves tensors behind (tfjs 4.22): record it, return a zero, raise it after
        let failure: { error: unknown } | null = null;
        let result: { value: tf.Scalar; grads: tf.NamedTensorMap };
        try {
          result = tf.variableGrads(() => {
            try {
              return tf.mean(divergence.value(ut, call.predict(fn, xt, ts, true, cond, o.extras))) as tf.Scalar;
            } catch (error) {
              failure = { error };
              return tf.mul(tf.addN(trained.map((w) => tf.sum(w))), 0) as tf.Scalar;
            }
          }, trained);
        } catch (error) {
          throw translate(fn, error);
        }
        const { value: v, grads: g } = result;
        if (failure !== null) throw (failure as { error: unknown }).error;
        const norm = tf.sqrt(tf.addN(Object.values(g).map((x) => tf.sum(tf.square(x)))));
        return { value: v, grads: g, stats: tf.stack([v, norm]) };
      });
      let read: Float32Array | Int32Array | Uint8Array;
      try {
        read = (await stats.data()) as Float32Array;
      } finally {
        stats.dispose();
        value.dispose();
      }
      const loss = read[0] as number;
      const norm = read[1] as number;
      const stepNumber = done + 1;
      if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
        tf.dispose(grads);
        const what = Number.isFinite(loss) ? "gradient" : "loss";
        throw new NonFiniteError(fn, what, `be finite at step ${stepNumber}`, `${Number.isFinite(loss) ? `norm ${norm}` : loss}; the model keeps its last finite weights`);
      }
      optimizer.applyGradients(grads);
      tf.dispose(grads);
      ema?.update();
      lossHistory[done] = loss;
      normHistory[done] = norm;
      done = stepNumber;
      if (every !== null && (done % every === 0 || done === steps)) {
        await (saver.save as (h: string | tf.io.IOHandler) => Promise<unknown>)((o.checkpoint as { save: string | tf.io.IOHandler }).save);
        checkpoints++;
      }
      if (o.onProgress?.({ step: done, loss, gradNorm: norm, elapsedMs: performance.now() - start }) === false) {
        stoppedBy = "callback";
        break;
      }
      if (performance.now() - lastYield >= 16) {
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
    }
  } catch (e) {
    ema?.dispose();
    throw e;
  } finally {
    if (o.optimizer === undefined) optimizer.dispose();
  }
  return {
    loss: lossHistory.slice(0, done), gradNorm: normHistory.slice(0, done), steps: done, stoppedBy,
    elapsedMs: performance.now() - start, ema, checkpoints,
  };
}

/** One batch in float64, drawn exactly as the core's `train` draws it (the same drawer), with its conditions as rows (labels one-hot). */
function drawBatch(
  o: TfTrainOptions, draw: ReturnType<typeof batchDrawer>, batchSize: number, dim: number, classes: number,
): { xt: Float64Array; t: Float64Array; dxt: Float64Array; cond: Float64Array | null } {
  const pair = draw(batchSize, o.rng);
  const n = pair.x0.shape[0] as number;
  let cond: Float64Array | null = null;
  if (pair.condition instanceof Int32Array) {
    cond = new Float64Array(n * (classes + 1));
    for (let i = 0; i < n; i++) {
      const label = pair.condition[i] as number;
      if (!(label >= 0 && label <= classes)) throw new DomainError("trainTf", "options.target.sampleWithLabels(n, rng).labels", `hold integers in [0, ${classes}) (options.classes)`, `${label} at row ${i}`);
      cond[i * (classes + 1) + label] = 1;
    }
  } else if (pair.condition !== undefined) cond = (pair.condition as Batch).data;
  const t = o.timeSampler ? o.timeSampler(n, o.rng) : o.rng.fillUniform(new Float64Array(n));
  if (!(t instanceof Float64Array) || t.length !== n) throw new ShapeError("trainTf", "options.timeSampler", `return a Float64Array of length ${n}`, describeValue(t));
  const s = o.path.sample(pair.x0, pair.x1, t, o.rng);
  if (s.xt.data.length !== n * dim) throw new ShapeError("trainTf", "options.path", `give x_t of shape [${n}, ${dim}]`, String(s.xt.shape));
  return { xt: s.xt.data, t: s.t, dxt: s.dxt.data, cond };
}

/** Every trainable variable the engine knows (tf.variableGrads' own default). */
function trainable(): tf.Variable[] {
  const registry = tf.engine().registeredVariables;
  return Object.values(registry).filter((v) => v.trainable);
}

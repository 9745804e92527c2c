import type { Batch } from "../core/batch.js";
import { checkInteger, checkInRange, checkPositive, checkOptions, MAX_ELEMENTS, checkElements, checkFunction, checkMethods, checkRandom } from "../core/check.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { BregmanDivergence, Coupling, Distribution, ProbabilityPath } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import { checkTime } from "../core/time.js";
import type { Random } from "../random/random.js";
import { cfmLoss } from "../losses/cfm-loss.js";
import { squaredEuclidean } from "../losses/divergences.js";
import { adam } from "../nn/optimizers.js";
import type { Optimizer } from "../nn/optimizers.js";
import type { LearningRateSchedule } from "../nn/schedules.js";
import { clipGradNorm, gradNorm } from "../nn/clip.js";
import type { ParameterEma } from "../nn/ema.js";
import type { Labels, MlpPrecision } from "../nn/mlp.js";
import type { TimeSampler } from "./time-samplers.js";

/**
 * A model the training loop can fit: a velocity field with a flat parameter vector, a
 * forward pass that keeps what its backward pass needs, and a backward pass that writes
 * the parameter gradient. {@link Mlp} is one.
 *
 * @category Training
 */
export interface TrainableModel {
  /** Dimension of x and of the output. */
  readonly dim: number;
  /** Number of real classes (0 for an unconditional model). */
  readonly classes?: number;
  /** All trainable parameters, updated in place by the optimizer. */
  readonly parameters: Float64Array;
  /** Gradient of the last backward pass, in the layout of `parameters`. */
  readonly gradient: Float64Array;
  /** Prediction v_theta(x, t[, labels]) that records what `backward` needs. */
  forward(x: Batch, t: Time, labels?: Labels, out?: Batch): Batch;
  /** Writes dL/dtheta for dL/dv of the last forward into `gradient` and returns it. */
  backward(gradOutput: Batch): Float64Array;
}

/**
 * A target with class labels, for conditional models: `sampleWithLabels` returns rows and
 * their integer labels in [0, classes).
 *
 * @category Training
 */
export interface LabelledDistribution {
  /** Dimension of a sample. */
  readonly dim: number;
  /** `n` samples and their labels. */
  sampleWithLabels(n: number, rng: Random): { x: Batch; labels: Int32Array };
}

/** What `onStep` receives after every step. @category Training */
export interface StepInfo {
  /** 1-based step number. */
  step: number;
  /** CFM loss of this step's batch (before the update). */
  loss: number;
  /** Global L2 norm of the gradient (before clipping). */
  gradNorm: number;
  /** Learning rate used by this step. */
  lr: number;
  /** Milliseconds since training started. */
  elapsedMs: number;
}

/** Options of {@link train} and {@link trainSync}. @category Training */
export interface TrainOptions {
  /** The model to fit (for example an {@link Mlp}); its parameters are updated in place. */
  model: TrainableModel;
  /** Source distribution p0 (for example `standardNormal(dim)`). */
  source: Distribution;
  /** Target distribution p1, or a labelled target for a conditional model. */
  target: Distribution | LabelledDistribution;
  /** Conditional probability path; its `sample` gives x_t and the regression target dx_t. */
  path: ProbabilityPath;
  /** Coupling of each source batch with each target batch (default: independent, rows paired in order). */
  coupling?: Coupling;
  /** Bregman divergence of the CFM loss (default squared Euclidean). */
  loss?: BregmanDivergence;
  /** Optimizer (default `adam({ lr: 1e-3 })`). */
  optimizer?: Optimizer;
  /** Learning rate per step (default: the optimizer's base rate). */
  learningRate?: LearningRateSchedule;
  /** Clip the gradient to this global L2 norm (default: no clipping). */
  clipGradNorm?: number;
  /** Exponential moving average of the parameters, updated after every step. */
  ema?: ParameterEma;
  /** Number of optimizer steps. */
  steps: number;
  /** Rows per batch. */
  batchSize: number;
  /** The only source of randomness: the same seed gives the same parameters. */
  rng: Random;
  /** Probability of replacing a label by the null label (classifier-free guidance training; default 0). */
  labelDropout?: number;
  /** Draws the times of a batch, n values in [0, 1] (default U[0, 1)); see {@link TimeSampler} and its samplers (logit-normal, Beta, mode). */
  sampleTimes?: TimeSampler;
  /** Called after every step; returning `false` stops training. */
  onStep?: (info: StepInfo) => void | boolean;
  /** Stops training cleanly between two steps. */
  signal?: AbortSignal;
  /** {@link train} yields to the event loop at least this often, in ms (default 16), so pages stay responsive. */
  yieldEveryMs?: number;
  /**
   * Arithmetic of the model's forward and backward passes for this run (a model with a
   * `precision` setting, such as {@link Mlp}; see {@link MlpPrecision}): set for the run, restored
   * after it. Default: the model's own setting. Parameters and optimizer state stay float64.
   */
  precision?: MlpPrecision;
}

/** The record of a training run. @category Training */
export interface TrainHistory {
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
}

/**
 * Trains a velocity model by conditional flow matching, one minibatch per step:
 * x0 ~ p0, x1 ~ p1, (x0, x1) <- coupling, t ~ U[0, 1), (x_t, u_t) <- path, and
 * L(theta) = mean_i D(u_t(x_t | x0_i, x1_i), v_theta(x_t, t_i)) minimised by the
 * optimizer. By Lipman et al. 2023 (Thm 2) and its Bregman generalisation, the gradient of
 * this conditional loss equals that of the marginal loss, so v_theta regresses the
 * marginal velocity. Asynchronous: it yields to the event loop every `yieldEveryMs` so an
 * `AbortSignal` or a page can interrupt it; {@link trainSync} runs the same steps without yielding.
 *
 * A non-finite loss or gradient stops training with a {@link NonFiniteError} and leaves the
 * model at its last finite parameters.
 *
 * @returns the loss history
 * @throws {@link DomainError} or {@link ShapeError} for invalid options; {@link NonFiniteError} as above
 * @example
 * ```ts
 * const model = mlp({ dim: 2, hidden: [32, 32], seed: 0 });
 * const history = await train({ model, source: standardNormal(2), target: moons(), path: affinePath(condOT()), steps: 10, batchSize: 64, rng: new Random(0) });
 * history.steps // => 10
 * ```
 * @category Training
 */
export async function train(options: TrainOptions): Promise<TrainHistory> {
  options = checkOptions("train", "options", options, true);
  const yieldEvery = checkPositive("train", "options.yieldEveryMs", options.yieldEveryMs ?? 16);
  const run = trainingRun("train", options);
  let last = performance.now();
  try {
    for (let r = run.next(); !r.done; r = run.next()) {
      if (performance.now() - last >= yieldEvery) {
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        last = performance.now();
      }
    }
  } finally {
    run.restore();
  }
  return run.history();
}

/**
 * The synchronous twin of {@link train}: the same steps and results for the same options,
 * without yielding to the event loop (an `AbortSignal` is still checked between steps).
 *
 * @example
 * ```ts
 * trainSync({ model: mlp({ dim: 2, hidden: [8], seed: 1 }), source: standardNormal(2), target: moons(), path: affinePath(condOT()), steps: 3, batchSize: 16, rng: new Random(1) }).loss.length // => 3
 * ```
 * @category Training
 */
export function trainSync(options: TrainOptions): TrainHistory {
  options = checkOptions("trainSync", "options", options, true);
  const run = trainingRun("trainSync", options);
  try {
    for (let r = run.next(); !r.done; r = run.next());
  } finally {
    run.restore();
  }
  return run.history();
}

interface Run {
  next(): { done: boolean };
  history(): TrainHistory;
  /** Gives the model back its own precision setting. */
  restore(): void;
}

function trainingRun(fn: string, o: TrainOptions): Run {
  if (o === null || typeof o !== "object") throw new DomainError(fn, "options", "be an object", describeValue(o));
  const { model, source, target, path, rng } = o;
  if (!model || !(model.parameters instanceof Float64Array) || typeof model.forward !== "function" || typeof model.backward !== "function") {
    throw new DomainError(fn, "options.model", "be a trainable model (parameters, gradient, forward, backward)", describeValue(model));
  }
  const dim = model.dim;
  if (!source || source.dim !== dim) throw new ShapeError(fn, "options.source", `have dim ${dim} like the model`, describeValue(source?.dim));
  if (!target || target.dim !== dim) throw new ShapeError(fn, "options.target", `have dim ${dim} like the model`, describeValue(target?.dim));
  if (!path || typeof path.sample !== "function") throw new DomainError(fn, "options.path", "be a probability path", describeValue(path));
  if (!rng || typeof rng.uniform !== "function") throw new DomainError(fn, "options.rng", "be a Random", describeValue(rng));
  checkMethods(fn, "options.source", source, ["sample"], "a Distribution");
  checkMethods(fn, "options.target", target, "sampleWithLabels" in target ? ["sampleWithLabels"] : ["sample"], "a Distribution");
  checkRandom(fn, "options.rng", rng);
  if (o.coupling !== undefined) checkMethods(fn, "options.coupling", o.coupling, ["pair"], "a Coupling");
  if (o.loss !== undefined) checkMethods(fn, "options.loss", o.loss, ["value", "gradient"], "a BregmanDivergence");
  if (o.optimizer !== undefined) checkMethods(fn, "options.optimizer", o.optimizer, ["step"], "an Optimizer");
  for (const hook of ["learningRate", "sampleTimes", "onStep"] as const) if (o[hook] !== undefined) checkFunction(fn, `options.${hook}`, o[hook]);
  if (o.ema !== undefined) checkMethods(fn, "options.ema", o.ema, ["update"], "a ParameterEma");
  const steps = checkInteger(fn, "options.steps", o.steps, 0, MAX_ELEMENTS);
  const batchSize = checkInteger(fn, "options.batchSize", o.batchSize, 1, MAX_ELEMENTS);
  checkElements(fn, "options.batchSize", batchSize, dim);
  const labelDropout = checkInRange(fn, "options.labelDropout", o.labelDropout ?? 0, 0, 1);
  const clip = o.clipGradNorm === undefined ? null : checkPositive(fn, "options.clipGradNorm", o.clipGradNorm);
  const divergence = o.loss ?? squaredEuclidean;
  const optimizer = o.optimizer ?? adam({ lr: 1e-3 });
  const labelled = "sampleWithLabels" in target;
  const classes = model.classes ?? 0;
  if (labelled && classes === 0) throw new DomainError(fn, "options.model", "be conditional (classes > 0) for a labelled target", "classes = 0");
  const precise = model as { precision?: MlpPrecision };
  const ownPrecision = precise.precision;
  if (o.precision !== undefined) {
    if (o.precision !== "float64" && o.precision !== "float32" && o.precision !== "float32-relaxed") throw new DomainError(fn, "options.precision", 'be "float64", "float32" or "float32-relaxed"', describeValue(o.precision));
    if (!("precision" in model)) throw new DomainError(fn, "options.model", "have a precision setting (an Mlp) when options.precision is given", describeValue(model));
  }

  const lossHistory = new Float64Array(steps);
  const normHistory = new Float64Array(steps);
  const lastFinite = new Float64Array(model.parameters.length);
  const start = performance.now();
  let done = 0;
  let stoppedBy: TrainHistory["stoppedBy"] = "steps";
  let finished = false;

  const step = (): void => {
    const x0 = source.sample(batchSize, rng);
    let x1: Batch;
    let labels: Int32Array | undefined;
    if (labelled) {
      const s = (target as LabelledDistribution).sampleWithLabels(batchSize, rng);
      x1 = s.x;
      labels = s.labels;
    } else x1 = (target as Distribution).sample(batchSize, rng);
    let pairX0 = x0, pairX1 = x1;
    if (o.coupling) {
      const pair = o.coupling.pair(x0, x1, rng);
      pairX0 = pair.x0;
      pairX1 = pair.x1;
      if (labels) {
        const moved = new Int32Array(pair.indices1.length);
        for (let i = 0; i < moved.length; i++) moved[i] = labels[pair.indices1[i] as number] as number;
        labels = moved;
      }
    }
    const n = pairX0.shape[0] as number;
    if (labels && labelDropout > 0) {
      for (let i = 0; i < n; i++) if (rng.uniform() < labelDropout) labels[i] = classes;
    }
    const t = o.sampleTimes ? checkTime(fn, "options.sampleTimes", o.sampleTimes(n, rng), n) : rng.fillUniform(new Float64Array(n));
    const sample = path.sample(pairX0, pairX1, t, rng);
    const prediction = model.forward(sample.xt, sample.t, labels);
    const stepNumber = done + 1;
    const p = prediction.data;
    for (let i = 0; i < p.length; i++) {
      if (!Number.isFinite(p[i] as number)) {
        throw new NonFiniteError(fn, "prediction", `be finite at step ${stepNumber}`, `${p[i]} at row ${Math.floor(i / dim)}; the model keeps its last finite parameters`);
      }
    }
    const { loss, gradient } = cfmLoss(prediction, sample.dxt, divergence);
    if (!Number.isFinite(loss)) throw new NonFiniteError(fn, "loss", `be finite at step ${stepNumber}`, `${loss}; the model keeps its last finite parameters`);
    const g = model.backward(gradient);
    const norm = gradNorm(g);
    if (!Number.isFinite(norm)) throw new NonFiniteError(fn, "gradient", `be finite at step ${stepNumber}`, `norm ${norm}; the model keeps its last finite parameters`);
    if (clip !== null) clipGradNorm(g, clip);
    const lr = o.learningRate ? o.learningRate(done) : optimizer.lr;
    lastFinite.set(model.parameters);
    optimizer.step(model.parameters, g, lr);
    for (let i = 0; i < model.parameters.length; i++) {
      if (!Number.isFinite(model.parameters[i] as number)) {
        model.parameters.set(lastFinite);
        throw new NonFiniteError(fn, "parameters", `stay finite at step ${stepNumber}`, `a non-finite value at index ${i}; restored the last finite parameters`);
      }
    }
    o.ema?.update(model.parameters);
    lossHistory[done] = loss;
    normHistory[done] = norm;
    done = stepNumber;
    const keepGoing = o.onStep?.({ step: stepNumber, loss, gradNorm: norm, lr, elapsedMs: performance.now() - start });
    if (keepGoing === false) {
      stoppedBy = "callback";
      finished = true;
    }
  };

  if (o.precision !== undefined) precise.precision = o.precision;
  return {
    restore() {
      if (o.precision !== undefined) precise.precision = ownPrecision as MlpPrecision;
    },
    next() {
      if (!finished && o.signal?.aborted) {
        stoppedBy = "signal";
        finished = true;
      }
      if (finished || done >= steps) return { done: true };
      step();
      return { done: false };
    },
    history() {
      return {
        loss: lossHistory.slice(0, done),
        gradNorm: normHistory.slice(0, done),
        steps: done,
        stoppedBy,
        elapsedMs: performance.now() - start,
      };
    },
  };
}


import type { Batch } from "../core/batch.js";
import type { Time } from "../core/time.js";
import type { BregmanDivergence, Coupling, Distribution, ProbabilityPath } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import type { Optimizer } from "../nn/optimizers.js";
import type { LearningRateSchedule } from "../nn/schedules.js";
import type { ParameterEma } from "../nn/ema.js";
import type { MlpPrecision, ModelCondition } from "../nn/mlp.js";
import type { TimeSampler } from "./time-samplers.js";

/**
 * Anything else a model needs beside (x, t, condition), passed unchanged to every
 * `forward` of a training run (the `model_extras` of Meta's flow_matching and torchcfm):
 * an attention mask, a fixed context, a switch. Per-row data belongs in the condition, which
 * moves with its rows; extras do not.
 *
 * @category Training
 */
export type ModelExtras = Readonly<Record<string, unknown>>;

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
  /** Width of a continuous condition (0 or absent: the model takes none). */
  readonly conditionDim?: number;
  /** All trainable parameters, updated in place by the optimizer. */
  readonly parameters: Float64Array;
  /** Gradient of the last backward pass, in the layout of `parameters`. */
  readonly gradient: Float64Array;
  /**
   * Prediction v_theta(x, t[, condition]) that records what `backward` needs. `condition` is
   * the batch's labels (Int32Array) for a model with classes, its condition batch [n, conditionDim]
   * for a model with conditionDim, else absent; `extras` is the run's {@link ModelExtras}.
   */
  forward(x: Batch, t: Time, condition?: ModelCondition, out?: Batch, extras?: ModelExtras): Batch;
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

/**
 * A target with continuous (or embedded) conditions, for a model with `conditionDim`:
 * `sampleWithConditions` returns rows x ~ p1(x | c) and their conditions c ~ p(c), row i with row i.
 *
 * @category Training
 */
export interface ConditionedDistribution {
  /** Dimension of a sample. */
  readonly dim: number;
  /** Width c of a condition row. */
  readonly conditionDim: number;
  /** `n` samples and their conditions, shape [n, conditionDim]. */
  sampleWithConditions(n: number, rng: Random): { x: Batch; condition: Batch };
}

/**
 * SF2M-style joint training (Tong et al. 2024): a score model s_phi(x, t[, c]) regressed on the
 * path's conditional score beside the velocity, loss CFM + weight * {@link scoreMatchingLoss}.
 * The path must be Gaussian (its samples hold `score` and `lambda`, as `schrodingerBridgePath`).
 *
 * @category Training
 */
export interface ScoreTraining {
  /** The score model; conditioned like the velocity model. */
  model: TrainableModel;
  /** Weight of the score loss (default 1). */
  weight?: number;
  /** Its optimizer (default `adam` with the velocity optimizer's base rate); the learning-rate schedule applies to both. */
  optimizer?: Optimizer;
}

/** What `onStep` receives after every step. @category Training */
export interface StepInfo {
  /** 1-based step number. */
  step: number;
  /** CFM loss of this step's batch (before the update). */
  loss: number;
  /** Score-matching loss of this step's batch, with {@link TrainOptions.score} (else absent). */
  scoreLoss?: number;
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
  /** Target distribution p1, a labelled target for a model with classes, or a conditioned target for a model with conditionDim. */
  target: Distribution | LabelledDistribution | ConditionedDistribution;
  /** Conditional probability path; its `sample` gives x_t and the regression target dx_t. */
  path: ProbabilityPath;
  /** Coupling of each source batch with each target batch (default: independent, rows paired in order); conditions move with their rows ({@link pairWithConditions}). */
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
  /**
   * Probability of replacing a row's condition by the null condition (classifier-free guidance;
   * default 0): labels become the null label `classes`, continuous conditions `nullCondition`.
   */
  conditionDropout?: number;
  /** The null condition row of a continuous condition (default zeros); guide with it in {@link conditionGuidance}. */
  nullCondition?: ArrayLike<number>;
  /** Passed unchanged to every `forward` (see {@link ModelExtras}). */
  extras?: ModelExtras;
  /** Train a score model beside the velocity (SF2M); see {@link ScoreTraining}. */
  score?: ScoreTraining;
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
  /** Score loss of every completed step, with {@link TrainOptions.score}. */
  scoreLoss?: Float64Array;
  /** Gradient norm of every completed step. */
  gradNorm: Float64Array;
  /** Number of completed steps. */
  steps: number;
  /** Why the run ended. */
  stoppedBy: "steps" | "signal" | "callback";
  /** Wall time in ms. */
  elapsedMs: number;
}

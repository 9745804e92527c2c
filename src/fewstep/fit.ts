import { checkCount, checkFinite, checkFunction, checkMethods, checkPositive, checkRandom } from "../core/check.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Random } from "../random/random.js";
import { adam, type Optimizer } from "../nn/optimizers.js";
import type { LearningRateSchedule } from "../nn/schedules.js";
import { clipGradNorm, gradNorm } from "../nn/clip.js";
import type { StepInfo } from "../train/train.js";
import type { Batch } from "../core/batch.js";
import type { Time } from "../core/time.js";
import type { Distribution, VelocityField } from "../core/interfaces.js";
import { cfmLoss } from "../losses/cfm-loss.js";
import { squaredEuclidean } from "../losses/divergences.js";
import { finiteLoss } from "../train/finite-loss.js";
import { Mlp } from "../nn/mlp.js";

/**
 * Optimisation settings shared by the few-step trainers ({@link trainMeanFlow},
 * {@link trainShortcut}, {@link reflow}, {@link distill}).
 *
 * @category Few-step generation
 */
export interface FitOptions {
  /** Number of optimizer steps (per round, for the multi-round trainers), an integer in [0, 2^28]. */
  steps: number;
  /** Rows per batch, an integer in [1, 2^28]. */
  batchSize: number;
  /** The only source of randomness: the same seed gives the same parameters. */
  rng: Random;
  /** Optimizer factory, called once per model trained (default `() => adam({ lr: 1e-3 })`). */
  optimizer?: () => Optimizer;
  /** Learning rate per step (default: the optimizer's base rate). */
  learningRate?: LearningRateSchedule;
  /** Clip the gradient to this global L2 norm (default: no clipping). */
  clipGradNorm?: number;
  /** Called after every step; returning `false` stops this model's training. */
  onStep?: (info: StepInfo) => void | boolean;
}

/** The record of one model's training. @category Few-step generation */
export interface FitHistory {
  /** Loss of every completed step. */
  loss: Float64Array;
  /** Number of completed steps. */
  steps: number;
  /** Wall time in ms. */
  elapsedMs: number;
}

/** A model the loop can update: flat parameters and the gradient of the last backward. */
interface Parameters {
  readonly parameters: Float64Array;
  readonly gradient: Float64Array;
}

/** Validated {@link FitOptions}. */
export interface FitPlan {
  steps: number;
  batchSize: number;
  rng: Random;
  options: FitOptions;
}

/** Checks the shared options of a trainer. */
export function planFit(fn: string, o: FitOptions): FitPlan {
  if (o === null || typeof o !== "object") throw new DomainError(fn, "options", "be an object", describeValue(o));
  const steps = checkCount(fn, "options.steps", o.steps);
  const batchSize = checkCount(fn, "options.batchSize", o.batchSize, 1);
  checkRandom(fn, "options.rng", o.rng);
  if (o.clipGradNorm !== undefined) checkPositive(fn, "options.clipGradNorm", o.clipGradNorm);
  if (o.optimizer !== undefined && typeof o.optimizer !== "function") throw new DomainError(fn, "options.optimizer", "be a function returning an Optimizer", describeValue(o.optimizer));
  if (o.learningRate !== undefined) checkFunction(fn, "options.learningRate", o.learningRate);
  if (o.onStep !== undefined) checkFunction(fn, "options.onStep", o.onStep);
  return { steps, batchSize, rng: o.rng, options: o };
}

/**
 * Checks that `value` is a distribution with `dim` equal to the model's and a method `sample`.
 *
 * @throws {@link DomainError} without `sample`; {@link ShapeError} for another dimension
 */
export function checkDistribution(fn: string, argument: string, value: unknown, dim: number, of: string): Distribution {
  checkMethods(fn, argument, value, ["sample"], "a Distribution");
  const distribution = value as Distribution;
  if (distribution.dim !== dim) throw new ShapeError(fn, argument, `have dim ${dim} like ${of}`, describeValue(distribution.dim));
  return distribution;
}

/**
 * Runs `plan.steps` optimizer steps; `step(k)` computes one batch's loss and leaves
 * dL/dtheta in `model.gradient`. A non-finite loss, gradient or parameter stops with a
 * {@link NonFiniteError} and leaves the model at its last finite parameters.
 */
export function fit(fn: string, model: Parameters, plan: FitPlan, step: (k: number) => number): FitHistory {
  const o = plan.options;
  const optimizer = o.optimizer ? checkMethods<Optimizer>(fn, "options.optimizer()", o.optimizer(), ["step"], "an Optimizer") : adam({ lr: 1e-3 });
  const losses = new Float64Array(plan.steps);
  const lastFinite = new Float64Array(model.parameters.length);
  const start = performance.now();
  let done = 0;
  while (done < plan.steps) {
    const k = done + 1;
    const loss = stepLoss(fn, k, () => step(done));
    if (!Number.isFinite(loss)) throw new NonFiniteError(fn, "loss", `be finite at step ${k}`, `${loss}; the model keeps its last finite parameters`);
    const g = model.gradient;
    const norm = gradNorm(g);
    if (!Number.isFinite(norm)) throw new NonFiniteError(fn, "gradient", `be finite at step ${k}`, `norm ${norm}; the model keeps its last finite parameters`);
    if (o.clipGradNorm !== undefined) clipGradNorm(g, o.clipGradNorm);
    const lr = o.learningRate ? checkFinite(fn, `options.learningRate(${done})`, o.learningRate(done)) : optimizer.lr;
    lastFinite.set(model.parameters);
    optimizer.step(model.parameters, g, lr);
    for (let i = 0; i < model.parameters.length; i++) {
      if (!Number.isFinite(model.parameters[i] as number)) {
        model.parameters.set(lastFinite);
        throw new NonFiniteError(fn, "parameters", `stay finite at step ${k}`, `a non-finite value at index ${i}; restored the last finite parameters`);
      }
    }
    losses[done] = loss;
    done = k;
    if (o.onStep?.({ step: k, loss, gradNorm: norm, lr, elapsedMs: performance.now() - start }) === false) break;
  }
  return { loss: losses.slice(0, done), steps: done, elapsedMs: performance.now() - start };
}

/**
 * One step's loss: a NonFiniteError naming the trainer itself (its check of a user callback's
 * output, such as NaN times from `sampleTimes`) is passed through as it is; any other is reported
 * by {@link finiteLoss} as a diverged run at step k.
 */
function stepLoss(fn: string, k: number, compute: () => number): number {
  try {
    return compute();
  } catch (error) {
    if (error instanceof NonFiniteError && error.fn === fn) throw error;
    return finiteLoss(fn, "loss", k, () => { throw error; });
  }
}

/**
 * A velocity field v(x, t) with trainable parameters, as {@link reflow} and {@link distill}
 * fit it ({@link Mlp} is one).
 *
 * @category Few-step generation
 */
export interface TrainableField extends VelocityField {
  /** All trainable parameters, updated in place by an optimizer. */
  readonly parameters: Float64Array;
  /** Gradient of the last backward pass, in the layout of `parameters`. */
  readonly gradient: Float64Array;
  /** v(x, t) that records what `backward` needs. */
  forward(x: Batch, t: Time): Batch;
  /** Writes dL/dtheta for dL/dv of the last forward into `gradient` and returns it. */
  backward(gradOutput: Batch): Float64Array;
}

/** Forward, mean squared error against a fixed target, backward; returns the loss. */
export function regressField(model: TrainableField, x: Batch, t: Time, target: Batch): number {
  const prediction = model.forward(x, t);
  const { loss, gradient } = cfmLoss(prediction, target, squaredEuclidean);
  model.backward(gradient);
  return loss;
}

/** The model of the next round: `make(round, previous)` when given, else a copy of an {@link Mlp} previous. */
export function nextModel(fn: string, argument: string, make: ((round: number, previous: VelocityField) => TrainableField) | undefined, round: number, previous: VelocityField): TrainableField {
  if (make !== undefined) {
    const m = checkFunction<typeof make>(fn, argument, make)(round, previous);
    if (!m || !(m.parameters instanceof Float64Array) || typeof m.forward !== "function" || typeof m.backward !== "function" || m.dim !== previous.dim) {
      throw new DomainError(fn, argument, `return a trainable model (parameters, gradient, forward, backward) of dim ${previous.dim}`, describeValue(m));
    }
    return m;
  }
  if (previous instanceof Mlp) return new Mlp(previous.toSpec());
  throw new DomainError(fn, argument, "be given when the previous field is not an Mlp (the default copies an Mlp)", describeValue(previous));
}

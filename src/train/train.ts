import { finiteLoss } from "./finite-loss.js";
import { asBatch, type Batch } from "../core/batch.js";
import { checkInteger, checkPositive, checkOptions, MAX_ELEMENTS, checkElements, checkFunction, checkMethods, checkRandom, checkNonNegative } from "../core/check.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import { checkTime } from "../core/time.js";
import { cfmLoss } from "../losses/cfm-loss.js";
import { squaredEuclidean } from "../losses/divergences.js";
import { scoreMatchingLoss } from "../losses/score-loss.js";
import { adam } from "../nn/optimizers.js";
import type { Optimizer } from "../nn/optimizers.js";
import { clipGradNorm, gradNorm } from "../nn/clip.js";
import { batchDrawer } from "./conditions.js";
import type { TrainableModel, TrainOptions, TrainHistory } from "./train-options.js";

export type { TrainableModel, LabelledDistribution, ConditionedDistribution, ModelExtras, ScoreTraining, StepInfo, TrainOptions, TrainHistory } from "./train-options.js";
import type { MlpPrecision } from "../nn/mlp.js";

/**
 * Trains a velocity model by conditional flow matching, one minibatch per step:
 * x0 ~ p0, x1 ~ p1, (x0, x1) <- coupling, t ~ U[0, 1), (x_t, u_t) <- path, and
 * L(theta) = mean_i D(u_t(x_t | x0_i, x1_i), v_theta(x_t, t_i)) minimised by the
 * optimizer. By Lipman et al. 2023 (Thm 2) and its Bregman generalisation, the gradient of
 * this conditional loss equals that of the marginal loss, so v_theta regresses the
 * marginal velocity. Conditions (labels, or [n, c] condition batches from a
 * {@link ConditionedDistribution}) move with their rows through the coupling and reach the
 * model with each pair; `conditionDropout` replaces them by the null condition for
 * classifier-free guidance; `extras` reach every forward; `score` trains a score model beside
 * the velocity (SF2M). Asynchronous: it yields to the event loop every `yieldEveryMs` so an
 * `AbortSignal` or a page can interrupt it; {@link trainSync} runs the same steps without yielding.
 *
 * A non-finite loss or gradient stops training with a {@link NonFiniteError} and leaves the
 * model at its last finite parameters.
 *
 * @returns the loss history
 * @throws {@link DomainError} or {@link ShapeError} for invalid options (among them a target whose kind, plain, labelled or
 *   conditioned, does not fit the model's, or a condition batch with the wrong row count); {@link NonFiniteError} as above and for NaN conditions
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
  if (!("sampleWithConditions" in target)) checkMethods(fn, "options.target", target, "sampleWithLabels" in target ? ["sampleWithLabels"] : ["sample"], "a Distribution");
  checkRandom(fn, "options.rng", rng);
  if (o.coupling !== undefined) checkMethods(fn, "options.coupling", o.coupling, ["pair"], "a Coupling");
  if (o.loss !== undefined) checkMethods(fn, "options.loss", o.loss, ["value", "gradient"], "a BregmanDivergence");
  if (o.optimizer !== undefined) checkMethods(fn, "options.optimizer", o.optimizer, ["step"], "an Optimizer");
  for (const hook of ["learningRate", "sampleTimes", "onStep"] as const) if (o[hook] !== undefined) checkFunction(fn, `options.${hook}`, o[hook]);
  if (o.ema !== undefined) checkMethods(fn, "options.ema", o.ema, ["update"], "a ParameterEma");
  const steps = checkInteger(fn, "options.steps", o.steps, 0, MAX_ELEMENTS);
  const batchSize = checkInteger(fn, "options.batchSize", o.batchSize, 1, MAX_ELEMENTS);
  checkElements(fn, "options.batchSize", batchSize, dim);
  const clip = o.clipGradNorm === undefined ? null : checkPositive(fn, "options.clipGradNorm", o.clipGradNorm);
  const divergence = o.loss ?? squaredEuclidean;
  const optimizer = o.optimizer ?? adam({ lr: 1e-3 });
  if (o.target !== null && typeof o.target === "object" && "sampleWithConditions" in o.target) checkMethods(fn, "options.target", target, ["sampleWithConditions"], "a ConditionedDistribution");
  const draw = batchDrawer(fn, o, model);
  const extras = o.extras;
  if (extras !== undefined && (extras === null || typeof extras !== "object")) throw new DomainError(fn, "options.extras", "be an object", describeValue(extras));
  const score = scorePlan(fn, o, model, optimizer.lr);
  const precise = model as { precision?: MlpPrecision };
  const ownPrecision = precise.precision;
  if (o.precision !== undefined) {
    if (o.precision !== "float64" && o.precision !== "float32" && o.precision !== "float32-relaxed") throw new DomainError(fn, "options.precision", 'be "float64", "float32" or "float32-relaxed"', describeValue(o.precision));
    if (!("precision" in model)) throw new DomainError(fn, "options.model", "have a precision setting (an Mlp) when options.precision is given", describeValue(model));
  }

  const lossHistory = new Float64Array(steps);
  const scoreHistory = score === null ? null : new Float64Array(steps);
  const normHistory = new Float64Array(steps);
  const lastFinite = new Float64Array(model.parameters.length);
  const start = performance.now();
  let done = 0;
  let stoppedBy: TrainHistory["stoppedBy"] = "steps";
  let finished = false;

  const step = (): void => {
    const { x0, x1, condition } = draw(batchSize, rng);
    const n = x0.shape[0] as number;
    const t = o.sampleTimes ? checkTime(fn, "options.sampleTimes", o.sampleTimes(n, rng), n) : rng.fillUniform(new Float64Array(n));
    const sample = path.sample(x0, x1, t, rng);
    const stepNumber = done + 1;
    const prediction = finiteLoss(fn, "prediction", stepNumber, () => model.forward(sample.xt, sample.t, condition, undefined, extras));
    checkPrediction(fn, "options.model.forward(xt, t)", "prediction", prediction, n, dim, stepNumber);
    const { loss, gradient } = finiteLoss(fn, "loss", stepNumber, () => cfmLoss(prediction, sample.dxt, divergence));
    if (!Number.isFinite(loss)) throw new NonFiniteError(fn, "loss", `be finite at step ${stepNumber}`, `${loss}; the model keeps its last finite parameters`);
    const g = model.backward(gradient);
    const norm = gradNorm(g);
    if (!Number.isFinite(norm)) throw new NonFiniteError(fn, "gradient", `be finite at step ${stepNumber}`, `norm ${norm}; the model keeps its last finite parameters`);
    if (clip !== null) clipGradNorm(g, clip);
    let scoreLoss = Number.NaN;
    let scoreGradient: Float64Array | null = null;
    if (score !== null) {
      const gaussian = sample as Partial<{ score: Batch; lambda: Float64Array }>;
      if (gaussian.score === undefined || gaussian.lambda === undefined) {
        throw new DomainError(fn, "options.path", "be a Gaussian path whose samples hold score and lambda (for example schrodingerBridgePath) to train options.score", "a sample without them");
      }
      const s = finiteLoss(fn, "score prediction", stepNumber, () => score.model.forward(sample.xt, sample.t, condition, undefined, extras));
      checkPrediction(fn, "options.score.model.forward(xt, t)", "score prediction", s, n, dim, stepNumber);
      const r = finiteLoss(fn, "score loss", stepNumber, () => scoreMatchingLoss(s, { score: gaussian.score as Batch, lambda: gaussian.lambda as Float64Array }));
      scoreLoss = r.loss;
      for (let i = 0; i < r.gradient.data.length; i++) r.gradient.data[i] = score.weight * (r.gradient.data[i] as number);
      scoreGradient = score.model.backward(r.gradient);
      const sn = gradNorm(scoreGradient);
      if (!Number.isFinite(sn) || !Number.isFinite(scoreLoss)) throw new NonFiniteError(fn, "score gradient", `be finite at step ${stepNumber}`, `loss ${scoreLoss}, norm ${sn}; the models keep their last finite parameters`);
      if (clip !== null) clipGradNorm(scoreGradient, clip);
    }
    const lr = o.learningRate ? o.learningRate(done) : optimizer.lr;
    lastFinite.set(model.parameters);
    optimizerStep(fn, optimizer, model.parameters, g, lr, lastFinite, stepNumber, "parameters");
    if (score !== null) {
      score.lastFinite.set(score.model.parameters);
      optimizerStep(fn, score.optimizer, score.model.parameters, scoreGradient as Float64Array, lr, score.lastFinite, stepNumber, "score parameters");
    }
    o.ema?.update(model.parameters);
    if (scoreHistory !== null) scoreHistory[done] = scoreLoss;
    lossHistory[done] = loss;
    normHistory[done] = norm;
    done = stepNumber;
    const keepGoing = o.onStep?.({ step: stepNumber, loss, ...(score !== null ? { scoreLoss } : {}), gradNorm: norm, lr, elapsedMs: performance.now() - start });
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
        ...(scoreHistory !== null ? { scoreLoss: scoreHistory.slice(0, done) } : {}),
        gradNorm: normHistory.slice(0, done),
        steps: done,
        stoppedBy,
        elapsedMs: performance.now() - start,
      };
    },
  };
}


/** The score model, its weight, optimizer and last finite parameters, or null without `options.score`. */
function scorePlan(fn: string, o: TrainOptions, model: TrainableModel, lr: number) {
  if (o.score === undefined) return null;
  const s = o.score;
  if (s === null || typeof s !== "object") throw new DomainError(fn, "options.score", "be { model, weight?, optimizer? }", describeValue(s));
  const m = s.model;
  if (!m || !(m.parameters instanceof Float64Array) || typeof m.forward !== "function" || typeof m.backward !== "function") {
    throw new DomainError(fn, "options.score.model", "be a trainable model (parameters, gradient, forward, backward)", describeValue(m));
  }
  if (m === model) throw new DomainError(fn, "options.score.model", "be a model other than options.model", "the same model");
  if (m.dim !== model.dim) throw new ShapeError(fn, "options.score.model", `have dim ${model.dim} like the model`, describeValue(m.dim));
  if ((m.classes ?? 0) !== (model.classes ?? 0) || (m.conditionDim ?? 0) !== (model.conditionDim ?? 0)) {
    throw new ShapeError(fn, "options.score.model", `take the model's condition (classes ${model.classes ?? 0}, conditionDim ${model.conditionDim ?? 0})`, `classes ${m.classes ?? 0}, conditionDim ${m.conditionDim ?? 0}`);
  }
  if (s.optimizer !== undefined) checkMethods(fn, "options.score.optimizer", s.optimizer, ["step"], "an Optimizer");
  if (s.optimizer !== undefined && s.optimizer === o.optimizer) throw new DomainError(fn, "options.score.optimizer", "be its own optimizer (an optimizer keeps state for one parameter vector)", "options.optimizer");
  return { model: m, weight: checkNonNegative(fn, "options.score.weight", s.weight ?? 1), optimizer: s.optimizer ?? adam({ lr }), lastFinite: new Float64Array(m.parameters.length) };
}

/** A model's output: an [n, dim] batch (a ShapeError naming the call otherwise) of finite numbers (NonFiniteError at the step). */
function checkPrediction(fn: string, call: string, what: string, prediction: Batch, n: number, dim: number, step: number): void {
  const p = asBatch(fn, call, prediction, { dim, rows: n, finite: false }).data;
  for (let i = 0; i < p.length; i++) {
    if (!Number.isFinite(p[i] as number)) {
      throw new NonFiniteError(fn, what, `be finite at step ${step}`, `${p[i]} at row ${Math.floor(i / dim)}; the model keeps its last finite parameters`);
    }
  }
}

/**
 * One optimizer step that leaves the parameters finite: a step that throws (an optimizer's
 * NonFiniteError for an update that overflows) or leaves a non-finite parameter restores `lastFinite`
 * and throws the loop's NonFiniteError.
 */
function optimizerStep(fn: string, optimizer: Optimizer, parameters: Float64Array, gradient: Float64Array, lr: number, lastFinite: Float64Array, step: number, what: string): void {
  try {
    optimizer.step(parameters, gradient, lr);
  } catch (error) {
    parameters.set(lastFinite);
    if (!(error instanceof NonFiniteError)) throw error;
    throw new NonFiniteError(fn, what, `stay finite at step ${step}`, `${error.message}; restored the last finite parameters`);
  }
  restoreIfNonFinite(fn, parameters, lastFinite, step, what);
}

function restoreIfNonFinite(fn: string, parameters: Float64Array, lastFinite: Float64Array, step: number, what: string): void {
  for (let i = 0; i < parameters.length; i++) {
    if (!Number.isFinite(parameters[i] as number)) {
      parameters.set(lastFinite);
      throw new NonFiniteError(fn, what, `stay finite at step ${step}`, `a non-finite value at index ${i}; restored the last finite parameters`);
    }
  }
}

import type { Batch } from "../core/batch.js";
import { checkFunction, checkInRange, checkInteger, checkMethods, checkNonNegative } from "../core/check.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Coupling, Distribution, ProbabilityPath } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import { affinePath } from "../paths/affine.js";
import { condOT } from "../schedulers/builtin.js";
import type { TrainableTwoTimeModel } from "./two-time.js";
import { checkTwoTimeField } from "./two-time.js";
import type { FitHistory, FitOptions } from "./fit.js";
import { checkDistribution, fit, planFit } from "./fit.js";
import type { TwoTimeBatch } from "./meanflow.js";
import { meanFlowLoss } from "./meanflow.js";
import { shortcutLoss } from "./shortcut.js";

/** What {@link trainMeanFlow} and {@link trainShortcut} share. @category Few-step generation */
export interface TwoTimeTrainOptions extends FitOptions {
  /** The model to fit, updated in place (for example a {@link TwoTimeMlp}). */
  model: TrainableTwoTimeModel;
  /** Source distribution p0. */
  source: Distribution;
  /** Target distribution p1. */
  target: Distribution;
  /** Conditional path giving x at the start time and its conditional velocity (default `affinePath(condOT())`). */
  path?: ProbabilityPath;
  /** Coupling of each source batch with each target batch (default: rows paired in order, independent). */
  coupling?: Coupling;
}

/** Options of {@link trainMeanFlow}. @category Few-step generation */
export interface MeanFlowTrainOptions extends TwoTimeTrainOptions {
  /** Fraction of rows with r < t; the others have r = t (flow matching). Default 0.5. */
  distinctFraction?: number;
  /** Draws n times in [0, 1] (default U[0, 1)); two draws per row, sorted, give (r, t). */
  sampleTimes?: (n: number, rng: Random) => Float64Array;
  /**
   * Adaptive loss weight power p (default 0: plain squared error); see {@link meanFlowLoss}. Geng et al.
   * 2025 use p = 1 on images; on low-dimensional data, where the conditional velocity is a noisy target,
   * p > 0 down-weights large residuals and pulls the fit toward the conditional mode (one-step samples
   * of N(0, 1) -> N(2, 0.5^2) came out with std 0.36 at p = 1 against 0.42 at p = 0 after the same training).
   */
  adaptivePower?: number;
}

/**
 * Trains a MeanFlow model (Geng et al. 2025): per step, x0 ~ p0, x1 ~ p1, coupled; two
 * times per row sorted into r <= t, with r = t on a fraction 1 - `distinctFraction` of the
 * rows; x and v from the path at r; then one step of the optimizer on {@link meanFlowLoss}.
 * Sample the result with {@link sampleFewStep}.
 *
 * @param options - see {@link MeanFlowTrainOptions}
 * @returns the loss history
 * @throws {@link DomainError} or {@link ShapeError} for invalid options (among them a source, target, path or coupling
 *   without its methods, sampleTimes, learningRate or onStep not a function, an optimizer factory whose result has no
 *   step, times from sampleTimes outside [0, 1]); {@link NonFiniteError} for non-finite times from sampleTimes, or a
 *   non-finite loss, gradient or parameter
 * @example
 * ```ts
 * const model = twoTimeMlp({ dim: 2, hidden: [16, 16], seed: 0 });
 * trainMeanFlow({ model, source: standardNormal(2), target: moons(), steps: 5, batchSize: 32, rng: new Random(0) }).steps // => 5
 * ```
 * @category Few-step generation
 */
export function trainMeanFlow(options: MeanFlowTrainOptions): FitHistory {
  const fn = "trainMeanFlow";
  const s = setup(fn, options);
  const fraction = checkInRange(fn, "options.distinctFraction", options.distinctFraction ?? 0.5, 0, 1);
  const power = checkNonNegative(fn, "options.adaptivePower", options.adaptivePower ?? 0);
  const draw = options.sampleTimes === undefined ? (n: number, rng: Random) => rng.fillUniform(new Float64Array(n))
    : checkFunction<NonNullable<MeanFlowTrainOptions["sampleTimes"]>>(fn, "options.sampleTimes", options.sampleTimes);
  return fit(fn, options.model, s.plan, () => {
    const { x0, x1 } = s.pairs();
    const n = x0.shape[0] as number;
    const a = draw(n, s.plan.rng), b = draw(n, s.plan.rng);
    checkDrawn(fn, a, n);
    checkDrawn(fn, b, n);
    const r = new Float64Array(n), t = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const ai = a[i] as number, bi = b[i] as number;
      if (s.plan.rng.uniform() < fraction) { r[i] = Math.min(ai, bi); t[i] = Math.max(ai, bi); } else { r[i] = ai; t[i] = ai; }
    }
    return meanFlowLoss(options.model, s.batch(x0, x1, r, t), { adaptivePower: power }).loss;
  });
}

/** Options of {@link trainShortcut}. @category Few-step generation */
export interface ShortcutTrainOptions extends TwoTimeTrainOptions {
  /** Fraction of rows trained for self-consistency (the rest: flow matching at step size 0). Default 0.25 (Frans et al. 2024). */
  consistencyFraction?: number;
  /** The finest grid M, a power of 2: step sizes 2^-j for 1/M < 2^-j <= 1 are trained, half-steps of 1/M are Euler steps (default 128). */
  finestGrid?: number;
}

/**
 * Trains a shortcut model (Frans et al. 2024): per step, x0 ~ p0, x1 ~ p1, coupled; a
 * fraction 1 - `consistencyFraction` of the rows gets r = t ~ U[0, 1) (flow matching), the
 * rest a step size 2h = 2^-j (j uniform in 0..log2(M) - 1) and a start r uniform on the grid
 * {0, 2h, ..., 1 - 2h}, t = r + 2h (self-consistency); then one optimizer step on
 * {@link shortcutLoss}. Sample the result with {@link sampleFewStep} (steps a power of 2 up to M).
 *
 * @param options - see {@link ShortcutTrainOptions}
 * @returns the loss history
 * @throws {@link DomainError} or {@link ShapeError} for invalid options (among them a source, target, path or coupling
 *   without its methods, learningRate or onStep not a function, an optimizer factory whose result has no step);
 *   {@link NonFiniteError} for a non-finite loss, gradient or parameter
 * @example
 * ```ts
 * const model = twoTimeMlp({ dim: 2, hidden: [16, 16], seed: 0 });
 * trainShortcut({ model, source: standardNormal(2), target: moons(), steps: 5, batchSize: 32, rng: new Random(0) }).steps // => 5
 * ```
 * @category Few-step generation
 */
export function trainShortcut(options: ShortcutTrainOptions): FitHistory {
  const fn = "trainShortcut";
  const s = setup(fn, options);
  const fraction = checkInRange(fn, "options.consistencyFraction", options.consistencyFraction ?? 0.25, 0, 1);
  const grid = checkInteger(fn, "options.finestGrid", options.finestGrid ?? 128, 2, 2 ** 20);
  const levels = Math.round(Math.log2(grid));
  if (2 ** levels !== grid) throw new DomainError(fn, "options.finestGrid", "be a power of 2", describeValue(grid));
  const rng = s.plan.rng;
  return fit(fn, options.model, s.plan, () => {
    const { x0, x1 } = s.pairs();
    const n = x0.shape[0] as number;
    const r = new Float64Array(n), t = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (rng.uniform() < fraction) {
        const cells = 2 ** rng.int(levels);
        r[i] = rng.int(cells) / cells;
        t[i] = Math.min(1, r[i] as number + 1 / cells);
      } else { r[i] = rng.uniform(); t[i] = r[i] as number; }
    }
    return shortcutLoss(options.model, s.batch(x0, x1, r, t), { minStep: 1 / grid }).loss;
  });
}

function setup(fn: string, o: TwoTimeTrainOptions) {
  const plan = planFit(fn, o);
  checkTwoTimeField(fn, "options.model", o.model, true);
  const dim = o.model.dim;
  checkDistribution(fn, "options.source", o.source, dim, "the model");
  checkDistribution(fn, "options.target", o.target, dim, "the model");
  const path = o.path ?? affinePath(condOT());
  checkMethods(fn, "options.path", path, ["sample"], "a probability path");
  if (o.coupling !== undefined) checkMethods(fn, "options.coupling", o.coupling, ["pair"], "a Coupling");
  const pairs = (): { x0: Batch; x1: Batch } => {
    const x0 = o.source.sample(plan.batchSize, plan.rng);
    const x1 = o.target.sample(plan.batchSize, plan.rng);
    return o.coupling ? o.coupling.pair(x0, x1, plan.rng) : { x0, x1 };
  };
  const batch = (x0: Batch, x1: Batch, r: Float64Array, t: Float64Array): TwoTimeBatch => {
    const at = path.sample(x0, x1, r, plan.rng);
    return { x: at.xt, r, t, v: at.dxt };
  };
  return { plan, pairs, batch };
}

/** Checks the times drawn by `options.sampleTimes`: n finite times in [0, 1]. */
function checkDrawn(fn: string, a: Float64Array, n: number): void {
  if (!(a instanceof Float64Array) || a.length !== n) throw new ShapeError(fn, "options.sampleTimes", `return a Float64Array of length ${n}`, describeValue(a));
  for (let i = 0; i < n; i++) {
    const v = a[i] as number;
    if (!Number.isFinite(v)) throw new NonFiniteError(fn, "options.sampleTimes", "return finite times", `${describeValue(v)} at index ${i}`);
    if (!(v >= 0 && v <= 1)) throw new DomainError(fn, "options.sampleTimes", "return times in [0, 1]", `${describeValue(v)} at index ${i}`);
  }
}

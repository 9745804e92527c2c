import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { ShapeError } from "../core/errors.js";
import type { PathSample, ProbabilityPath, Scheduler } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import { checkTime, timeAt } from "../core/time.js";
import { describeShape } from "../core/format.js";
import { convert, type Coefficients } from "./convert.js";
import { checkSchedulerKind } from "../core/check.js";
import { schedulerAt } from "../velocity/scheduler-like.js";

/**
 * The affine conditional path x_t = alpha_t x1 + sigma_t x0 of a scheduler, with the
 * conversions between the four parameterisations of a prediction at a point x = x_t:
 * velocity u, target x1, epsilon (the source sample x0) and score s (standard-normal source).
 *
 * Every conversion is row-wise `out = a(t) x + b(t) y`; per-row times apply along rows.
 * At a singular end (a coefficient that divides by sigma_t = 0, alpha_t = 0 or
 * alpha'_t sigma_t - sigma'_t alpha_t = 0, or an infinite derivative) the conversion throws a
 * {@link DomainError} naming the row and time; where the formula stays finite at an end it
 * returns the exact value there (for example `velocityToTarget` at t = 1 gives x1 = x).
 *
 * @category Paths
 */
export interface AffinePath extends ProbabilityPath {
  /** The scheduler (alpha_t, sigma_t). */
  readonly scheduler: Scheduler;
  /**
   * x_t = alpha_t x1 + sigma_t x0 and dx_t = alpha'_t x1 + sigma'_t x0, row by row. Where a derivative
   * is infinite (sigma'_1 = -Infinity for vp and linearVP) dx_t is the one-sided limit: -Infinity times
   * the sign of the x0 entry, and the x0 term is 0 where that entry is 0 (never NaN); x_1 = x1 exactly.
   */
  sample(x0: Batch, x1: Batch, t: Time): PathSample;
  /** u = (sigma'/sigma) x + ((alpha' sigma - sigma' alpha)/sigma) x1. Singular where sigma_t = 0. */
  targetToVelocity(x1: Batch, x: Batch, t: Time, out?: Batch): Batch;
  /** x1 = (sigma u - sigma' x)/(alpha' sigma - sigma' alpha). */
  velocityToTarget(u: Batch, x: Batch, t: Time, out?: Batch): Batch;
  /** u = (alpha'/alpha) x + ((sigma' alpha - alpha' sigma)/alpha) eps. Singular where alpha_t = 0. */
  epsilonToVelocity(eps: Batch, x: Batch, t: Time, out?: Batch): Batch;
  /** eps = (alpha u - alpha' x)/(sigma' alpha - alpha' sigma). */
  velocityToEpsilon(u: Batch, x: Batch, t: Time, out?: Batch): Batch;
  /** eps = (x - alpha x1)/sigma. Singular where sigma_t = 0. */
  targetToEpsilon(x1: Batch, x: Batch, t: Time, out?: Batch): Batch;
  /** x1 = (x - sigma eps)/alpha. Singular where alpha_t = 0. */
  epsilonToTarget(eps: Batch, x: Batch, t: Time, out?: Batch): Batch;
  /** u = (alpha'/alpha) x + sigma (alpha' sigma - sigma' alpha)/alpha s. Singular where alpha_t = 0. */
  scoreToVelocity(score: Batch, x: Batch, t: Time, out?: Batch): Batch;
  /** s = (alpha' x - alpha u)/(sigma (sigma' alpha - alpha' sigma)). Singular where sigma_t = 0. */
  velocityToScore(u: Batch, x: Batch, t: Time, out?: Batch): Batch;
}

/**
 * The affine probability path of a scheduler: x_t = alpha_t x1 + sigma_t x0 with
 * conditional velocity dx_t = alpha'_t x1 + sigma'_t x0, and the conversions of {@link AffinePath}.
 *
 * @param scheduler - any {@link Scheduler}, built-in or from {@link defineScheduler}
 * @returns the path
 * @throws {@link ShapeError} from `sample` and the conversions for mismatched batch shapes or a time array of the wrong length; {@link DomainError} for times outside [0, 1] or a conversion at a singular time
 * @example
 * ```ts
 * const path = affinePath(condOT());
 * const s = path.sample(fromRows([[0, 0]]), fromRows([[2, 4]]), 0.25);
 * s.xt.data // => Float64Array [0.5, 1]
 * path.velocityToTarget(s.dxt, s.xt, 0.25).data // => Float64Array [2, 4]
 * ```
 * @category Paths
 */
export function affinePath(scheduler: Scheduler): AffinePath {
  checkSchedulerKind("affinePath", "scheduler", scheduler);
  const name = `affinePath(${scheduler.name})`;
  const make = (method: string, coefficients: Coefficients) => (y: Batch, x: Batch, t: Time, out?: Batch) =>
    convert(`${name}.${method}`, scheduler, coefficients, y, x, t, out);
  return {
    scheduler,
    sample(x0: Batch, x1: Batch, t: Time): PathSample {
      const fn = `${name}.sample`;
      const { a, b, n, d } = checkPair(fn, x0, x1, t);
      const times = new Float64Array(n);
      const xt = new Float64Array(n * d);
      const dxt = new Float64Array(n * d);
      for (let i = 0; i < n; i++) {
        const ti = timeAt(t, i);
        times[i] = ti;
        const v = schedulerAt(fn, scheduler, ti);
        for (let j = i * d; j < (i + 1) * d; j++) {
          const p = a.data[j] as number;
          const q = b.data[j] as number;
          xt[j] = v.alpha * q + v.sigma * p;
          dxt[j] = term(v.dAlpha, q) + term(v.dSigma, p);
        }
      }
      return { t: times, x0: a, x1: b, xt: ndarray(xt, [n, d]), dxt: ndarray(dxt, [n, d]) };
    },
    targetToVelocity: make("targetToVelocity", (v) => [v.dSigma / v.sigma, (v.dAlpha * v.sigma - v.dSigma * v.alpha) / v.sigma, "sigma_t != 0"]),
    velocityToTarget: make("velocityToTarget", (v) => {
      const det = v.dAlpha * v.sigma - v.dSigma * v.alpha;
      return [-v.dSigma / det, v.sigma / det, "alpha'_t sigma_t - sigma'_t alpha_t != 0"];
    }),
    epsilonToVelocity: make("epsilonToVelocity", (v) => [v.dAlpha / v.alpha, (v.dSigma * v.alpha - v.dAlpha * v.sigma) / v.alpha, "alpha_t != 0"]),
    velocityToEpsilon: make("velocityToEpsilon", (v) => {
      const det = v.dSigma * v.alpha - v.dAlpha * v.sigma;
      return [-v.dAlpha / det, v.alpha / det, "sigma'_t alpha_t - alpha'_t sigma_t != 0"];
    }),
    targetToEpsilon: make("targetToEpsilon", (v) => [1 / v.sigma, -v.alpha / v.sigma, "sigma_t != 0"]),
    epsilonToTarget: make("epsilonToTarget", (v) => [1 / v.alpha, -v.sigma / v.alpha, "alpha_t != 0"]),
    scoreToVelocity: make("scoreToVelocity", (v) => [
      v.dAlpha / v.alpha,
      (v.sigma * (v.dAlpha * v.sigma - v.dSigma * v.alpha)) / v.alpha,
      "alpha_t != 0",
    ]),
    velocityToScore: make("velocityToScore", (v) => {
      const det = v.sigma * (v.dSigma * v.alpha - v.dAlpha * v.sigma);
      return [v.dAlpha / det, -v.alpha / det, "sigma_t != 0 and sigma'_t alpha_t - alpha'_t sigma_t != 0"];
    }),
  };
}

/**
 * c z, except that a zero entry times an infinite derivative (sigma'_1 = -Infinity of vp and linearVP)
 * is the limit 0, not NaN: the term is 0 for every t < 1. For finite c it is c z exactly.
 */
function term(c: number, z: number): number {
  return z === 0 && !Number.isFinite(c) ? 0 : c * z;
}

/**
 * Validates the arguments of a path's `sample(x0, x1, t)` (@internal): two batches of one shape
 * [n, d] and n times (or one).
 */
export function checkPair(fn: string, x0: Batch, x1: Batch, t: Time): { a: Batch; b: Batch; n: number; d: number } {
  const a = asBatch(fn, "x0", x0);
  const [n, d] = a.shape as [number, number];
  const b = asBatch(fn, "x1", x1);
  if (b.shape[0] !== n || b.shape[1] !== d) throw new ShapeError(fn, "x1", `have shape [${n}, ${d}] like x0`, describeShape(b.shape));
  checkTime(fn, "t", t, n);
  return { a, b, n, d };
}

import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { checkFiniteResult } from "../core/check.js";
import { DomainError } from "../core/errors.js";
import type { PathSample, ProbabilityPath, Scheduler } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import { checkTime, timeAt } from "../core/time.js";
import ndarray from "ndarray";
import { Manifold } from "./manifold.js";
import { callerError } from "./row-guard.js";
import { schedulerAt } from "../velocity/scheduler-like.js";

/**
 * The geodesic conditional path of Riemannian flow matching (Chen and Lipman, 2024):
 * x_t = exp_{x0}(kappa_t log_{x0}(x1)), with velocity
 * dx_t = kappa'_t gamma'(kappa_t), where gamma(s) = exp_{x0}(s log_{x0}(x1)) and gamma'(s)
 * is the parallel transport of log_{x0}(x1) to gamma(s); dx_t lies in the tangent space at x_t.
 *
 * kappa_t is the scheduler's alpha_t, so the scheduler must be convex
 * (alpha_t + sigma_t = 1, like condOT). This closed form stays finite at kappa_t = 1, where the
 * common alternative kappa'_t / (1 - kappa_t) log_{x_t}(x1) divides by zero. The endpoints are
 * exact: x_t is a copy of x0 where kappa_t = 0 and of x1 where kappa_t = 1.
 * x0 and x1 should lie on the manifold; where they do not (rounding, or a generic test
 * harness), the interior of the path is that of their projections, with dx_t still the exact
 * t-derivative of x_t.
 *
 * @param scheduler - a convex scheduler; kappa_t = alpha_t
 * @param manifold - the manifold holding x0 and x1
 * @returns a {@link GeodesicPath}
 * @throws {@link DomainError} when `manifold` is not a {@link Manifold}
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * const path = geodesicPath(condOT, sphere(3));
 * path.sample(fromRows([[1, 0, 0]]), fromRows([[0, 1, 0]]), 0.5).xt.data
 * // => ~[0.7071067811865476, 0.7071067811865475, 0]
 * ```
 * @category Manifolds
 */
export function geodesicPath(scheduler: Scheduler, manifold: Manifold): GeodesicPath {
  return new GeodesicPath(scheduler, manifold);
}

/**
 * A geodesic probability path on a manifold; build it with {@link geodesicPath}.
 *
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * new GeodesicPath(condOT, torus(2)).manifold.dim // => 2
 * ```
 * @category Manifolds
 */
export class GeodesicPath implements ProbabilityPath {
  /** The scheduler giving kappa_t = alpha_t. */
  readonly scheduler: Scheduler;
  /** The manifold of the path. */
  readonly manifold: Manifold;

  /**
   * @param scheduler - a convex scheduler; kappa_t = alpha_t
   * @param manifold - the manifold holding x0 and x1
   */
  constructor(scheduler: Scheduler, manifold: Manifold) {
    if (!(manifold instanceof Manifold)) throw new DomainError("geodesicPath", "manifold", "be a Manifold", typeof manifold);
    if (scheduler === null || typeof scheduler !== "object" || typeof scheduler.at !== "function") {
      throw new DomainError("geodesicPath", "scheduler", "be a Scheduler with at(t)", typeof scheduler);
    }
    this.scheduler = scheduler;
    this.manifold = manifold;
  }

  /**
   * Points x_t on the geodesics from x0 to x1 and their velocities dx_t, row by row.
   *
   * @param x0 - source points on the manifold, shape [n, dim]
   * @param x1 - data points on the manifold, shape [n, dim]
   * @param t - one time in [0, 1] or one per row
   * @returns the path sample; `dxt` is tangent at `xt`
   * @throws {@link ShapeError} for mismatched shapes; {@link DomainError} for t outside [0, 1], a non-convex scheduler
   *   or points off the manifold's domain (a zero row of a sphere); {@link NonFiniteError} for non-finite entries or
   *   an overflow (all named GeodesicPath.sample)
   */
  sample(x0: Batch, x1: Batch, t: Time): PathSample {
    const fn = "GeodesicPath.sample";
    const m = this.manifold;
    const d = m.dim;
    const a = asBatch(fn, "x0", x0, { dim: d });
    const n = a.shape[0] as number;
    const b = asBatch(fn, "x1", x1, { dim: d, rows: n });
    checkTime(fn, "t", t, n);
    const times = new Float64Array(n);
    const xt = new Float64Array(n * d);
    const dxt = new Float64Array(n * d);
    const v = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const ti = timeAt(t, i);
      times[i] = ti;
      const { kappa, dKappa } = kappaAt(this.scheduler, ti, fn);
      const o = i * d;
      // the manifold's errors (a zero row of a sphere, an overflow) are reported as this method's
      try {
        m.logRow(a.data, o, b.data, o, v, 0);
      } catch (error) {
        throw callerError(error, fn, { x: "x0", y: "x1", u: "x1" }, `log_x0(x1) at row ${i}`);
      }
      try {
        m.geodesicRow(a.data, o, v, 0, kappa, xt, o, dxt, o);
      } catch (error) {
        throw callerError(error, fn, { x: "x0" }, `xt at row ${i}`);
      }
      for (let j = 0; j < d; j++) dxt[o + j] = dKappa * (dxt[o + j] as number);
      // Exact endpoints: copy the data instead of trusting exp(0) = x0 and exp(log) = x1 to the last bit.
      if (kappa === 0) xt.set(a.data.subarray(o, o + d), o);
      else if (kappa === 1) xt.set(b.data.subarray(o, o + d), o);
    }
    checkFiniteResult(fn, "dxt", dxt);
    return { t: times, x0: a, x1: b, xt: ndarray(xt, [n, d]), dxt: ndarray(dxt, [n, d]) };
  }
}

/** kappa_t = alpha_t and its derivative, after checking that the scheduler is convex at t. */
function kappaAt(scheduler: Scheduler, t: number, fn: string): { kappa: number; dKappa: number } {
  const s = schedulerAt(fn, scheduler, t);
  if (!(Math.abs(s.alpha + s.sigma - 1) <= 1e-9) || !Number.isFinite(s.dAlpha)) {
    throw new DomainError(fn, "scheduler", "be convex (alpha_t + sigma_t = 1, finite alpha'_t)", `alpha + sigma = ${s.alpha + s.sigma} at t = ${t}`);
  }
  return { kappa: s.alpha, dKappa: s.dAlpha };
}

import fc from "fast-check";
import type { Scheduler } from "../core/interfaces.js";
import { PropertyCheckError } from "./property-check-error.js";
import { runProperty, show, type RunOptions } from "./run-property.js";
import { checkRunOptions, margin as marginOption, schedulerArgument, tolerance as toleranceOption, valuesOf } from "./validate.js";
import { checkOptions, checkNonNegative } from "../core/check.js";

/** Tolerances of {@link checkBoundaries}, one per end condition. @category Testing */
export interface BoundaryTolerance {
  /** |alpha_0 - 0| allowed (default 1e-12; VP needs about 0.0066). */
  alpha0?: number;
  /** |sigma_0 - 1| allowed (default 1e-12). */
  sigma0?: number;
  /** |alpha_1 - 1| allowed (default 1e-12). */
  alpha1?: number;
  /** |sigma_1 - 0| allowed (default 1e-12; Lipman's path has sigma_min). */
  sigma1?: number;
}

/**
 * Checks the boundary conditions of a scheduler, p_0(x | x1) = p0 (alpha_0 = 0, sigma_0 = 1)
 * and p_1(x | x1) = delta at x1 (alpha_1 = 1, sigma_1 = 0), each within its declared tolerance.
 *
 * @param scheduler - the scheduler to check
 * @param tolerance - one tolerance for all four conditions, or one per condition (default 1e-12)
 * @throws {@link PropertyCheckError} naming the violated condition, for example `boundary alpha_0 = 0`
 * @example
 * ```ts
 * checkBoundaries(vp(), { alpha0: 0.0066 }) // => undefined (passes)
 * ```
 * @category Testing
 */
export function checkBoundaries(scheduler: Scheduler, tolerance: number | BoundaryTolerance = 1e-12): void {
  const fn = "checkBoundaries";
  schedulerArgument(fn, scheduler);
  let tol: BoundaryTolerance;
  if (typeof tolerance === "number") {
    checkNonNegative(fn, "tolerance", tolerance);
    tol = { alpha0: tolerance, sigma0: tolerance, alpha1: tolerance, sigma1: tolerance };
  } else {
    tol = checkOptions<BoundaryTolerance>(fn, "tolerance", tolerance);
    for (const key of ["alpha0", "sigma0", "alpha1", "sigma1"] as const) if (tol[key] !== undefined) checkNonNegative(fn, `tolerance.${key}`, tol[key]);
  }
  const subject = `scheduler "${String(scheduler.name)}"`;
  const v0 = valuesOf(scheduler, subject, 0);
  const v1 = valuesOf(scheduler, subject, 1);
  const cases: [string, number, number, number | undefined][] = [
    ["alpha_0 = 0", v0.alpha, 0, tol.alpha0],
    ["sigma_0 = 1", v0.sigma, 1, tol.sigma0],
    ["alpha_1 = 1", v1.alpha, 1, tol.alpha1],
    ["sigma_1 = 0", v1.sigma, 0, tol.sigma1],
  ];
  for (const [condition, got, want, allowed] of cases) {
    const limit = allowed ?? 1e-12;
    if (!(Math.abs(got - want) <= limit)) {
      const [symbol] = condition.split(" ");
      throw new PropertyCheckError(`boundary ${condition}`, subject, `${symbol} is ${show(got)}, off by ${show(Math.abs(got - want))} > tolerance ${limit}`, got);
    }
  }
}

/** Options of {@link checkDerivatives}. @category Testing */
export interface DerivativeOptions extends RunOptions {
  /** Relative tolerance of |derivative - central difference| / max(1, |derivative|) (default 1e-6). */
  tolerance?: number;
  /** Times are drawn from [margin, 1 - margin] (default 0.01), away from infinite end derivatives. */
  margin?: number;
}

/**
 * Checks that dAlpha and dSigma agree with central finite differences
 * (f(t + h) - f(t - h)) / 2h, h = 1e-5, at random times.
 *
 * @throws {@link PropertyCheckError} naming `derivative dAlpha = d alpha_t / dt` or `derivative dSigma = d sigma_t / dt`
 * @example
 * ```ts
 * checkDerivatives(cosine()) // => undefined (passes)
 * ```
 * @category Testing
 */
export function checkDerivatives(scheduler: Scheduler, options: DerivativeOptions = {}): void {
  const fn = "checkDerivatives";
  schedulerArgument(fn, scheduler);
  options = checkRunOptions(fn, options);
  const tolerance = toleranceOption(fn, "options.tolerance", options.tolerance, 1e-6);
  const margin = marginOption(fn, "options.margin", options.margin, 0.01, 0.49);
  const subject = `scheduler "${String(scheduler.name)}"`;
  const h = 1e-5;
  for (const [key, dKey] of [["alpha", "dAlpha"], ["sigma", "dSigma"]] as const) {
    runProperty(
      `derivative ${dKey} = d ${key}_t / dt`,
      subject,
      fc.double({ min: margin, max: 1 - margin, noNaN: true }),
      (t) => {
        const lo = Math.max(0, t - h);
        const hi = Math.min(1, t + h);
        const difference = (valuesOf(scheduler, subject, hi)[key] - valuesOf(scheduler, subject, lo)[key]) / (hi - lo);
        const d = valuesOf(scheduler, subject, t)[dKey];
        if (Math.abs(d - difference) <= tolerance * Math.max(1, Math.abs(d))) return undefined;
        return `at t = ${show(t)}, ${dKey} = ${show(d)} but the central difference is ${show(difference)}`;
      },
      options,
    );
  }
}

/** Options of {@link checkMonotoneSnr}. @category Testing */
export interface SnrOptions extends RunOptions {
  /** Whether the scheduler claims an increasing SNR (default: it has `snrInverse`). */
  claimsMonotoneSnr?: boolean;
  /** Absolute tolerance of |snrInverse(snr(t)) - t| and |kappaInverse(alpha_t) - t| (default 1e-9). */
  tolerance?: number;
}

/**
 * Checks a scheduler's SNR claims: snr_t = alpha_t / sigma_t is increasing in t when the
 * scheduler claims it, snrInverse(snr_t) = t, and for a convex scheduler (one with
 * kappaInverse) alpha_t + sigma_t = 1 and kappaInverse(alpha_t) = t.
 *
 * @throws {@link PropertyCheckError} naming `monotone SNR`, `snrInverse(snr_t) = t`, `convex alpha_t + sigma_t = 1` or `kappaInverse(alpha_t) = t`
 * @example
 * ```ts
 * checkMonotoneSnr(condOT()) // => undefined (passes)
 * ```
 * @category Testing
 */
export function checkMonotoneSnr(scheduler: Scheduler, options: SnrOptions = {}): void {
  const fn = "checkMonotoneSnr";
  schedulerArgument(fn, scheduler);
  options = checkRunOptions(fn, options);
  const subject = `scheduler "${String(scheduler.name)}"`;
  const tolerance = toleranceOption(fn, "options.tolerance", options.tolerance, 1e-9);
  const snr = (t: number) => {
    const v = valuesOf(scheduler, subject, t);
    return v.sigma === 0 ? (v.alpha === 0 ? 0 : Infinity) : v.alpha / v.sigma;
  };
  const time = fc.double({ min: 0, max: 1, noNaN: true });
  if (options.claimsMonotoneSnr ?? scheduler.snrInverse !== undefined) {
    // A dense grid first (random pairs alone rarely land both ends in a short decreasing stretch).
    const grid = 2000;
    let previous = snr(0);
    for (let k = 1; k <= grid; k++) {
      const current = snr(k / grid);
      if (!(current > previous)) {
        throw new PropertyCheckError("monotone SNR", subject, `snr(${show((k - 1) / grid)}) = ${show(previous)} is not below snr(${show(k / grid)}) = ${show(current)}`, k / grid);
      }
      previous = current;
    }
    runProperty("monotone SNR", subject, fc.tuple(time, time), ([a, b]) => {
      const [t1, t2] = a <= b ? [a, b] : [b, a];
      if (t2 - t1 < 1e-6 || snr(t1) < snr(t2)) return undefined;
      return `snr(${show(t1)}) = ${show(snr(t1))} is not below snr(${show(t2)}) = ${show(snr(t2))}`;
    }, options);
  }
  const snrInverse = scheduler.snrInverse?.bind(scheduler);
  if (snrInverse !== undefined) {
    runProperty("snrInverse(snr_t) = t", subject, time, (t) => {
      const back = snrInverse(snr(t));
      return Math.abs(back - t) <= tolerance ? undefined : `snrInverse(snr(${show(t)})) = ${show(back)}`;
    }, options);
  }
  const kappaInverse = scheduler.kappaInverse?.bind(scheduler);
  if (kappaInverse !== undefined) {
    runProperty("convex alpha_t + sigma_t = 1", subject, time, (t) => {
      const v = valuesOf(scheduler, subject, t);
      return Math.abs(v.alpha + v.sigma - 1) <= tolerance ? undefined : `at t = ${show(t)}, alpha_t + sigma_t = ${show(v.alpha + v.sigma)}`;
    }, options);
    runProperty("kappaInverse(alpha_t) = t", subject, time, (t) => {
      const back = kappaInverse(valuesOf(scheduler, subject, t).alpha);
      return Math.abs(back - t) <= tolerance ? undefined : `kappaInverse(alpha_${show(t)}) = ${show(back)}`;
    }, options);
  }
}

/** Options of {@link checkScheduler}. @category Testing */
export interface SchedulerCheckOptions extends RunOptions {
  /** Boundary tolerances, see {@link checkBoundaries}. */
  boundary?: number | BoundaryTolerance;
  /** Options of the derivative check. */
  derivatives?: DerivativeOptions;
  /** Options of the SNR check. */
  snr?: SnrOptions;
}

/**
 * Runs every scheduler check: {@link checkBoundaries}, {@link checkDerivatives} and {@link checkMonotoneSnr}.
 *
 * @throws {@link PropertyCheckError} for the first violated condition
 * @example
 * ```ts
 * checkScheduler(polynomial(2)) // => undefined (passes)
 * ```
 * @category Testing
 */
export function checkScheduler(scheduler: Scheduler, options: SchedulerCheckOptions = {}): void {
  schedulerArgument("checkScheduler", scheduler);
  options = checkRunOptions("checkScheduler", options);
  const run: RunOptions = {};
  if (options.seed !== undefined) run.seed = options.seed;
  if (options.numRuns !== undefined) run.numRuns = options.numRuns;
  checkBoundaries(scheduler, options.boundary);
  checkDerivatives(scheduler, { ...run, ...checkOptions("checkScheduler", "options.derivatives", options.derivatives) });
  checkMonotoneSnr(scheduler, { ...run, ...checkOptions("checkScheduler", "options.snr", options.snr) });
}

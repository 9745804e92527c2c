import fc from "fast-check";
import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import type { ProbabilityPath, Scheduler } from "../core/interfaces.js";
import { condOT, cosine, linearVP, polynomial, vp } from "../schedulers/builtin.js";
import { affinePath } from "../paths/affine.js";
import { independentCfmPath, lipmanPath, schrodingerBridgePath, trigonometricPath } from "../paths/cfm.js";
import type { BoundaryTolerance } from "./scheduler-checks.js";
import { checkCount, checkFinite, checkOptions, checkPositive } from "../core/check.js";
import { DomainError } from "../core/errors.js";

/** Options of {@link timeArb}. @category Testing */
export interface TimeArbOptions {
  /** Smallest time (default 0). */
  min?: number;
  /** Largest time (default 1). */
  max?: number;
}

/**
 * Times in [min, max] (default [0, 1]), never NaN or -0.
 *
 * @example
 * ```ts
 * fc.sample(timeArb(), 3) // => three numbers in [0, 1]
 * ```
 * @category Testing
 */
export function timeArb(options: TimeArbOptions = {}): fc.Arbitrary<number> {
  const o = checkOptions("timeArb", "options", options);
  const min = o.min === undefined ? 0 : checkFinite("timeArb", "options.min", o.min);
  const max = o.max === undefined ? 1 : checkFinite("timeArb", "options.max", o.max);
  if (!(min <= max)) throw new DomainError("timeArb", "options.max", `be >= options.min = ${min}`, String(max));
  return fc.double({ min, max, noNaN: true }).map((t) => (t === 0 ? 0 : t));
}

/** Options of {@link batchArb}. @category Testing */
export interface BatchArbOptions {
  /** Exact number of rows; overrides minRows/maxRows. */
  rows?: number;
  /** Fewest rows (default 1). */
  minRows?: number;
  /** Most rows (default 8). */
  maxRows?: number;
  /** Entries lie in [-bound, bound] (default 4). */
  bound?: number;
}

/**
 * Batches of shape [n, dim] with finite entries in [-bound, bound].
 *
 * @example
 * ```ts
 * fc.sample(batchArb(2, { rows: 3 }), 1)[0].shape // => [3, 2]
 * ```
 * @category Testing
 */
export function batchArb(dim: number, options: BatchArbOptions = {}): fc.Arbitrary<Batch> {
  const fn = "batchArb";
  checkCount(fn, "dim", dim, 1, 1024);
  options = checkOptions(fn, "options", options);
  const bound = options.bound === undefined ? 4 : checkPositive(fn, "options.bound", options.bound);
  const rows = (key: "rows" | "minRows" | "maxRows") => (options[key] === undefined ? undefined : checkCount(fn, `options.${key}`, options[key], 0, 10_000));
  const minRows = rows("rows") ?? rows("minRows") ?? 1;
  const maxRows = rows("rows") ?? rows("maxRows") ?? 8;
  if (!(minRows <= maxRows)) throw new DomainError(fn, "options.maxRows", `be >= options.minRows = ${minRows}`, String(maxRows));
  if (!(minRows * dim <= 1e6 && maxRows * dim <= 1e6)) throw new DomainError(fn, "options.maxRows", "keep rows * dim <= 1e6", String(maxRows * dim));
  return fc.integer({ min: minRows, max: maxRows }).chain((n) =>
    fc.array(fc.double({ min: -bound, max: bound, noNaN: true, noDefaultInfinity: true }), { minLength: n * dim, maxLength: n * dim })
      .map((values) => ndarray(Float64Array.from(values, (v) => (v === 0 ? 0 : v)), [n, dim])),
  );
}

/** A scheduler drawn by {@link schedulerArb}, with the boundary tolerances it declares. @category Testing */
export interface SchedulerCase {
  /** The scheduler. */
  scheduler: Scheduler;
  /** Its declared boundary tolerances (VP's alpha_0 is not 0 by design). */
  boundary: BoundaryTolerance;
}

/**
 * The built-in schedulers with random parameters: condOT, polynomial(n) for n in [0.5, 4],
 * vp with betaMin in [0.05, 1] and betaMax in [10, 30], linearVP and cosine.
 *
 * @example
 * ```ts
 * fc.sample(schedulerArb(), 1)[0].scheduler.at(1).alpha // => 1
 * ```
 * @category Testing
 */
export function schedulerArb(): fc.Arbitrary<SchedulerCase> {
  const exact: BoundaryTolerance = {};
  return fc.oneof(
    fc.constant({ scheduler: condOT(), boundary: exact }),
    fc.double({ min: 0.5, max: 4, noNaN: true }).map((n) => ({ scheduler: polynomial(n), boundary: exact })),
    fc.record({ betaMin: fc.double({ min: 0.05, max: 1, noNaN: true }), betaMax: fc.double({ min: 10, max: 30, noNaN: true }) }).map((o) => {
      const scheduler = vp(o);
      const v0 = scheduler.at(0);
      // VP never reaches alpha_0 = 0: declare the exact gap, alpha_0 = exp(-T(0)/2).
      return { scheduler, boundary: { alpha0: v0.alpha * (1 + 1e-9), sigma0: (1 - v0.sigma) * (1 + 1e-9) + 1e-16 } };
    }),
    fc.constant({ scheduler: linearVP(), boundary: exact }),
    fc.constant({ scheduler: cosine(), boundary: exact }),
  );
}

/** A path drawn by {@link pathArb}, with the boundary tolerances it declares. @category Testing */
export interface PathCase {
  /** The path. */
  path: ProbabilityPath;
  /** max |x_0 - x0| it declares. */
  tolerance0: number;
  /** max |x_1 - x1| it declares. */
  tolerance1: number;
}

/**
 * The built-in paths with random parameters: affine paths of {@link schedulerArb}'s schedulers
 * (except VP, whose x_0 is not x0), Lipman's path with sigma_min in [0, 0.1], I-CFM and the
 * trigonometric interpolant with sigma in [0, 0.2], and the Schrödinger bridge with sigma in [0.1, 2].
 * Noisy paths declare a boundary tolerance of 10 sigma (the noise is standard normal, 64 x dim draws).
 *
 * @example
 * ```ts
 * fc.sample(pathArb(), 1)[0].tolerance1 // => a number >= 1e-12
 * ```
 * @category Testing
 */
export function pathArb(): fc.Arbitrary<PathCase> {
  const tiny = 1e-12;
  const noise = fc.double({ min: 0, max: 0.2, noNaN: true });
  return fc.oneof(
    schedulerArb().filter((c) => c.boundary.alpha0 === undefined).map((c) => ({ path: affinePath(c.scheduler), tolerance0: tiny, tolerance1: tiny })),
    fc.double({ min: 0, max: 0.1, noNaN: true }).map((sigmaMin) => ({ path: lipmanPath({ sigmaMin }), tolerance0: tiny, tolerance1: 10 * sigmaMin + tiny })),
    noise.map((sigma) => ({ path: independentCfmPath({ sigma }), tolerance0: 10 * sigma + tiny, tolerance1: 10 * sigma + tiny })),
    noise.map((sigma) => ({ path: trigonometricPath({ sigma }), tolerance0: 10 * sigma + tiny, tolerance1: 10 * sigma + tiny })),
    fc.double({ min: 0.1, max: 2, noNaN: true }).map((sigma) => ({ path: schrodingerBridgePath({ sigma }), tolerance0: tiny, tolerance1: tiny })),
  );
}

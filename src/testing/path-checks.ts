import fc from "fast-check";
import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import type { ProbabilityPath } from "../core/interfaces.js";
import type { AffinePath } from "../paths/affine.js";
import { Random } from "../random/random.js";
import { PropertyCheckError } from "./property-check-error.js";
import { runProperty, show, type RunOptions } from "./run-property.js";
import { batchArb } from "./arbitraries.js";
import { checkRunOptions, count, margin as marginOption, pathArgument, positive, sampleOf, tolerance as toleranceOption } from "./validate.js";
import { checkInteger, checkOptions } from "../core/check.js";
import { DomainError } from "../core/errors.js";

/** Options of {@link checkPathBoundaries}. @category Testing */
export interface PathBoundaryOptions {
  /** Dimension of the test batches (default 2). */
  dim?: number;
  /** max |x_0 - x0| allowed (default 1e-12; a noisy path needs a few sigma). */
  tolerance0?: number;
  /** max |x_1 - x1| allowed (default 1e-12; Lipman's path needs a few sigma_min). */
  tolerance1?: number;
  /** Seed of the test batches and of the path's noise (default 42). */
  seed?: number;
}

/**
 * Checks the boundary conditions of a path on samples: x_t at t = 0 is the source sample x0
 * (p_0(x | x1) = p0) and x_t at t = 1 is the data sample x1 (p_1(x | x1) = delta at x1), within tolerances.
 *
 * @throws {@link PropertyCheckError} naming `boundary x_0 = x0` or `boundary x_1 = x1`
 * @example
 * ```ts
 * checkPathBoundaries(affinePath(condOT())) // => undefined (passes)
 * ```
 * @category Testing
 */
export function checkPathBoundaries(path: ProbabilityPath, options: PathBoundaryOptions = {}): void {
  const fn = "checkPathBoundaries";
  pathArgument(fn, path);
  options = checkOptions(fn, "options", options);
  const dim = count(fn, "options.dim", options.dim, 2, 1, MAX_DIM);
  const seed = options.seed === undefined ? 42 : checkInteger(fn, "options.seed", options.seed, 0, 2 ** 31 - 2);
  const tolerance0 = toleranceOption(fn, "options.tolerance0", options.tolerance0, 1e-12);
  const tolerance1 = toleranceOption(fn, "options.tolerance1", options.tolerance1, 1e-12);
  const rng = new Random(seed);
  const x0 = rng.normalBatch(64, dim);
  const x1 = rng.normalBatch(64, dim);
  for (const [t, end, tolerance] of [[0, x0, tolerance0], [1, x1, tolerance1]] as const) {
    const { xt } = sampleOf(path, describe(path), x0, x1, t, new Random(seed + 1));
    let worst = 0;
    let at = 0;
    for (let k = 0; k < xt.data.length; k++) {
      const e = Math.abs((xt.data[k] as number) - (end.data[k] as number));
      if (!(e <= worst)) [worst, at] = [e, k];
    }
    if (!(worst <= tolerance)) {
      const name = t === 0 ? "x0" : "x1";
      throw new PropertyCheckError(`boundary x_${t} = ${name}`, describe(path), `at row ${Math.floor(at / dim)}, |x_${t} - ${name}| = ${show(worst)} > tolerance ${tolerance}`, t);
    }
  }
}

/** Options of {@link checkConversions}. @category Testing */
export interface ConversionOptions extends RunOptions {
  /** Dimension of the test batches (default 3). */
  dim?: number;
  /** Times are drawn from [margin, 1 - margin] (default 0.02), away from the singular ends. */
  margin?: number;
  /** Relative tolerance, scaled by the largest |entry| of the inputs (default 1e-9). */
  tolerance?: number;
}

/**
 * Checks an affine path's conversions: the round trips target -> velocity -> target,
 * velocity -> target -> velocity, epsilon <-> velocity, target <-> epsilon and score <-> velocity
 * return their input, and targetToVelocity(x1, x_t) and epsilonToVelocity(x0, x_t) reproduce the sampled dx_t.
 *
 * @throws {@link PropertyCheckError} naming the failing round trip, for example `round trip velocity -> target -> velocity`
 * @example
 * ```ts
 * checkConversions(affinePath(cosine())) // => undefined (passes)
 * ```
 * @category Testing
 */
export function checkConversions(path: AffinePath, options: ConversionOptions = {}): void {
  const fn = "checkConversions";
  pathArgument(fn, path, CONVERSIONS);
  options = checkRunOptions(fn, options);
  const dim = count(fn, "options.dim", options.dim, 3, 1, MAX_DIM);
  const margin = marginOption(fn, "options.margin", options.margin, 0.02, 0.49);
  const tolerance = toleranceOption(fn, "options.tolerance", options.tolerance, 1e-9);
  const arb = fc.record({ t: fc.double({ min: margin, max: 1 - margin, noNaN: true }), x: batchArb(dim, { rows: 4 }), y: batchArb(dim, { rows: 4 }) });
  type Convert = (y: Batch, x: Batch, t: number) => Batch;
  const pairs: [string, Convert, Convert][] = [
    ["target -> velocity -> target", path.targetToVelocity, path.velocityToTarget],
    ["velocity -> target -> velocity", path.velocityToTarget, path.targetToVelocity],
    ["epsilon -> velocity -> epsilon", path.epsilonToVelocity, path.velocityToEpsilon],
    ["velocity -> epsilon -> velocity", path.velocityToEpsilon, path.epsilonToVelocity],
    ["target -> epsilon -> target", path.targetToEpsilon, path.epsilonToTarget],
    ["epsilon -> target -> epsilon", path.epsilonToTarget, path.targetToEpsilon],
    ["score -> velocity -> score", path.scoreToVelocity, path.velocityToScore],
    ["velocity -> score -> velocity", path.velocityToScore, path.scoreToVelocity],
  ];
  for (const [name, forward, backward] of pairs) {
    runProperty(`round trip ${name}`, describe(path), arb, ({ t, x, y }) => {
      const back = backward.call(path, forward.call(path, y, x, t), x, t);
      return compare(y, back, Math.max(1, maxAbs(x), maxAbs(y)) * tolerance, `at t = ${show(t)}`);
    }, options);
  }
  runProperty("conversions reproduce the sampled velocity dx_t", describe(path), arb, ({ t, x, y }) => {
    const s = sampleOf(path, describe(path), x, y, t);
    const scale = Math.max(1, maxAbs(s.dxt), maxAbs(x), maxAbs(y)) * tolerance;
    return compare(s.dxt, path.targetToVelocity(y, s.xt, t), scale, `targetToVelocity at t = ${show(t)}`) ??
      compare(s.dxt, path.epsilonToVelocity(x, s.xt, t), scale, `epsilonToVelocity at t = ${show(t)}`);
  }, options);
}

/** Options of {@link checkGeneratesPath}. @category Testing */
export interface GeneratesPathOptions extends RunOptions {
  /** Dimension (default 2). */
  dim?: number;
  /** Number of samples per moment estimate (default 256). */
  samples?: number;
  /** The larger step h (default 1e-3); the check also uses h / 2. */
  h?: number;
  /** Times are drawn from [margin, 1 - margin - h] (default 0.05). */
  margin?: number;
}

/**
 * Checks that the conditional velocity generates the path: moving samples of x_t along dx_t for
 * a step h reproduces the path's law at t + h to O(h^2). With common random numbers (the same x0,
 * x1 and noise seed at t and t + h), the mean and covariance of x_t + h dx_t and of x_{t+h} must differ
 * by an error that shrinks at least like h^2 (error(h/2) <= 0.35 error(h)), or be at rounding level.
 *
 * @throws {@link PropertyCheckError} naming `velocity generates the path`
 * @example
 * ```ts
 * checkGeneratesPath(schrodingerBridgePath({ sigma: 0.5 }), { numRuns: 10 }) // => undefined (passes)
 * ```
 * @category Testing
 */
export function checkGeneratesPath(path: ProbabilityPath, options: GeneratesPathOptions = {}): void {
  const fn = "checkGeneratesPath";
  pathArgument(fn, path);
  options = checkRunOptions(fn, options);
  const dim = count(fn, "options.dim", options.dim, 2, 1, MAX_DIM);
  const n = count(fn, "options.samples", options.samples, 256, 2, 100_000);
  const h = positive(fn, "options.h", options.h, 1e-3);
  const margin = marginOption(fn, "options.margin", options.margin, 0.05, 0.49);
  if (!(margin + h < 1 - margin)) throw new DomainError(fn, "options.h", `be below 1 - 2 margin = ${1 - 2 * margin}`, String(h));
  const arb = fc.record({ t: fc.double({ min: margin, max: 1 - margin - h, noNaN: true }), seed: fc.integer({ min: 0, max: 2 ** 30 }) });
  runProperty("velocity generates the path", describe(path), arb, ({ t, seed }) => {
    const rng = new Random(seed);
    const x0 = rng.normalBatch(n, dim);
    const anchor = rng.normalBatch(1, dim).data;
    const x1 = ndarray(new Float64Array(n * dim), [n, dim]);
    for (let k = 0; k < n * dim; k++) x1.data[k] = anchor[k % dim] as number;
    const at = (time: number) => sampleOf(path, describe(path), x0, x1, time, new Random(seed + 1));
    const now = at(t);
    const error = (step: number) => {
      const moved = new Float64Array(n * dim);
      for (let k = 0; k < n * dim; k++) moved[k] = (now.xt.data[k] as number) + step * (now.dxt.data[k] as number);
      return momentDistance(moved, at(t + step).xt.data, n, dim);
    };
    const e1 = error(h);
    const e2 = error(h / 2);
    const floor = 1e-11 * Math.max(1, maxAbs(now.xt));
    if (e1 <= floor || e2 <= 0.35 * e1) return undefined;
    return `at t = ${show(t)}, the moment error is ${show(e1)} at h = ${h} and ${show(e2)} at h/2 (ratio ${show(e2 / e1)}, need <= 0.35 for O(h^2))`;
  }, { numRuns: 20, ...options });
}

/** Largest dimension of the test batches. */
const MAX_DIM = 64;

/** The conversion methods of an affine path that checkConversions calls. */
const CONVERSIONS = ["targetToVelocity", "velocityToTarget", "epsilonToVelocity", "velocityToEpsilon", "targetToEpsilon", "epsilonToTarget", "scoreToVelocity", "velocityToScore"];

/** Largest difference between the means and covariances of two [n, dim] samples. */
function momentDistance(a: Float64Array, b: Float64Array, n: number, dim: number): number {
  const mean = (x: Float64Array, j: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * dim + j] as number;
    return s / n;
  };
  let worst = 0;
  const ma = Array.from({ length: dim }, (_, j) => mean(a, j));
  const mb = Array.from({ length: dim }, (_, j) => mean(b, j));
  for (let j = 0; j < dim; j++) worst = Math.max(worst, Math.abs((ma[j] as number) - (mb[j] as number)));
  for (let j = 0; j < dim; j++) {
    for (let k = 0; k <= j; k++) {
      let ca = 0;
      let cb = 0;
      for (let i = 0; i < n; i++) {
        ca += ((a[i * dim + j] as number) - (ma[j] as number)) * ((a[i * dim + k] as number) - (ma[k] as number));
        cb += ((b[i * dim + j] as number) - (mb[j] as number)) * ((b[i * dim + k] as number) - (mb[k] as number));
      }
      worst = Math.max(worst, Math.abs(ca - cb) / n);
    }
  }
  return worst;
}

function compare(want: Batch, got: Batch, tolerance: number, where: string): string | undefined {
  for (let k = 0; k < want.data.length; k++) {
    const e = Math.abs((want.data[k] as number) - (got.data[k] as number));
    if (!(e <= tolerance)) return `${where}, entry ${k}: expected ${show(want.data[k] as number)}, got ${show(got.data[k] as number)} (|error| ${show(e)} > ${show(tolerance)})`;
  }
  return undefined;
}

function maxAbs(x: Batch): number {
  let m = 0;
  for (const v of x.data) m = Math.max(m, Math.abs(v));
  return m;
}

function describe(path: ProbabilityPath): string {
  const p = path as { name?: unknown; scheduler?: { name?: unknown } };
  if (typeof p.name === "string") return `path "${p.name}"`;
  if (typeof p.scheduler?.name === "string") return `affine path of scheduler "${p.scheduler.name}"`;
  return "the path";
}

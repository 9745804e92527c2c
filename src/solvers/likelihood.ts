import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { checkInteger, checkOptions } from "../core/check.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { AsyncVelocityField, Distribution, VelocityField } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import { standardNormal } from "../distributions/gaussian.js";
import type { Random } from "../random/random.js";
import { exactDivergenceSteps } from "../divergence/exact.js";
import { hutchinsonSteps } from "../divergence/hutchinson.js";
import { hutchPlusPlusSteps } from "../divergence/hutch-plus-plus.js";
import type { FieldOps, FieldSteps } from "../divergence/field-steps.js";
import { asyncOps, isNumberArray, runFieldAsync, runFieldSync, syncOps } from "../divergence/field-steps.js";
import type { ProbeNoise } from "../divergence/probes.js";
import { drawProbes } from "../divergence/probes.js";
import type { AsyncOdeFunction, OdeFunction, OdeStatistics } from "./evaluate.js";
import type { IntegrateOptions, OdePlan, OdeResult } from "./integrate.js";
import { planOde, solve, solveAsync } from "./integrate.js";
import { checkAnyField, checkField, checkUnitTimes } from "./sample.js";

/**
 * Options of {@link logLikelihood} and {@link logLikelihoodForward}: the solver options of
 * `integrate` (without t0, t1 and times) plus the source and the divergence estimator.
 *
 * @category Solvers
 */
export interface LogLikelihoodOptions extends Omit<IntegrateOptions, "t0" | "t1" | "times" | "interpolate"> {
  /** The source distribution p0 with a log density (default: standard normal of the field's dimension). */
  source?: Distribution;
  /** "exact" (default): field.divergence, else d JVPs, else central differences; or a stochastic estimator. */
  divergence?: "exact" | "hutchinson" | "hutch++";
  /** Jacobian-vector products per evaluation for the stochastic estimators (default 1 for Hutchinson, 3 for Hutch++). */
  probes?: number;
  /** Probe distribution of the stochastic estimators (default "rademacher"). */
  noise?: ProbeNoise;
  /** Seeded generator for the probes (required by the stochastic estimators; probes are drawn once per solve). */
  rng?: Random;
}

/**
 * The result of a likelihood computation.
 *
 * @category Solvers
 */
export interface LogLikelihoodResult {
  /** log p1(x1) per row. */
  logProb: Float64Array;
  /** The source points x0 = psi_1^{-1}(x1), shape [n, dim]. */
  x0: Batch;
  /** The data points x1, shape [n, dim]. */
  x1: Batch;
  /** integral_0^1 div u_t(x_t) dt per row (the log-determinant of the flow's Jacobian). */
  divergenceIntegral: Float64Array;
  /** Counters of the solve (evaluations of the augmented system). */
  statistics: OdeStatistics;
  /** With `returnIntermediates`: the grid's nodes in the order of the solve (from 1 to 0 for {@link logLikelihood}, 0 to 1 forwards). */
  times?: Float64Array;
  /** With `returnIntermediates`: `trajectory[k]` is x at `times[k]`, shape [n, dim]. */
  trajectory?: Batch[];
  /** With `returnIntermediates`: `logProbTrajectory[k][i]` = log p_t(x_t) of row i at t = `times[k]` (log p0(x0) - integral_0^t div u_s(x_s) ds). */
  logProbTrajectory?: Float64Array[];
}

/**
 * The exact log-likelihood of a continuous normalizing flow, per row:
 * log p1(x1) = log p0(x0) - integral_0^1 div u_t(x_t) dt, found by integrating the augmented
 * ODE (x, l)' = (u_t(x), div u_t(x)) backwards from (x1, 0) at t = 1 to t = 0.
 *
 * @param field - the velocity field
 * @param x1 - data points, shape [n, field.dim]
 * @param options - solver and divergence options; see {@link LogLikelihoodOptions}
 * @returns log p1 per row, x0, the divergence integral and statistics
 * @throws {@link ShapeError} for x1 of the wrong shape or a source whose logProb does not return one number per row; {@link DomainError} for bad options (a stochastic estimator without rng, probes < 1, a source without logProb or of another dimension);
 *   {@link NonFiniteError} for a source log density that is NaN or +Infinity; the errors of {@link integrate}
 * @example
 * ```ts
 * // u = 0: the flow is the identity and log p1 = log p0 = log N(0; 0, I_2)
 * const zero = { dim: 2, evaluate: (x, t, out = zeros(x.shape[0], 2)) => out };
 * logLikelihood(zero, fromRows([[0, 0]])).logProb[0] // => -1.8378770664093453
 * ```
 * @category Solvers
 */
export function logLikelihood(field: VelocityField, x1: Batch, options: LogLikelihoodOptions = {}): LogLikelihoodResult {
  options = checkOptions("logLikelihood", "options", options);
  return run("logLikelihood", field, x1, options, false);
}

/**
 * The forward direction of {@link logLikelihood}: pushes source points x0 to x1 = psi_1(x0)
 * while accumulating the log-determinant integral_0^1 div u_t(x_t) dt, and returns
 * log p1(x1) = log p0(x0) - that integral (sampling with exact densities).
 *
 * @param field - the velocity field
 * @param x0 - source points, shape [n, field.dim]
 * @param options - solver and divergence options; see {@link LogLikelihoodOptions}
 * @returns log p1 at the generated x1, x1, x0 and the divergence integral
 * @throws the errors of {@link logLikelihood}
 * @example
 * ```ts
 * const zero = { dim: 2, evaluate: (x, t, out = zeros(x.shape[0], 2)) => out };
 * logLikelihoodForward(zero, fromRows([[0, 0]])).x1.data // => Float64Array [0, 0]
 * ```
 * @category Solvers
 */
export function logLikelihoodForward(field: VelocityField, x0: Batch, options: LogLikelihoodOptions = {}): LogLikelihoodResult {
  options = checkOptions("logLikelihoodForward", "options", options);
  return run("logLikelihoodForward", field, x0, options, true);
}

/**
 * The asynchronous form of {@link logLikelihood}, for a field whose evaluation returns a
 * Promise ({@link AsyncVelocityField}; a synchronous {@link VelocityField} is accepted too). The
 * same stepping code and divergence estimators run, awaiting each evaluation: `divergenceAsync`
 * (else `divergence`), else d Jacobian-vector products through `jvpAsync` (else `jvp`), else
 * central differences of `evaluateAsync`. A field that returns the same values either way gives
 * bit-identical results with the same statistics.
 *
 * @param field - the velocity field
 * @param x1 - data points, shape [n, field.dim]
 * @param options - solver and divergence options; see {@link LogLikelihoodOptions}
 * @returns a Promise of log p1 per row, x0, the divergence integral and statistics
 * @throws (the Promise rejects with) the errors of {@link logLikelihood}, and whatever the field rejects with
 * @example
 * ```ts
 * // u = 0, resolved later: log p1 = log N(0; 0, I_2)
 * const zero = { dim: 2, evaluateAsync: async (x) => zeros(x.shape[0], 2) };
 * (await logLikelihoodAsync(zero, fromRows([[0, 0]]))).logProb[0] // => -1.8378770664093453
 * ```
 * @category Solvers
 */
export async function logLikelihoodAsync(
  field: VelocityField | AsyncVelocityField, x1: Batch, options: LogLikelihoodOptions = {},
): Promise<LogLikelihoodResult> {
  const fn = "logLikelihoodAsync";
  checkAnyField(fn, field);
  const job = prepare(fn, field.dim, asyncOps(field), x1, options, false);
  const f: AsyncOdeFunction = (t, z, out, rows) => runFieldAsync(fn, job.rhs(t, z, out, rows), field);
  return job.finish(await solveAsync(job.plan(f)));
}

function run(fn: string, field: VelocityField, x: Batch, options: LogLikelihoodOptions, forward: boolean): LogLikelihoodResult {
  checkField(fn, field);
  const job = prepare(fn, field.dim, syncOps(field), x, options, forward);
  const f: OdeFunction = (t, z, out, rows) => runFieldSync(fn, job.rhs(t, z, out, rows), field);
  return job.finish(solve(job.plan(f)));
}

/** A validated likelihood solve: the augmented right-hand side as field requests, the plan, the result. */
interface LikelihoodJob {
  rhs(t: Time, z: Batch, out: Batch, rows: Int32Array | undefined): FieldSteps<void>;
  plan(f: OdeFunction | AsyncOdeFunction): OdePlan;
  finish(result: OdeResult): LogLikelihoodResult;
}

function prepare(fn: string, d: number, ops: FieldOps, x: Batch, options: LogLikelihoodOptions, forward: boolean): LikelihoodJob {
  checkUnitTimes(fn, options);
  const xb = asBatch(fn, forward ? "x0" : "x1", x, { dim: d });
  const n = xb.shape[0] as number;
  const source = options.source ?? standardNormal(d);
  if (source === null || typeof source !== "object" || typeof source.logProb !== "function" || source.dim !== d) {
    throw new DomainError(fn, "options.source", `be a Distribution of dimension ${d} with logProb`, describeValue(source));
  }
  const divergence = options.divergence ?? "exact";
  if (divergence !== "exact" && divergence !== "hutchinson" && divergence !== "hutch++") {
    throw new DomainError(fn, "options.divergence", 'be "exact", "hutchinson" or "hutch++"', describeValue(divergence));
  }
  const estimate = makeEstimator(fn, d, ops, n, divergence, options);
  const z0 = new Float64Array(n * (d + 1));
  for (let i = 0; i < n; i++) z0.set(xb.data.subarray(i * d, (i + 1) * d), i * (d + 1));
  // (x, l)' = (u_t(x), div u_t(x)) on the augmented rows [x, l]
  function* rhs(t: Time, z: Batch, out: Batch, rows: Int32Array | undefined): FieldSteps<void> {
    const m = z.shape[0] as number;
    const xs = new Float64Array(m * d);
    for (let i = 0; i < m; i++) xs.set(z.data.subarray(i * (d + 1), i * (d + 1) + d), i * d);
    const xBatch = ndarray(xs, [m, d]);
    const u = ndarray(new Float64Array(m * d), [m, d]);
    yield { op: "evaluate", x: xBatch, t, out: u };
    const div = yield* estimate(xBatch, t, rows);
    for (let i = 0; i < m; i++) {
      out.data.set(u.data.subarray(i * d, (i + 1) * d), i * (d + 1));
      out.data[i * (d + 1) + d] = div[i] as number;
    }
  }
  const { source: _s, divergence: _d, probes: _p, noise: _n, rng: _r, ...solver } = options;
  const grid = solver.timeGrid;
  if (grid !== undefined && grid !== null && typeof grid === "object" && grid.length >= 2 && (grid[0] as number) < (grid[grid.length - 1] as number) !== forward) {
    // the grid's nodes are accepted in either order; the solve runs from 1 to 0 backwards
    solver.timeGrid = Array.from(grid).reverse();
  }
  const plan = (f: OdeFunction | AsyncOdeFunction): OdePlan =>
    planOde(fn, f, ndarray(z0, [n, d + 1]), { ...solver, t0: forward ? 0 : 1, t1: forward ? 1 : 0 });
  const finish = (result: OdeResult): LogLikelihoodResult => {
    const end = new Float64Array(n * d);
    const integral = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      end.set(result.y.data.subarray(i * (d + 1), i * (d + 1) + d), i * d);
      const l = result.y.data[i * (d + 1) + d] as number;
      // backwards l(0) = -integral; forwards l(1) = +integral
      integral[i] = forward ? l : -l;
    }
    const other = ndarray(end, [n, d]);
    const x0 = forward ? xb : other;
    const logProb = sourceLogProb(fn, source, x0, n);
    for (let i = 0; i < n; i++) logProb[i] = (logProb[i] as number) - (integral[i] as number);
    const out: LogLikelihoodResult = { logProb, x0, x1: forward ? other : xb, divergenceIntegral: integral, statistics: result.statistics };
    if (result.trajectory !== undefined && result.times !== undefined) {
      // forwards l(t) = integral_0^t div, so log p_t = log p0(x0) - l(t); backwards l(t) = -integral_t^1 div,
      // so log p_t = log p0(x0) - integral + integral_t^1 div = log p1(x1) - l(t)
      const base = forward ? sourceLogProb(fn, source, x0, n) : logProb;
      out.times = result.times;
      out.trajectory = [];
      out.logProbTrajectory = [];
      for (const z of result.trajectory) {
        const xs = new Float64Array(n * d);
        const lp = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          xs.set(z.data.subarray(i * (d + 1), i * (d + 1) + d), i * d);
          lp[i] = (base[i] as number) - (z.data[i * (d + 1) + d] as number);
        }
        out.trajectory.push(ndarray(xs, [n, d]));
        out.logProbTrajectory.push(lp);
      }
    }
    return out;
  };
  return { rhs, plan, finish };
}

/**
 * log p0 at the source points, one number per row, as a fresh array: the source's result is
 * checked (a typed or plain array of n numbers; -Infinity, zero density, is a log density, NaN and
 * +Infinity are not) before anything is subtracted from it.
 */
function sourceLogProb(fn: string, source: Distribution, x0: Batch, n: number): Float64Array {
  const got: unknown = (source.logProb as (x: Batch) => Float64Array)(x0);
  if (!isNumberArray(got) || (got as ArrayLike<number>).length !== n) {
    throw new ShapeError(fn, "options.source.logProb(x0)", `return ${n} numbers (one per row)`, describeValue(got));
  }
  const values = got as ArrayLike<unknown>;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== "number" || Number.isNaN(v) || v === Infinity) {
      throw new NonFiniteError(fn, "options.source.logProb(x0)", "return log densities (finite numbers, or -Infinity for zero density)", `${describeValue(v)} at row ${i}`);
    }
    out[i] = v;
  }
  return out;
}

type Estimator = (x: Batch, t: Time, rows: Int32Array | undefined) => FieldSteps<Float64Array>;

/** The divergence estimator of one solve; stochastic probes are drawn here, once. */
function makeEstimator(
  fn: string, d: number, ops: FieldOps, n: number, kind: "exact" | "hutchinson" | "hutch++", options: LogLikelihoodOptions,
): Estimator {
  const fresh = (x: Batch): Float64Array => new Float64Array(x.shape[0] as number);
  if (kind === "exact") return (x, t) => exactDivergenceSteps(ops, x, t, fresh(x));
  const rng = options.rng;
  if (rng === undefined || rng === null || typeof rng.rademacherBatch !== "function") {
    throw new DomainError(fn, "options.rng", `be a Random generator for the ${kind} estimator`, describeValue(rng));
  }
  const count = checkInteger(fn, "options.probes", options.probes ?? (kind === "hutchinson" ? 1 : 3), kind === "hutchinson" ? 1 : 3);
  const noise = options.noise ?? "rademacher";
  const sketchCount = kind === "hutch++" ? Math.floor(count / 3) : 0;
  const all = drawProbes(rng, kind === "hutch++" ? count - sketchCount : count, n, d, noise);
  const pick = (batches: Batch[], rows: Int32Array | undefined): Batch[] =>
    rows === undefined ? batches : batches.map((b) => {
      const data = new Float64Array(rows.length * d);
      for (let i = 0; i < rows.length; i++) data.set(b.data.subarray((rows[i] as number) * d, ((rows[i] as number) + 1) * d), i * d);
      return ndarray(data, [rows.length, d]);
    });
  if (kind === "hutchinson") return (x, t, rows) => hutchinsonSteps(ops, x, t, pick(all, rows), fresh(x));
  const sketch = all.slice(0, sketchCount);
  const test = all.slice(sketchCount);
  return (x, t, rows) => hutchPlusPlusSteps(ops, x, t, pick(sketch, rows), pick(test, rows), fresh(x));
}

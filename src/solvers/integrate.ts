import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { checkBoolean, checkCount, checkFinite, checkInRange, checkInteger, checkPositive, checkOptions, MAX_ELEMENTS } from "../core/check.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { AsyncOdeFunction, OdeFunction, OdeStatistics, OdeSteps } from "./evaluate.js";
import { driveAsync, driveSync } from "./evaluate.js";
import type { ButcherTableau, MethodName } from "./tableau.js";
import { methodNames, tableau } from "./tableau.js";
import { runFixed } from "./fixed.js";
import { runAdaptive } from "./adaptive.js";
import { checkSpan, checkTimeGrid } from "./time-grid.js";

/**
 * Options of {@link integrate}.
 *
 * @category Solvers
 */
export interface IntegrateOptions {
  /** Start time (default 0). */
  t0?: number;
  /** End time (default 1); t1 < t0 integrates backwards. */
  t1?: number;
  /** Runge-Kutta method (default "dopri5"). Fixed-step methods need `stepSize` or `steps`. */
  method?: MethodName;
  /** Relative tolerance of adaptive methods, > 0 (default 1e-6). */
  rtol?: number;
  /** Absolute tolerance of adaptive methods, > 0 (default 1e-8). */
  atol?: number;
  /** Fixed step size, > 0: switches any method to fixed steps (the last step before each output time is shortened to land on it). */
  stepSize?: number;
  /** Number of equal fixed steps over [t0, t1] (integer >= 1); the alternative to `stepSize`. */
  steps?: number;
  /**
   * Nodes of a fixed-step grid, strictly monotone, at least 2 (for example {@link uniformGrid},
   * {@link powerGrid}, {@link cosineGrid}): one step of the method from each node to the next. Its
   * ends are t0 and t1 (give those only if they agree); not together with `stepSize` or `steps`.
   * Output `times` between two nodes split that step.
   */
  timeGrid?: ArrayLike<number>;
  /**
   * Report the state at every node of a fixed-step solve, t0 and t1 included, in `times` and
   * `trajectory` (default false). The adaptive methods report at `times` instead (required there).
   */
  returnIntermediates?: boolean;
  /** Times at which to report the state, monotone from t0 towards t1 and inside [t0, t1]. */
  times?: ArrayLike<number>;
  /** Report `times` from the method's dense output instead of landing a step on each (adaptive only; default false). */
  interpolate?: boolean;
  /** Each row advances on its own step sequence and stops costing evaluations when done (adaptive only; default false). */
  perSample?: boolean;
  /** Largest number of steps (accepted + rejected; with per-sample steps, of batched step attempts) before a ConvergenceError (default 100000). */
  maxSteps?: number;
  /** First step size, > 0 (default: Hairer's initial step selection). */
  initialStep?: number;
  /** Step-size controller of adaptive methods; see {@link StepController}. */
  controller?: StepController;
}

/**
 * The PI step-size controller of Hairer's dopri5.f/dop853.f:
 * h_new = h / clamp(err^(1/(q+1) - 0.75 beta) / (errPrev^beta safety), 1/maxFactor, 1/minFactor),
 * with q the order of the error estimate; beta = 0 is the classic (I) controller.
 * Defaults: beta 0, factors [0.2, 10] ([0.333, 6] for dop853), safety 0.8 for dopri5 and
 * dop853 (0.9 for the other pairs), chosen by a work-precision sweep over Hairer's non-stiff
 * test problems and a flow-matching field (docs/solvers.md): fewer evaluations than SciPy's
 * DOP853/RK45 at equal error on each problem.
 * `{ beta: 0, safety: 0.9, minFactor: 0.2, maxFactor: 10 }` reproduces SciPy's RK45 step
 * sequence for dopri5 (the default of 0.1; dop853's was beta 0.04, safety 0.9, factors [0.333, 6]).
 *
 * @category Solvers
 */
export interface StepController {
  /** Weight of the previous error (the "P" part), in [0, 0.2]. */
  beta?: number;
  /** Safety factor in (0, 1]. */
  safety?: number;
  /** Smallest factor a step may shrink by, in (0, 1). */
  minFactor?: number;
  /** Largest factor a step may grow by, > 1. */
  maxFactor?: number;
}

/**
 * The solution of {@link integrate}.
 *
 * @category Solvers
 */
export interface OdeResult {
  /** The end time t1. */
  t: number;
  /** The state at t1, shape [n, d]. */
  y: Batch;
  /** The requested output times (a copy), when `times` was given. */
  times?: Float64Array;
  /** `trajectory[k]` is the state at `times[k]`, shape [n, d], when `times` was given. */
  trajectory?: Batch[];
  /** Counters of the solve. */
  statistics: OdeStatistics;
}

/**
 * What a solve had reached when it stopped early (carried by ConvergenceError.partial).
 *
 * @category Solvers
 */
export interface OdePartial {
  /** The time reached: one number, or one per row with per-sample steps. */
  t: number | Float64Array;
  /** The state at that time, shape [n, d]. */
  y: Batch;
  /** Counters up to the stop. */
  statistics: OdeStatistics;
}

/** @internal A validated solve. */
export interface OdePlan {
  fn: string;
  /** A synchronous {@link OdeFunction} for {@link solve}, possibly async for {@link solveAsync}. */
  f: OdeFunction | AsyncOdeFunction;
  tab: ButcherTableau;
  n: number;
  d: number;
  t0: number;
  t1: number;
  y0: Float64Array;
  rtol: number;
  atol: number;
  maxSteps: number;
  times: Float64Array | null;
  interpolate: boolean;
  perSample: boolean;
  stepSize: number | null;
  /** Nodes of a fixed-step grid (then stepSize is unused), or null. */
  grid: Float64Array | null;
  /** Report every node of a fixed-step solve. */
  intermediates: boolean;
  initialStep: number | null;
  controller: Required<StepController>;
}

const FIXED_ONLY = new Set<MethodName>(["euler", "midpoint", "heun2", "ralston", "heun3", "rk4", "rk38"]);

/**
 * Solves the batched initial value problem dy/dt = f(t, y), y(t0) = y0, where each row of
 * y0 (shape [n, d]) is an independent system, with an explicit Runge-Kutta method.
 * Adaptive methods control the local error per row, err_i = RMS_j(e_ij / (atol + rtol |y_ij|)),
 * and accept a step when max_i err_i <= 1 (a hard row is never diluted by easy ones), with
 * Hairer's initial step, a PI step-size controller and steps that land exactly on t1 and
 * on each requested time.
 *
 * @param f - the right-hand side, `f(t, y, out)` writing dy/dt for every row of y into out
 * @param y0 - initial states, shape [n, d] (not modified)
 * @param options - interval, method, tolerances, outputs; see {@link IntegrateOptions}
 * @returns the state at t1, the states at `times`, and statistics
 * @throws {@link ShapeError} for a y0 that is not [n, d]; {@link NonFiniteError} for non-finite y0 or a non-finite value of f (naming row, step and time);
 *   {@link DomainError} for invalid options (tolerances <= 0, times outside [t0, t1] or out of order, a fixed-step method without a step,
 *   an interval whose length t1 - t0 overflows, a `times` or `timeGrid` whose length is not a valid count, a `controller` that is not an
 *   object, an `interpolate`, `perSample` or `returnIntermediates` that is not a boolean);
 *   {@link ConvergenceError} (with {@link OdePartial}) when maxSteps is reached or the step size underflows
 * @example
 * ```ts
 * // y' = -y, y(0) = 1 on [0, 1]
 * const r = integrate((t, y, out) => { for (let i = 0; i < y.data.length; i++) out.data[i] = -y.data[i]; },
 *   fromRows([[1]]), { rtol: 1e-10, atol: 1e-12 });
 * r.y.data[0] // => 0.36787944117... (exp(-1))
 * ```
 * @category Solvers
 */
export function integrate(f: OdeFunction, y0: Batch, options: IntegrateOptions = {}): OdeResult {
  options = checkOptions("integrate", "options", options);
  return solve(planOde("integrate", f, y0, options));
}

/**
 * The asynchronous form of {@link integrate}, for a right-hand side whose evaluation returns a
 * Promise (a GPU readback, a worker, an inference session). It runs the same stepping code as
 * `integrate` (same tableaux, step-size control, landing and counters): for an f that computes
 * the same values either way, the result is bit-identical with the same `nfe`. Each call of f
 * is awaited before the next; f may also return synchronously.
 *
 * @param f - the right-hand side, `f(t, y, out)` writing dy/dt for every row of y into out, returning a Promise or nothing
 * @param y0 - initial states, shape [n, d] (not modified)
 * @param options - interval, method, tolerances, outputs; see {@link IntegrateOptions}
 * @returns a Promise of the state at t1, the states at `times`, and statistics
 * @throws (the Promise rejects with) the errors of {@link integrate}, and whatever f rejects with
 * @example
 * ```ts
 * // y' = -y, y(0) = 1 on [0, 1], each evaluation resolved later
 * const r = await integrateAsync(async (t, y, out) => { for (let i = 0; i < y.data.length; i++) out.data[i] = -y.data[i]; },
 *   fromRows([[1]]), { rtol: 1e-10, atol: 1e-12 });
 * r.y.data[0] // => 0.36787944117... (exp(-1))
 * ```
 * @category Solvers
 */
export async function integrateAsync(f: AsyncOdeFunction, y0: Batch, options: IntegrateOptions = {}): Promise<OdeResult> {
  return solveAsync(planOde("integrateAsync", f, y0, options));
}

/** @internal Runs a validated plan with a synchronous right-hand side. */
export function solve(plan: OdePlan): OdeResult {
  return driveSync(plan.fn, steps(plan), plan.f as OdeFunction);
}

/** @internal Runs a validated plan, awaiting each evaluation of its right-hand side. */
export function solveAsync(plan: OdePlan): Promise<OdeResult> {
  return driveAsync(steps(plan), plan.f);
}

/** The one stepping code of a plan: fixed or adaptive. */
function steps(plan: OdePlan): OdeSteps<OdeResult> {
  return plan.stepSize !== null ? runFixed(plan) : runAdaptive(plan);
}

/** @internal Validates the arguments of an ODE solve; `y0Name` is the caller's name for the initial state. */
export function planOde(fn: string, f: OdeFunction | AsyncOdeFunction, y0: Batch, options: IntegrateOptions, dim?: number, y0Name = "y0"): OdePlan {
  if (typeof f !== "function") throw new DomainError(fn, "f", "be a function (t, y, out) => void", describeValue(f));
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object", describeValue(options));
  const y = asBatch(fn, y0Name, y0, dim === undefined ? {} : { dim });
  const [n, d] = y.shape as [number, number];
  const grid = options.timeGrid === undefined ? null : checkTimeGrid(fn, "options.timeGrid", options.timeGrid);
  const t0 = checkFinite(fn, "options.t0", options.t0 ?? (grid === null ? 0 : grid[0]));
  const t1 = checkFinite(fn, "options.t1", options.t1 ?? (grid === null ? 1 : grid[grid.length - 1]));
  if (grid !== null && !Number.isFinite(t1 - t0)) throw new DomainError(fn, "options.timeGrid", "span a finite interval (t1 - t0 overflows)", `[${t0}, ..., ${t1}]`);
  checkSpan(fn, "options.t1", t0, t1);
  if (grid !== null) {
    if (t0 !== grid[0]) throw new DomainError(fn, "options.t0", `equal options.timeGrid[0] = ${grid[0]}`, describeValue(t0));
    if (t1 !== grid[grid.length - 1]) throw new DomainError(fn, "options.t1", `equal the last node of options.timeGrid, ${grid[grid.length - 1]}`, describeValue(t1));
    if (options.stepSize !== undefined || options.steps !== undefined) {
      throw new DomainError(fn, "options.timeGrid", "not be given together with options.stepSize or options.steps", "both");
    }
  }
  const method = options.method ?? "dopri5";
  if (typeof method !== "string" || !methodNames().includes(method)) {
    throw new DomainError(fn, "options.method", `be one of ${methodNames().join(", ")}`, describeValue(method));
  }
  const tab = tableau(method);
  const rtol = checkPositive(fn, "options.rtol", options.rtol ?? 1e-6);
  const atol = checkPositive(fn, "options.atol", options.atol ?? 1e-8);
  const maxSteps = checkInteger(fn, "options.maxSteps", options.maxSteps ?? 100000, 1);
  let stepSize: number | null = null;
  if (options.stepSize !== undefined && options.steps !== undefined) {
    throw new DomainError(fn, "options.steps", "not be given together with options.stepSize", describeValue(options.steps));
  }
  if (options.stepSize !== undefined) stepSize = checkPositive(fn, "options.stepSize", options.stepSize);
  if (options.steps !== undefined) {
    const steps = checkInteger(fn, "options.steps", options.steps, 1, MAX_ELEMENTS);
    stepSize = t1 === t0 ? 1 : Math.abs(t1 - t0) / steps;
  }
  if (grid !== null) stepSize = Infinity;
  const intermediates = checkBoolean(fn, "options.returnIntermediates", options.returnIntermediates, false);
  if (intermediates && stepSize === null && options.times === undefined) {
    throw new DomainError(fn, "options.times", "be given with returnIntermediates for an adaptive method (or give a fixed-step grid: timeGrid, steps or stepSize)", "undefined");
  }
  if (stepSize === null && FIXED_ONLY.has(method)) {
    throw new DomainError(fn, "options.stepSize", `be given (or options.steps) for the fixed-step method ${method}`, "undefined");
  }
  const times = options.times === undefined ? null : checkTimes(fn, options.times, t0, t1);
  const initialStep = options.initialStep === undefined ? null : checkPositive(fn, "options.initialStep", options.initialStep);
  const isDop853 = method === "dop853";
  const c = checkOptions<StepController>(fn, "options.controller", options.controller);
  const controller: Required<StepController> = {
    // dopri5/dop853 defaults from the work-precision sweep of docs/solvers.md (scripts/ode-work-precision.ts)
    beta: checkInRange(fn, "options.controller.beta", c.beta ?? 0, 0, 0.2),
    safety: checkInRange(fn, "options.controller.safety", c.safety ?? (isDop853 || method === "dopri5" ? 0.8 : 0.9), 1e-3, 1),
    minFactor: checkInRange(fn, "options.controller.minFactor", c.minFactor ?? (isDop853 ? 0.333 : 0.2), 1e-3, 0.999),
    maxFactor: checkInRange(fn, "options.controller.maxFactor", c.maxFactor ?? (isDop853 ? 6 : 10), 1.001, 1e3),
  };
  return {
    controller, fn, f, tab, n, d, t0, t1, y0: Float64Array.from(y.data), rtol, atol, maxSteps, times,
    interpolate: checkBoolean(fn, "options.interpolate", options.interpolate, false),
    perSample: checkBoolean(fn, "options.perSample", options.perSample, false),
    stepSize, initialStep, grid, intermediates,
  };
}

/** Output times must lie in the closed interval and run from t0 towards t1. */
function checkTimes(fn: string, times: ArrayLike<number>, t0: number, t1: number): Float64Array {
  if (times === null || typeof times !== "object" || typeof times.length !== "number") {
    throw new DomainError(fn, "options.times", "be an array of numbers", describeValue(times));
  }
  const out = new Float64Array(checkCount(fn, "options.times.length", times.length));
  const lo = Math.min(t0, t1);
  const hi = Math.max(t0, t1);
  const dir = t1 >= t0 ? 1 : -1;
  for (let k = 0; k < times.length; k++) {
    const v = checkFinite(fn, `options.times[${k}]`, times[k]);
    if (v < lo || v > hi) throw new DomainError(fn, `options.times[${k}]`, `be in [${lo}, ${hi}] (between t0 and t1)`, describeValue(v));
    if (k > 0 && dir * (v - (out[k - 1] as number)) < 0) {
      throw new DomainError(fn, `options.times[${k}]`, `run from t0 = ${t0} towards t1 = ${t1} (monotone)`, describeValue(v));
    }
    out[k] = v;
  }
  return out;
}

import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { checkBoolean, checkInteger } from "../core/check.js";
import { DomainError, NonFiniteError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { AsyncVelocityField, Scheduler, VelocityField } from "../core/interfaces.js";
import { runFieldAsync, runFieldSync, type FieldSteps } from "../divergence/field-steps.js";
import { affinePath } from "../paths/affine.js";
import { Random } from "../random/random.js";
import { checkAnyField, checkField } from "./sample.js";
import { checkTimeGrid, uniformGrid } from "./time-grid.js";

/**
 * Options of {@link sdeSample}.
 *
 * @category Solvers
 */
export interface SdeSampleOptions {
  /** Scheduler (alpha_t, sigma_t) of the Gaussian affine path x_t = alpha_t x1 + sigma_t x0, x0 ~ N(0, I), that the field was trained on. */
  scheduler: Scheduler;
  /** Diffusion g(t) >= 0: a number or a function of t (default 0, the ODE). It must vanish where sigma_t = 0 (t = 1 for condOT). */
  diffusion?: number | ((t: number) => number);
  /** `"euler-maruyama"` (default) or `"heun"` (stochastic Heun, Heun's method at g = 0). */
  method?: "euler-maruyama" | "heun";
  /** Number of equal steps from 0 to 1 (default 100); the alternative to `timeGrid`. */
  steps?: number;
  /** Step grid, strictly increasing in [0, 1] (e.g. `powerGrid(N, rho)`); overrides `steps`. */
  timeGrid?: ArrayLike<number>;
  /** Generator of the Brownian increments (required). */
  rng: Random;
  /** Also return the state at every grid node in `times` and `trajectory` (default false). */
  returnIntermediates?: boolean;
}

/**
 * Result of {@link sdeSample}.
 *
 * @category Solvers
 */
export interface SdeSampleResult {
  /** The state at the last node, shape [n, dim]. */
  x: Batch;
  /** Number of batched field evaluations. */
  nfe: number;
  /** Number of steps. */
  steps: number;
  /** With `returnIntermediates`: the grid's nodes. */
  times?: Float64Array;
  /** With `returnIntermediates`: `trajectory[k]` is the state at `times[k]`. */
  trajectory?: Batch[];
}

/**
 * Samples with the SDE dx = [u_t(x) + g(t)^2 / 2 s_t(x)] dt + g(t) dW whose marginals are
 * those of the flow dx/dt = u_t(x), for any diffusion g (Song et al. 2021, eq. 6 with the
 * probability-flow drift; Albergo et al. 2023, stochastic interpolants). For a Gaussian affine
 * path the score follows from the velocity ({@link AffinePath.velocityToScore}):
 * s = (alpha'_t x - alpha_t u) / (sigma_t (alpha_t sigma'_t - alpha'_t sigma_t)). Euler–Maruyama:
 * x' = x + h f(t, x) + g(t) sqrt(h) z; stochastic Heun (additive noise): x~ = x + h f(t, x) + g(t) dW,
 * x' = x + h (f(t, x) + f(t + h, x~)) / 2 + (g(t) + g(t + h)) / 2 dW. With g = 0 these are the
 * ODE sampler's Euler and Heun steps. The score is only formed where g(t) > 0; a Heun step whose
 * end has sigma = 0 and g > 0 (the score singular there: the last step into the data) is an
 * Euler–Maruyama step, as in Karras et al. (2022, Alg. 2).
 *
 * @param field - the velocity field u_t, trained on the path of `options.scheduler` with a standard-normal source
 * @param x0 - start points, shape [n, field.dim] (not modified)
 * @param options - scheduler, diffusion, method, grid and generator; see {@link SdeSampleOptions}
 * @returns the samples and statistics
 * @throws {@link ShapeError} for x0 of the wrong shape; {@link DomainError} for bad options, a negative or non-finite g(t), g(t) > 0 where the score is singular (sigma_t = 0);
 *   {@link NonFiniteError} for a non-finite velocity, or a state that overflows (naming the step and time)
 * @example
 * ```ts
 * // u = 0 on the condOT path and g = 0: the samples stay where they are
 * const zero = { dim: 1, evaluate: (x) => zeros(x.shape[0], 1) };
 * sdeSample(zero, fromRows([[0.5]]), { scheduler: condOT(), rng: new Random(0), steps: 4 }).x.data // => Float64Array [0.5]
 * ```
 * @category Solvers
 */
export function sdeSample(field: VelocityField, x0: Batch, options: SdeSampleOptions): SdeSampleResult {
  const fn = "sdeSample";
  checkField(fn, field);
  return runFieldSync(fn, sdeSteps(fn, field.dim, x0, options), field);
}

/**
 * The asynchronous form of {@link sdeSample}, for an {@link AsyncVelocityField} (a model on a GPU,
 * onnxruntime, a worker; a synchronous {@link VelocityField} is accepted too). The same stepping
 * code runs, awaiting each evaluation before the next, and draws the same Brownian increments
 * from the same generator: a field that returns the same values either way gives bit-identical
 * samples with the same `nfe`.
 *
 * @param field - the velocity field (its `evaluateAsync`, else `evaluate`)
 * @param x0 - start points, shape [n, field.dim] (not modified)
 * @param options - as {@link sdeSample}
 * @returns a Promise of the samples and statistics
 * @throws (the Promise rejects with) the errors of {@link sdeSample}; whatever the field rejects with
 * @example
 * ```ts
 * const zero = { dim: 1, evaluateAsync: async (x) => zeros(x.shape[0], 1) };
 * (await sdeSampleAsync(zero, fromRows([[0.5]]), { scheduler: condOT(), rng: new Random(0), steps: 4 })).x.data // => Float64Array [0.5]
 * ```
 * @category Solvers
 */
export async function sdeSampleAsync(field: VelocityField | AsyncVelocityField, x0: Batch, options: SdeSampleOptions): Promise<SdeSampleResult> {
  const fn = "sdeSampleAsync";
  checkAnyField(fn, field);
  // the options and x0 are checked before the first evaluation, as in sdeSample
  const steps = sdeSteps(fn, field.dim, x0, options);
  return runFieldAsync(fn, steps, field);
}

/** The stepping code of both samplers: checks its inputs on the first `next()`, yields field evaluations, returns the result. */
function* sdeSteps(fn: string, d: number, x0: Batch, options: SdeSampleOptions): FieldSteps<SdeSampleResult> {
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object", describeValue(options));
  const start = asBatch(fn, "x0", x0, { dim: d });
  const n = start.shape[0] as number;
  const { scheduler, rng } = options;
  if (scheduler === null || typeof scheduler !== "object" || typeof scheduler.at !== "function") {
    throw new DomainError(fn, "options.scheduler", "be a Scheduler", describeValue(scheduler));
  }
  if (!(rng instanceof Random)) throw new DomainError(fn, "options.rng", "be a Random", describeValue(rng));
  const method = options.method ?? "euler-maruyama";
  if (method !== "euler-maruyama" && method !== "heun") throw new DomainError(fn, "options.method", 'be "euler-maruyama" or "heun"', describeValue(method));
  const grid = options.timeGrid === undefined
    ? uniformGrid(checkInteger(fn, "options.steps", options.steps ?? 100, 1))
    : checkTimeGrid(fn, "options.timeGrid", options.timeGrid);
  if (!((grid[0] as number) >= 0 && (grid[1] as number) > (grid[0] as number) && (grid[grid.length - 1] as number) <= 1)) {
    throw new DomainError(fn, "options.timeGrid", "increase from t0 >= 0 to t1 <= 1", `[${grid[0]}, ..., ${grid[grid.length - 1]}]`);
  }
  const diffusion = options.diffusion ?? 0;
  if (typeof diffusion !== "number" && typeof diffusion !== "function") {
    throw new DomainError(fn, "options.diffusion", "be a number or a function of t", describeValue(diffusion));
  }
  const g = (t: number): number => {
    const v = typeof diffusion === "number" ? diffusion : diffusion(t);
    if (!(Number.isFinite(v) && v >= 0)) throw new DomainError(fn, "options.diffusion", "be finite and >= 0", `${describeValue(v)} at t = ${t}`);
    return v;
  };
  const path = affinePath(scheduler);
  const size = n * d;
  const u = ndarray(new Float64Array(size), [n, d]);
  const score = ndarray(new Float64Array(size), [n, d]);
  let nfe = 0;

  // f(t, x) = u + g^2 / 2 s into out, after the driver has evaluated u_t(x) into u (checked finite there)
  const drift = (t: number, x: Batch, out: Float64Array): void => {
    nfe++;
    const vd = u.data;
    const gt = g(t);
    if (gt === 0) {
      out.set(vd);
      return;
    }
    if (scheduler.at(t).sigma === 0) {
      throw new DomainError(fn, "options.diffusion", `be 0 where sigma_t = 0 (the score is singular there)`, `${gt} at t = ${t}`);
    }
    const s = path.velocityToScore(ndarray(vd, [n, d]), x, t, score).data;
    const c = (gt * gt) / 2;
    for (let j = 0; j < size; j++) {
      let f = (vd[j] as number) + c * (s[j] as number);
      // g^2 / 2 overflows for g above 1.3e154 where g^2 s / 2 need not: scale before multiplying
      if (f - f !== 0) f = (vd[j] as number) + 0.5 * gt * (gt * (s[j] as number));
      out[j] = f;
    }
  };
  // the state must stay finite: an overflow (a huge diffusion or drift) is reported here, by step and time
  const checkState = (state: Float64Array, k: number, t: number): void => {
    for (let j = 0; j < size; j++) {
      const v = state[j] as number;
      if (v - v !== 0) {
        throw new NonFiniteError(fn, "x", "stay finite (the drift u + g^2 s / 2 or the noise g dW overflows; reduce options.diffusion or rescale the field)",
          `${describeValue(v)} at row ${Math.floor(j / d)} after step ${k} (t = ${t})`);
      }
    }
  };

  const x = Float64Array.from(start.data);
  const f0 = new Float64Array(size);
  const f1 = new Float64Array(size);
  const dw = new Float64Array(size);
  const trial = new Float64Array(size);
  const xView = ndarray(x, [n, d]);
  const trialView = ndarray(trial, [n, d]);
  const intermediates = checkBoolean(fn, "options.returnIntermediates", options.returnIntermediates, false);
  const trajectory: Batch[] = intermediates ? [ndarray(Float64Array.from(x), [n, d])] : [];
  for (let k = 0; k + 1 < grid.length; k++) {
    const t = grid[k] as number;
    const tNext = grid[k + 1] as number;
    const h = tNext - t;
    const sq = Math.sqrt(h);
    rng.fillNormal(dw);
    for (let j = 0; j < size; j++) dw[j] = sq * (dw[j] as number);
    yield { op: "evaluate", x: xView, t, out: u };
    drift(t, xView, f0);
    const gt = g(t);
    // Heun's corrector would form the score at tNext; where it is singular there (sigma = 0 with
    // g > 0, the last step of a path ending at the data) the step is Euler-Maruyama's, as in
    // Karras et al. (2022, Alg. 2: no second-order correction into sigma = 0)
    const eulerStep = method === "euler-maruyama" || (g(tNext) > 0 && scheduler.at(tNext).sigma === 0);
    if (eulerStep) {
      for (let j = 0; j < size; j++) x[j] = (x[j] as number) + h * (f0[j] as number) + gt * (dw[j] as number);
    } else {
      for (let j = 0; j < size; j++) trial[j] = (x[j] as number) + h * (f0[j] as number) + gt * (dw[j] as number);
      checkState(trial, k, tNext);
      yield { op: "evaluate", x: trialView, t: tNext, out: u };
      drift(tNext, trialView, f1);
      const gMid = (gt + g(tNext)) / 2;
      for (let j = 0; j < size; j++) {
        x[j] = (x[j] as number) + h * (0.5 * (f0[j] as number) + 0.5 * (f1[j] as number)) + gMid * (dw[j] as number);
      }
    }
    checkState(x, k, tNext);
    if (intermediates) trajectory.push(ndarray(Float64Array.from(x), [n, d]));
  }
  const result: SdeSampleResult = { x: ndarray(x, [n, d]), nfe, steps: grid.length - 1 };
  if (intermediates) {
    result.times = grid;
    result.trajectory = trajectory;
  }
  return result;
}

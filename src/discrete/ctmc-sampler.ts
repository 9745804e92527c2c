import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { checkFinite, checkInteger, checkOptions, MAX_DIM, MAX_STEPS } from "../core/check.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Scheduler } from "../core/interfaces.js";
import { Random } from "../random/random.js";
import type { DiscreteSource } from "./sources.js";
import type { Tokens } from "./tokens.js";
import { asTokens } from "./tokens.js";
import { mixtureKappa } from "./kappa.js";
import { checkTimeGrid } from "../solvers/time-grid.js";

/**
 * A model of the posterior p_{1|t}(y | x_t) of a discrete path, evaluated per position.
 *
 * @category Discrete
 */
export interface DiscretePosteriorModel {
  /** Number S of states per position (K, or K + 1 with a mask token). */
  readonly states: number;
  /**
   * Probabilities over the S states for every (sequence, position), shape
   * [n * positions, S], row i * positions + l for position l of sequence i; rows are
   * normalised by the sampler.
   */
  posterior(xt: Tokens, t: number): Batch;
}

/** Options of {@link ctmcSample}. @category Discrete */
export interface CtmcSampleOptions {
  /** Convex scheduler of the mixture path; kappa_t = alpha_t. */
  scheduler: Scheduler;
  /** Generator of the jumps. */
  rng: Random;
  /** Number of equal steps from t0 to t1 (default 100). */
  steps?: number;
  /** Start time (default 0). */
  t0?: number;
  /** End time (default 1), > t0, <= 1. */
  t1?: number;
  /** Source p0, needed by the divergence-free term; x0 must hold states of it. */
  source?: DiscreteSource;
  /** Weight a_t >= 0 of the divergence-free term (a number or a function of t; default 0). */
  divergenceFree?: number | ((t: number) => number);
  /** Step grid, strictly increasing in [0, 1], at least 2 nodes (e.g. `powerGrid(N, rho)`); overrides t0, t1 and steps. */
  timeGrid?: ArrayLike<number>;
  /** Also return the tokens at every grid node, the start included, in `times` and `trajectory` (default false). */
  returnIntermediates?: boolean;
}

/** Result of {@link ctmcSample}. @category Discrete */
export interface CtmcSampleResult {
  /** Tokens at the last time, shape [n, positions]. */
  x: Tokens;
  /** Number of model evaluations (batched). */
  nfe: number;
  /** Number of steps. */
  steps: number;
  /** With `returnIntermediates`: the grid's nodes. */
  times?: Float64Array;
  /** With `returnIntermediates`: `trajectory[k]` is the tokens at `times[k]`, shape [n, positions]. */
  trajectory?: Tokens[];
}

/**
 * Samples the mixture path's CTMC with Euler steps (Gat et al., 2024). At time t, for each
 * position in state x, the model's posterior p gives jump rates to y != x:
 * r(y) = kappa'_t / (1 - kappa_t) p(y) + a_t kappa'_t / (kappa_t (1 - kappa_t)) ((1 - kappa_t) p0(y) + kappa_t p(y)),
 * the second (divergence-free) term leaving the marginals unchanged; a step of size h jumps
 * with probability min(1, h sum_y r(y)) (clamped to a valid probability) to y with
 * probability proportional to r(y). A step that ends where kappa = 1 draws the token from the
 * posterior itself, the exact transition there.
 *
 * @param model - the posterior model
 * @param x0 - start tokens, shape [n, positions], states in [0, model.states)
 * @param options - scheduler, generator, time grid, source and divergence-free weight
 * @returns the final tokens and statistics
 * @throws {@link ShapeError} for a posterior of the wrong shape; {@link DomainError} for bad options, negative or all-zero posterior rows, a divergence-free term without a source or where kappa_t = 0
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * const always2 = { states: 3, posterior: (x: Tokens) => fromRows(Array.from(x.data, () => [0, 0, 1])) };
 * ctmcSample(always2, tokensFromRows([[0, 1]]), { scheduler: condOT, rng: new Random(1), steps: 10 }).x.data
 * // => Int32Array [2, 2]
 * ```
 * @category Discrete
 */
export function ctmcSample(model: DiscretePosteriorModel, x0: Tokens, options: CtmcSampleOptions): CtmcSampleResult {
  options = checkOptions("ctmcSample", "options", options, true);
  const fn = "ctmcSample";
  if (model === null || typeof model !== "object" || typeof model.posterior !== "function") {
    throw new DomainError(fn, "model", "be a DiscretePosteriorModel with posterior(xt, t)", describeValue(model));
  }
  const S = checkInteger(fn, "model.states", model.states, 1, MAX_DIM);
  const start = asTokens(fn, "x0", x0, { states: S });
  const [n, positions] = start.shape as [number, number];
  const { scheduler, rng, source } = options;
  if (!(rng instanceof Random)) throw new DomainError(fn, "options.rng", "be a Random", describeValue(rng));
  const grid = stepGrid(fn, options);
  const steps = grid.length - 1;
  const divergenceFree = options.divergenceFree ?? 0;
  let p0: Float64Array | undefined;
  if (divergenceFree !== 0) {
    if (source === undefined) throw new DomainError(fn, "options.source", "be given with a divergence-free term", "undefined");
    if (source.states !== S) throw new DomainError(fn, "options.source", `have ${S} states like the model`, String(source.states));
    p0 = source.probabilities();
  }

  const x = Int32Array.from(start.data);
  const tokens = ndarray(x, [n, positions]);
  const rates = new Float64Array(S);
  const intermediates = options.returnIntermediates === true;
  const trajectory: Tokens[] = intermediates ? [ndarray(Int32Array.from(x), [n, positions])] : [];
  for (let step = 0; step < steps; step++) {
    if (step > 0 && intermediates) trajectory.push(ndarray(Int32Array.from(x), [n, positions]));
    const t = grid[step] as number;
    const tNext = grid[step + 1] as number;
    const h = tNext - t;
    const p = asBatch(fn, "model.posterior(xt, t)", model.posterior(tokens, t), { rows: n * positions, dim: S });
    const last = mixtureKappa(scheduler, tNext, fn).kappa === 1;
    const { kappa, dKappa } = mixtureKappa(scheduler, t, fn);
    const c = last ? 0 : dKappa / (1 - kappa);
    const a = typeof divergenceFree === "number" ? divergenceFree : divergenceFree(t);
    if (!(Number.isFinite(a) && a >= 0)) throw new DomainError(fn, "options.divergenceFree", "be a finite number >= 0", `${describeValue(a)} at t = ${t}`);
    if (a > 0 && !last && kappa === 0) throw new DomainError(fn, "options.divergenceFree", "be 0 where kappa_t = 0 (its rate a kappa'/kappa is infinite there)", `${a} at t = ${t}`);
    const cDiv = a > 0 && !last ? (a * dKappa) / (kappa * (1 - kappa)) : 0;
    for (let r = 0; r < n * positions; r++) {
      const row = r * S;
      let total = 0;
      for (let y = 0; y < S; y++) {
        const py = p.data[row + y] as number;
        if (py < 0) throw new DomainError(fn, "model.posterior(xt, t)", "contain probabilities >= 0", `${py} at row ${r}, column ${y}`);
        total += py;
      }
      if (!(total > 0)) throw new DomainError(fn, "model.posterior(xt, t)", "have rows with a positive sum", `a zero row at row ${r}`);
      if (last) {
        x[r] = categorical(rng, p.data, row, S, total, -1);
        continue;
      }
      const state = x[r] as number;
      let lambda = 0;
      for (let y = 0; y < S; y++) {
        const py = (p.data[row + y] as number) / total;
        const ry = y === state ? 0 : c * py + (cDiv === 0 ? 0 : cDiv * ((1 - kappa) * ((p0 as Float64Array)[y] as number) + kappa * py));
        rates[y] = ry;
        lambda += ry;
      }
      const jump = Math.min(1, h * lambda);
      if (rng.uniform() < jump) x[r] = categorical(rng, rates, 0, S, lambda, state);
    }
  }
  const result: CtmcSampleResult = { x: tokens, nfe: steps, steps };
  if (intermediates) {
    trajectory.push(ndarray(Int32Array.from(x), [n, positions]));
    result.times = grid;
    result.trajectory = trajectory;
  }
  return result;
}

/** The nodes of the options: `timeGrid`, or `steps` equal steps from t0 to t1. */
function stepGrid(fn: string, options: CtmcSampleOptions): Float64Array {
  if (options.timeGrid !== undefined) {
    const g = checkTimeGrid(fn, "options.timeGrid", options.timeGrid);
    if (!((g[0] as number) >= 0 && (g[1] as number) > (g[0] as number) && (g[g.length - 1] as number) <= 1)) {
      throw new DomainError(fn, "options.timeGrid", "increase from t0 >= 0 to t1 <= 1", `[${g[0]}, ..., ${g[g.length - 1]}]`);
    }
    return g;
  }
  const steps = checkInteger(fn, "options.steps", options.steps ?? 100, 1, MAX_STEPS);
  const t0 = checkFinite(fn, "options.t0", options.t0 ?? 0);
  const t1 = checkFinite(fn, "options.t1", options.t1 ?? 1);
  if (!(t0 >= 0 && t0 < t1 && t1 <= 1)) throw new DomainError(fn, "options.t1", `be in (t0, 1] with t0 = ${t0} >= 0`, describeValue(t1));
  const g = new Float64Array(steps + 1);
  for (let step = 0; step < steps; step++) g[step] = t0 + ((t1 - t0) * step) / steps;
  g[steps] = t1;
  return g;
}

/** An index in [0, S) drawn with probability w[offset + y] / total, skipping `skip`. */
function categorical(rng: Random, w: Float64Array, offset: number, S: number, total: number, skip: number): number {
  let u = rng.uniform() * total;
  let last = -1;
  for (let y = 0; y < S; y++) {
    if (y === skip) continue;
    const wy = w[offset + y] as number;
    if (wy > 0) last = y;
    u -= wy;
    if (u < 0 && wy > 0) return y;
  }
  // Rounding can leave u >= 0 after the last positive weight: take that weight.
  return last;
}

import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { checkFinite, checkFiniteArray, checkInteger, checkMethods, checkOptions, MAX_DIM, MAX_STEPS } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import { maxAbs, TINY_TOTAL } from "../core/row-norm.js";
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
  /** Step grid, strictly increasing in [0, 1], 2 to MAX_STEPS + 1 nodes (e.g. `powerGrid(N, rho)`); overrides t0, t1 and steps. */
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
 * Posterior rows of any scale are normalised (divided by their largest entry first where their
 * sum overflows or is subnormal). Where the rate coefficients overflow (kappa_t subnormal with a
 * divergence-free term, or kappa' near the largest double) the rates are scaled to order 1 and
 * the jump probability is computed from logarithms, so the step stays exact.
 *
 * @param model - the posterior model
 * @param x0 - start tokens, shape [n, positions], states in [0, model.states)
 * @param options - scheduler, generator, time grid, source and divergence-free weight
 * @returns the final tokens and statistics
 * @throws {@link ShapeError} for a posterior of the wrong shape or source probabilities of the wrong length; {@link DomainError} for bad options
 *   (a `divergenceFree` that is not a number or function, a `source` without `probabilities()`, a `timeGrid` of more than MAX_STEPS + 1 nodes,
 *   a decreasing scheduler), negative or all-zero posterior rows, source probabilities that are negative or do not sum to 1, a divergence-free
 *   term without a source or where kappa_t = 0; {@link NonFiniteError} for NaN/Infinity in the posterior or the source probabilities
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
  if (typeof divergenceFree !== "number" && typeof divergenceFree !== "function") {
    throw new DomainError(fn, "options.divergenceFree", "be a number >= 0 or a function of t", describeValue(divergenceFree));
  }
  let p0: Float64Array | undefined;
  if (divergenceFree !== 0) p0 = sourceProbabilities(fn, source, S);

  const x = Int32Array.from(start.data);
  const tokens = ndarray(x, [n, positions]);
  const rates = new Float64Array(S);
  // a row normalised by its largest entry (rare: sums that overflow or are subnormal)
  const scaled = new Float64Array(S);
  const intermediates = options.returnIntermediates === true;
  const trajectory: Tokens[] = intermediates ? [ndarray(Int32Array.from(x), [n, positions])] : [];
  for (let step = 0; step < steps; step++) {
    if (step > 0 && intermediates) trajectory.push(ndarray(Int32Array.from(x), [n, positions]));
    const t = grid[step] as number;
    const tNext = grid[step + 1] as number;
    const h = tNext - t;
    const p = asBatch(fn, "model.posterior(xt, t)", model.posterior(tokens, t), { rows: n * positions, dim: S });
    const kappaNext = mixtureKappa(scheduler, tNext, fn).kappa;
    const last = kappaNext === 1;
    const { kappa, dKappa } = mixtureKappa(scheduler, t, fn);
    if (kappa === 1 && !last) {
      throw new DomainError(fn, "scheduler", "have kappa_t non-decreasing (kappa_t = 1 only at the end)", `kappa = 1 at t = ${t}, ${kappaNext} at t = ${tNext}`);
    }
    let c = last ? 0 : dKappa / (1 - kappa);
    const a = typeof divergenceFree === "number" ? divergenceFree : divergenceFree(t);
    if (!(Number.isFinite(a) && a >= 0)) throw new DomainError(fn, "options.divergenceFree", "be a finite number >= 0", `${describeValue(a)} at t = ${t}`);
    if (a > 0 && !last && kappa === 0) throw new DomainError(fn, "options.divergenceFree", "be 0 where kappa_t = 0 (its rate a kappa'/kappa is infinite there)", `${a} at t = ${t}`);
    let cDiv = a > 0 && !last ? (a * dKappa) / (kappa * (1 - kappa)) : 0;
    // The rates are r(y) = c p(y) + cDiv q(y), q = (1 - kappa) p0 + kappa p, so their sum is at most
    // c + cDiv. Where that overflows (kappa subnormal with a divergence-free term: 1/kappa > 2^1024;
    // an absurd kappa'), write r = F w with w = c' p + cDiv' q of order 1 and take the jump
    // probability h F sum w from logarithms: F = kappa' m / (kappa (1 - kappa)), c' = kappa / m,
    // cDiv' = a / m, m = max(kappa, a); without the term F = kappa' / (1 - kappa), c' = 1.
    // Ordinary steps (logStep NaN) keep their arithmetic, and their draws.
    let logStep = Number.NaN;
    if (!(c + cDiv <= 2 ** 1000)) {
      const m = Math.max(kappa, a);
      logStep = Math.log(h) + Math.log(dKappa) - Math.log1p(-kappa) + (a > 0 ? Math.log(m) - Math.log(kappa) : 0);
      c = a > 0 ? kappa / m : 1;
      cDiv = a > 0 ? a / m : 0;
    }
    for (let r = 0; r < n * positions; r++) {
      const row = r * S;
      let total = 0;
      for (let y = 0; y < S; y++) {
        const py = p.data[row + y] as number;
        if (py < 0) throw new DomainError(fn, "model.posterior(xt, t)", "contain probabilities >= 0", `${py} at row ${r}, column ${y}`);
        total += py;
      }
      // A sum that overflows (entries near the largest double) or is so small that u * total loses
      // bits (subnormal entries): normalise by the row's largest entry first, into `scaled`.
      // Ordinary rows are read in place, so their draws keep their bits.
      let w: Float64Array = p.data;
      let offset = row;
      if (!(total >= TINY_TOTAL && total <= Number.MAX_VALUE)) {
        const max = maxAbs(p.data, row, S);
        if (max > 0) {
          total = 0;
          for (let y = 0; y < S; y++) {
            const q = (p.data[row + y] as number) / max;
            scaled[y] = q;
            total += q;
          }
          w = scaled;
          offset = 0;
        }
      }
      if (!(total > 0)) throw new DomainError(fn, "model.posterior(xt, t)", "have rows with a positive sum", `a zero row at row ${r}`);
      if (last) {
        x[r] = categorical(rng, w, offset, S, total, -1);
        continue;
      }
      const state = x[r] as number;
      let lambda = 0;
      for (let y = 0; y < S; y++) {
        const py = (w[offset + y] as number) / total;
        const ry = y === state ? 0 : c * py + (cDiv === 0 ? 0 : cDiv * ((1 - kappa) * ((p0 as Float64Array)[y] as number) + kappa * py));
        rates[y] = ry;
        lambda += ry;
      }
      const jump = logStep !== logStep ? Math.min(1, h * lambda) : lambda > 0 ? Math.min(1, Math.exp(logStep + Math.log(lambda))) : 0;
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
    // the same limit as options.steps, checked before the grid is copied
    const length = (options.timeGrid as { length?: unknown } | null)?.length;
    if (typeof length === "number" && length > MAX_STEPS + 1) {
      throw new DomainError(fn, "options.timeGrid", `have at most ${MAX_STEPS + 1} nodes (${MAX_STEPS} steps, the limit of options.steps)`, `length ${length}`);
    }
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

/**
 * p0 of the source of a divergence-free term: a DiscreteSource with S states whose
 * `probabilities()` has S finite entries >= 0 summing to 1 (within rounding). Returns a copy.
 */
function sourceProbabilities(fn: string, source: DiscreteSource | undefined, S: number): Float64Array {
  if (source === undefined) throw new DomainError(fn, "options.source", "be given with a divergence-free term", "undefined");
  checkMethods(fn, "options.source", source, ["probabilities"], "a DiscreteSource { states, probabilities() }");
  if (source.states !== S) throw new DomainError(fn, "options.source", `have ${S} states like the model`, describeValue(source.states));
  const given = source.probabilities() as unknown;
  const argument = "options.source.probabilities()";
  if (given === null || typeof given !== "object" || (given as ArrayLike<number>).length !== S) {
    throw new ShapeError(fn, argument, `be an array of ${S} probabilities (one per state)`, describeValue(given));
  }
  const p0 = Float64Array.from(checkFiniteArray(fn, argument, given as ArrayLike<number>));
  let total = 0;
  for (let y = 0; y < S; y++) {
    const v = p0[y] as number;
    if (v < 0) throw new DomainError(fn, argument, "contain probabilities >= 0", `${v} at index ${y}`);
    total += v;
  }
  // the rounding of S <= 2^20 terms such as 1/K is below 1e-9; 1e-6 also admits float32 sources
  if (!(Math.abs(total - 1) <= 1e-6)) throw new DomainError(fn, argument, "sum to 1 (within 1e-6)", describeValue(total));
  return p0;
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

import ndarray from "ndarray";
import type { NdArray } from "ndarray";
import { asBatch } from "../core/batch.js";
import { checkBoolean, checkInRange, checkInteger, checkNonNegative, checkPositive, checkOptions, checkFiniteResult } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeShape } from "../core/format.js";
import type { CostMatrix } from "./cost.js";
import { runSinkhorn, type EngineInput, type EngineOutput } from "./sinkhorn-engine.js";
import { normalizeCostData, readPolicy, reportConvergence, type NonConvergencePolicy, type TransportStatus } from "./status.js";
import { toWeights, total, type Weights } from "./weights.js";

/**
 * Options of {@link sinkhorn}.
 *
 * @category Couplings
 */
export interface SinkhornOptions {
  /** Entropic regularisation epsilon > 0, in cost units. */
  reg: number;
  /** Most iterations (one column and one row update each); default 10000. */
  maxIterations?: number;
  /** Stop when `||P 1 - a||_1 + ||P^T 1 - b||_1 <= tolerance * sum(a)`; default 1e-9. 0 runs exactly maxIterations. */
  tolerance?: number;
  /**
   * Epsilon scaling: first solve at reg 2^k (from about a tenth of the cost range) and halve,
   * warm-starting each stage; iterations count all stages. Default true: on clustered data
   * (8 Gaussians -> moons) plain Sinkhorn at reg 0.01 stalls for 1e5 iterations.
   */
  epsilonScaling?: boolean;
  /**
   * Over-relaxation weight omega in [1, 2): `f <- (1 - omega) f + omega f_sinkhorn` (Thibault et al.
   * 2017). Default 1 (plain Sinkhorn); it falls back to 1 if the error grows tenfold.
   */
  overRelaxation?: number;
  /** Throw a {@link ConvergenceError} (carrying the result) instead of returning `converged: false`; default false. Same as `onNonConvergence: 'throw'`. */
  strict?: boolean;
  /** On hitting maxIterations: `'throw'`, `'warn'` or `'ignore'` (default; `'throw'` when strict). The result says `converged: false` either way. */
  onNonConvergence?: NonConvergencePolicy;
  /**
   * Solve on `C / max C` (torchcfm's normalize_cost): reg is then relative to the largest
   * cost; the potentials and cost are reported in C's units. Default false.
   */
  normalizeCost?: boolean;
}

/**
 * The result of an entropic transport solve.
 *
 * @category Couplings
 */
export interface SinkhornResult extends TransportStatus {
  /** Transport plan P, shape [n, m]: `P_ij = exp((f_i + g_j - C_ij) / reg)`. */
  plan: NdArray<Float64Array>;
  /** Row dual potential f (cost units), length n. */
  f: Float64Array;
  /** Column dual potential g (cost units), length m. */
  g: Float64Array;
}

/**
 * Entropic optimal transport by Sinkhorn's iteration in the log domain: the plan
 * `P = argmin <P, C> - reg H(P)` with marginals `P 1 = a`, `P^T 1 = b`, given as
 * `P_ij = exp((f_i + g_j - C_ij) / reg)` through the alternating dual updates
 * `g_j = reg ln b_j - reg LSE_i((f_i - C_ij) / reg)` and
 * `f_i = reg ln a_i - reg LSE_j((g_j - C_ij) / reg)`.
 *
 * Exponentials of `-C / reg` never underflow a whole row (costs up to ~160 at reg 0.01 are
 * fine): the potentials are absorbed into a stabilised kernel, with exact log-sum-exp
 * updates for any row or column whose kernel sum gets tiny, so an iteration costs two
 * matrix-vector products. Stopping rule: after each row update (rows then match a exactly)
 * the L1 column error `||P^T 1 - b||_1` is compared with `tolerance * sum(a)`; it is checked
 * every iteration, at the cost of one pass over b. The loop never runs past maxIterations.
 *
 * @param a - source weights (length n, > 0) or null for uniform 1/n
 * @param b - target weights (length m, > 0, same sum as a) or null for uniform 1/m
 * @param cost - cost matrix, shape [n, m], finite
 * @param options - regularisation and stopping rule
 * @returns the plan, potentials, cost, iterations, convergence flag and final marginal error
 * @throws {@link NonFiniteError} for NaN/infinite costs or weights, or a plan or potential that overflows; {@link DomainError} for
 * weights <= 0, unequal weight sums (relative difference > 1e-9) or a bad option;
 * {@link ShapeError} for mismatched lengths; {@link ConvergenceError} with `strict` or `onNonConvergence: 'throw'` when not converged
 * @example
 * ```ts
 * const r = sinkhorn(null, null, fromRows([[0, 1], [1, 0]]), { reg: 0.1 });
 * r.plan.get(0, 0) // => 0.4999773... (close to the exact plan's 0.5)
 * r.converged // => true
 * ```
 * @category Couplings
 */
export function sinkhorn(a: Weights, b: Weights, cost: CostMatrix, options: SinkhornOptions): SinkhornResult {
  options = checkOptions("sinkhorn", "options", options, true);
  const fn = "sinkhorn";
  const c = asBatch(fn, "cost", cost);
  const n = c.shape[0] as number, m = c.shape[1] as number;
  if (n === 0 || m === 0) throw new ShapeError(fn, "cost", "have at least one row and one column", describeShape(c.shape));
  const { reg, maxIterations, tolerance, epsilonScaling, overRelaxation, onNonConvergence, normalizeCost } = readOptions(fn, options);
  const wa = toWeights(fn, "a", a, n), wb = toWeights(fn, "b", b, m);
  const sa = total(wa), sb = total(wb);
  if (Math.abs(sa - sb) > 1e-9 * Math.max(sa, sb)) {
    throw new DomainError(fn, "b", `sum to the same total as a (${sa})`, `sum ${sb}`);
  }
  const { data, scale } = normalizeCostData(c.data, normalizeCost, fn);
  const r = anneal({
    a: wa, b: wb, cost: data, n, m, reg, phiA: 1, phiB: 1, maxIterations, tolerance: tolerance * sa, criterion: "marginal", omega: overRelaxation,
  }, epsilonScaling, sa);
  scalePotentials(r.f, r.g, scale);
  const result = finish(r.plan, c.data, wa, wb, n, m, r.f, r.g, r.iterations, r.converged);
  checkFiniteResult(fn, "plan", result.plan.data);
  checkFiniteResult(fn, "f", result.f);
  checkFiniteResult(fn, "g", result.g);
  return reportConvergence(fn, onNonConvergence, result, `tolerance ${tolerance}`);
}

/** Potentials computed on C / scale, back in C's units. @internal */
export function scalePotentials(f: Float64Array, g: Float64Array, scale: number): void {
  if (scale === 1) return;
  for (let i = 0; i < f.length; i++) f[i] = (f[i] as number) * scale;
  for (let j = 0; j < g.length; j++) g[j] = (g[j] as number) * scale;
}

/** Reads and validates the options shared by the Sinkhorn solvers. @internal */
export function readOptions(fn: string, options: SinkhornOptions): Required<SinkhornOptions> {
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object with reg", String(options));
  const strict = checkBoolean(fn, "options.strict", options.strict, false);
  return {
    onNonConvergence: readPolicy(fn, options.onNonConvergence, strict ? "throw" : "ignore"),
    normalizeCost: checkBoolean(fn, "options.normalizeCost", options.normalizeCost, false),
    reg: checkPositive(fn, "options.reg", options.reg),
    maxIterations: checkInteger(fn, "options.maxIterations", options.maxIterations ?? 10000, 1),
    tolerance: checkNonNegative(fn, "options.tolerance", options.tolerance ?? 1e-9),
    strict: checkBoolean(fn, "options.strict", options.strict, false),
    epsilonScaling: checkBoolean(fn, "options.epsilonScaling", options.epsilonScaling, true),
    overRelaxation: checkInRange(fn, "options.overRelaxation", options.overRelaxation ?? 1, 1, 1.99),
  };
}

/** Builds the public result from the engine's plan: cost and exact marginal error. @internal */
export function finish(plan: Float64Array, C: Float64Array, a: Float64Array, b: Float64Array, n: number, m: number,
  f: Float64Array, g: Float64Array, iterations: number, converged: boolean): SinkhornResult {
  const colSums = new Float64Array(m);
  let cost = 0, rowError = 0;
  for (let i = 0; i < n; i++) {
    const o = i * m;
    let r = 0;
    for (let j = 0; j < m; j++) {
      const pij = plan[o + j] as number;
      r += pij;
      cost += pij * (C[o + j] as number);
      colSums[j] = (colSums[j] as number) + pij;
    }
    rowError += Math.abs(r - (a[i] as number));
  }
  let colError = 0;
  for (let j = 0; j < m; j++) colError += Math.abs((colSums[j] as number) - (b[j] as number));
  return { plan: ndarray(plan, [n, m]), f, g, cost, iterations, converged, marginalError: rowError + colError };
}

/**
 * Epsilon scaling (Kosowsky & Yuille 1994; Schmitzer 2019, sec. 3.2): solve at
 * reg_k = reg 2^k from k with reg_k about a tenth of the cost range down to k = 0, each stage
 * warm-started from the previous potentials. Intermediate stages stop at a loose tolerance;
 * iterations are counted over all stages and never exceed maxIterations. @internal
 */
export function anneal(base: EngineInput, scaling: boolean, mass: number): EngineOutput {
  if (!scaling) return runSinkhorn(base);
  let lo = Infinity, hi = -Infinity;
  for (let k = 0; k < base.cost.length; k++) { const x = base.cost[k] as number; if (x < lo) lo = x; if (x > hi) hi = x; }
  const regs = [base.reg];
  // hi / 10 - lo / 10 stays finite for finite costs (hi - lo can overflow, and the doubling never ended)
  const top = hi / 10 - lo / 10;
  while ((regs[0] as number) * 2 <= top) regs.unshift((regs[0] as number) * 2);
  let remaining = base.maxIterations, used = 0;
  let f0: Float64Array | undefined, g0: Float64Array | undefined;
  for (let k = 0; k < regs.length - 1 && remaining > 1; k++) {
    const stage = runSinkhorn({
      ...base, reg: regs[k] as number, maxIterations: Math.min(remaining - 1, 500),
      tolerance: Math.max(base.tolerance, 1e-4 * mass), ...(f0 && g0 ? { f0, g0 } : {}),
    });
    remaining -= stage.iterations; used += stage.iterations;
    f0 = stage.f; g0 = stage.g;
  }
  const last = runSinkhorn({ ...base, maxIterations: Math.max(1, remaining), ...(f0 && g0 ? { f0, g0 } : {}) });
  return { ...last, iterations: used + last.iterations };
}

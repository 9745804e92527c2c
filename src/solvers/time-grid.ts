import { checkCount, checkFinite, checkInteger, checkPositive, MAX_STEPS } from "../core/check.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import { pow } from "../core/pow.js";

/**
 * Interval of a step grid: from `t0` (default 0, the source) to `t1` (default 1, the data);
 * t1 < t0 gives a decreasing grid.
 *
 * @category Solvers
 */
export interface GridInterval {
  /** First node (default 0). */
  t0?: number;
  /** Last node (default 1), different from t0. */
  t1?: number;
}

/**
 * The uniform step grid t_i = t0 + (t1 - t0) i / N, i = 0..N, with t_N = t1 exactly: the
 * nodes of `options.steps = N`, for `timeGrid` of {@link sample}, {@link integrate},
 * the likelihood solvers, `riemannianSample` and `ctmcSample`.
 *
 * @param steps - N, the number of steps (integer >= 1)
 * @param interval - the end points; see {@link GridInterval}
 * @returns N + 1 strictly monotone nodes from t0 to t1
 * @throws {@link DomainError} for steps < 1, t0 = t1 or an interval whose length t1 - t0 overflows; {@link NonFiniteError} for non-finite ends
 * @example
 * ```ts
 * uniformGrid(4) // => Float64Array [0, 0.25, 0.5, 0.75, 1]
 * ```
 * @category Solvers
 */
export function uniformGrid(steps: number, interval: GridInterval = {}): Float64Array {
  return build("uniformGrid", steps, interval, (s) => s);
}

/**
 * A power (EDM-style) step grid, denser near t1 for rho > 1: with s = i / N,
 * t_i = t0 + (t1 - t0) (1 - (1 - s)^rho). Karras et al. (2022, eq. 5) space noise levels as
 * sigma^(1/rho) uniformly with rho = 7 so that steps shrink towards the data; here t = 1 is the
 * data, so the same idea makes steps shrink towards t1. rho = 1 is {@link uniformGrid}; rho < 1
 * is denser near t0.
 *
 * @param steps - N, the number of steps (integer >= 1)
 * @param rho - the exponent, > 0
 * @param interval - the end points; see {@link GridInterval}
 * @returns N + 1 strictly monotone nodes from t0 to t1 (exact end points)
 * @throws {@link DomainError} for rho <= 0 (negative rho included), steps < 1, t0 = t1, an interval whose length t1 - t0 overflows, or when the last step
 *   |t1 - t0| N^-rho falls below the rounding of t1 (nodes would repeat); {@link NonFiniteError} for a non-finite rho or end
 * @example
 * ```ts
 * powerGrid(2, 2) // => Float64Array [0, 0.75, 1]
 * ```
 * @category Solvers
 */
export function powerGrid(steps: number, rho: number, interval: GridInterval = {}): Float64Array {
  const r = checkPositive("powerGrid", "rho", rho);
  return build("powerGrid", steps, interval, (s) => 1 - pow(1 - s, r));
}

/**
 * The cosine step grid, dense near both ends: with s = i / N, t_i = t0 + (t1 - t0) (1 - cos(pi s)) / 2.
 *
 * @param steps - N, the number of steps (integer >= 1)
 * @param interval - the end points; see {@link GridInterval}
 * @returns N + 1 strictly monotone nodes from t0 to t1 (exact end points)
 * @throws {@link DomainError} for steps < 1, t0 = t1 or an interval whose length t1 - t0 overflows; {@link NonFiniteError} for non-finite ends
 * @example
 * ```ts
 * cosineGrid(2) // => Float64Array [0, 0.5, 1] (0.4999999999999999 in the middle)
 * ```
 * @category Solvers
 */
export function cosineGrid(steps: number, interval: GridInterval = {}): Float64Array {
  return build("cosineGrid", steps, interval, (s) => (1 - Math.cos(Math.PI * s)) / 2);
}

/** Nodes t0 + (t1 - t0) shape(i / N), ends exact, checked strictly monotone. */
function build(fn: string, steps: number, interval: GridInterval, shape: (s: number) => number): Float64Array {
  const n = checkInteger(fn, "steps", steps, 1, MAX_STEPS);
  if (interval === null || typeof interval !== "object") throw new DomainError(fn, "interval", "be an object { t0?, t1? }", describeValue(interval));
  const t0 = checkFinite(fn, "interval.t0", interval.t0 ?? 0);
  const t1 = checkFinite(fn, "interval.t1", interval.t1 ?? 1);
  if (t0 === t1) throw new DomainError(fn, "interval.t1", `differ from t0 = ${t0}`, describeValue(t1));
  checkSpan(fn, "interval.t1", t0, t1);
  const grid = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) grid[i] = t0 + (t1 - t0) * shape(i / n);
  grid[0] = t0;
  grid[n] = t1;
  return checkTimeGrid(fn, "steps", grid);
}

/**
 * @internal Checks that the interval from t0 to t1 (finite ends) has a finite length: a
 * DomainError naming `argument` (the option that holds t1) when t1 - t0 overflows.
 */
export function checkSpan(fn: string, argument: string, t0: number, t1: number): void {
  if (!Number.isFinite(t1 - t0)) throw new DomainError(fn, argument, `be within a finite distance of t0 = ${t0} (t1 - t0 overflows)`, describeValue(t1));
}

/**
 * @internal Validates a step grid: an array of at least 2 finite numbers, strictly increasing
 * or strictly decreasing. Returns a Float64Array copy.
 */
export function checkTimeGrid(fn: string, argument: string, grid: ArrayLike<number>): Float64Array {
  if (grid === null || typeof grid !== "object" || typeof grid.length !== "number") {
    throw new DomainError(fn, argument, "be an array of times", describeValue(grid));
  }
  const length = grid.length;
  if (!(length >= 2)) throw new DomainError(fn, argument, "have at least 2 times", `length ${describeValue(length)}`);
  const out = new Float64Array(checkCount(fn, `${argument}.length`, length, 2));
  for (let k = 0; k < out.length; k++) out[k] = checkFinite(fn, `${argument}[${k}]`, grid[k]);
  const dir = Math.sign((out[1] as number) - (out[0] as number));
  for (let k = 1; k < out.length; k++) {
    const step = (out[k] as number) - (out[k - 1] as number);
    if (dir === 0 || Math.sign(step) !== dir) {
      throw new DomainError(fn, `${argument}[${k}]`, `make the grid strictly monotone (after ${out[k - 1]})`, describeValue(out[k]));
    }
    // a step that overflows (nodes of opposite sign near the float64 limit) cannot be taken
    if (!Number.isFinite(step)) {
      throw new DomainError(fn, `${argument}[${k}]`, `be within a finite distance of the node before it, ${out[k - 1]} (the step overflows)`, describeValue(out[k]));
    }
  }
  return out;
}

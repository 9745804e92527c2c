import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { checkBoolean, checkFinite, checkInteger, checkOptions, MAX_STEPS } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { VelocityField } from "../core/interfaces.js";
import ndarray from "ndarray";
import { Manifold } from "./manifold.js";
import { callerError } from "./row-guard.js";

/** Explicit Runge–Kutta methods of {@link riemannianSample}. @category Manifolds */
export type RiemannianMethod = "euler" | "midpoint" | "rk4";

/**
 * How {@link riemannianSample} moves from a point by an increment: `"projection"` takes the
 * step in the embedding and projects it back, projx(x + delta), which keeps the method's
 * classical order (a projection method, Hairer–Lubich–Wanner, Geometric Numerical
 * Integration, IV.4); `"expmap"` follows the geodesic, exp_x(proju(x, delta)), which is exact
 * for Euler on the manifold but limits midpoint and rk4 to order 2 on curved manifolds
 * (tangent vectors of the stages are compared by projection, not transport). On flat
 * manifolds (Euclidean, torus) the two coincide.
 *
 * @category Manifolds
 */
export type RiemannianUpdate = "projection" | "expmap";

/** Options of {@link riemannianSample}. @category Manifolds */
export interface RiemannianSampleOptions {
  /** Runge–Kutta method (default `"rk4"`). */
  method?: RiemannianMethod;
  /** Time grid, strictly increasing or strictly decreasing, at least 2 points; overrides t0, t1, steps. */
  grid?: ArrayLike<number>;
  /** Start time (default 0). */
  t0?: number;
  /** End time (default 1); t1 < t0 integrates backwards. */
  t1?: number;
  /** Number of equal steps from t0 to t1 (default 100). */
  steps?: number;
  /** How a step is applied (default `"projection"`). */
  update?: RiemannianUpdate;
  /** Also return the points at every grid node, the start included, in `times` and `trajectory` (default false). */
  returnIntermediates?: boolean;
}

/** Result of {@link riemannianSample}. @category Manifolds */
export interface RiemannianSampleResult {
  /** The points at the last grid time, on the manifold, shape [n, dim]. */
  x: Batch;
  /** Number of velocity evaluations (batched calls). */
  nfe: number;
  /** Number of steps taken. */
  steps: number;
  /** With `returnIntermediates`: the grid's nodes (a copy). */
  times?: Float64Array;
  /** With `returnIntermediates`: `trajectory[k]` is the points at `times[k]`, shape [n, dim]. */
  trajectory?: Batch[];
}

const TABLEAUX: Record<RiemannianMethod, { a: number[][]; b: number[]; c: number[] }> = {
  euler: { a: [[]], b: [1], c: [0] },
  midpoint: { a: [[], [0.5]], b: [0, 1], c: [0, 0.5] },
  rk4: { a: [[], [0.5], [0, 0.5], [0, 0, 1]], b: [1 / 6, 1 / 3, 1 / 3, 1 / 6], c: [0, 0.5, 0.5, 1] },
};

/**
 * Integrates dx/dt = u_t(x) on a manifold with an explicit Runge–Kutta method, projecting
 * every stage velocity onto the tangent space at its stage point (proju) and every stage
 * point onto the manifold (projx or expmap, see {@link RiemannianUpdate}), so that the
 * result stays on the manifold to rounding. The grid may start at any time and run in
 * either direction.
 *
 * @param field - the velocity field, of dimension `manifold.dim` (its output need not be tangent)
 * @param manifold - the manifold
 * @param x0 - start points, shape [n, dim]; they are first projected onto the manifold
 * @param options - method, time grid, update rule
 * @returns the end points and statistics
 * @throws {@link ShapeError} when the field's or x0's dimension differs from the manifold's; {@link DomainError} for a
 *   bad method, update, returnIntermediates or grid (not an array, fewer than 2 times, not monotone, steps beyond the
 *   float64 range), or a point the manifold cannot project (x0 or a step onto the origin of a sphere);
 *   {@link NonFiniteError} for non-finite input or an overflow in a step (all named riemannianSample)
 * @example
 * ```ts
 * const rotate = { dim: 2, evaluate: (x: Batch) => fromRows(toRows(x).map(([a, b]) => [-b!, a!])) };
 * riemannianSample(rotate, sphere(2), fromRows([[1, 0]]), { t1: Math.PI / 2, steps: 20 }).x.data
 * // => ~[1.9e-7, 0.99999999999998] (exact: [0, 1])
 * ```
 * @category Manifolds
 */
export function riemannianSample(
  field: VelocityField, manifold: Manifold, x0: Batch, options: RiemannianSampleOptions = {},
): RiemannianSampleResult {
  options = checkOptions("riemannianSample", "options", options);
  const fn = "riemannianSample";
  if (!(manifold instanceof Manifold)) throw new DomainError(fn, "manifold", "be a Manifold", describeValue(manifold));
  if (field === null || typeof field !== "object" || typeof field.evaluate !== "function") {
    throw new DomainError(fn, "field", "be a VelocityField with evaluate(x, t)", describeValue(field));
  }
  const d = manifold.dim;
  if (field.dim !== d) throw new ShapeError(fn, "field.dim", `equal the manifold's dim ${d}`, describeValue(field.dim));
  const start = asBatch(fn, "x0", x0, { dim: d });
  const n = start.shape[0] as number;
  const method = options.method ?? "rk4";
  const tableau = TABLEAUX[method];
  if (!Object.hasOwn(TABLEAUX, method)) throw new DomainError(fn, "options.method", `be one of ${Object.keys(TABLEAUX).join(", ")}`, describeValue(method));
  const update = options.update ?? "projection";
  if (update !== "projection" && update !== "expmap") throw new DomainError(fn, "options.update", "be \"projection\" or \"expmap\"", describeValue(update));
  const intermediates = checkBoolean(fn, "options.returnIntermediates", options.returnIntermediates, false);
  const grid = timeGrid(fn, options);

  let x: Batch;
  try {
    x = manifold.projx(start);
  } catch (error) {
    throw callerError(error, fn, { x: "x0" }, "x0");
  }
  const trajectory: Batch[] = intermediates ? [ndarray(Float64Array.from(x.data), [n, d])] : [];
  const s = tableau.b.length;
  const k: Batch[] = [];
  for (let i = 0; i < s; i++) k.push(ndarray(new Float64Array(n * d), [n, d]));
  const delta = ndarray(new Float64Array(n * d), [n, d]);
  let nfe = 0;

  const move = (from: Batch, increment: Batch): Batch =>
    update === "projection"
      ? manifold.projx(ndarray(from.data.map((v, j) => v + (increment.data[j] as number)), [n, d]))
      : manifold.expmap(from, manifold.proju(from, increment));

  let step = 0;
  try {
    for (; step + 1 < grid.length; step++) {
      const t = grid[step] as number;
      const h = (grid[step + 1] as number) - t;
      for (let i = 0; i < s; i++) {
        let y = x;
        const row = tableau.a[i] as number[];
        if (row.length > 0) {
          combine(delta.data, k, row, h);
          y = move(x, delta);
        }
        const v = field.evaluate(y, t + (tableau.c[i] as number) * h);
        nfe++;
        manifold.proju(y, asBatch(fn, "field.evaluate(x, t)", v, { dim: d, rows: n }), k[i]);
      }
      combine(delta.data, k, tableau.b, h);
      x = move(x, delta);
      if (intermediates) trajectory.push(ndarray(Float64Array.from(x.data), [n, d]));
    }
  } catch (error) {
    // an increment the manifold cannot take (a point moved onto the origin of a sphere, an overflow)
    throw callerError(error, fn, {}, `x (step ${step + 1} of ${grid.length - 1}, from t = ${grid[step]}; take more steps or rescale the field)`);
  }
  const result: RiemannianSampleResult = { x, nfe, steps: grid.length - 1 };
  if (intermediates) {
    result.times = Float64Array.from(grid);
    result.trajectory = trajectory;
  }
  return result;
}

/** delta = h * sum_j w_j k_j. */
function combine(delta: Float64Array, k: readonly Batch[], w: readonly number[], h: number): void {
  delta.fill(0);
  for (let j = 0; j < w.length; j++) {
    const c = h * (w[j] as number);
    if (c === 0) continue;
    const kj = (k[j] as Batch).data;
    for (let m = 0; m < delta.length; m++) delta[m] = (delta[m] as number) + c * (kj[m] as number);
  }
}

/** The time grid of the options: the explicit grid, or `steps` equal steps from t0 to t1. */
function timeGrid(fn: string, options: RiemannianSampleOptions): Float64Array {
  if (options.grid !== undefined) {
    const grid: unknown = options.grid;
    if (!Array.isArray(grid) && !(ArrayBuffer.isView(grid) && !(grid instanceof DataView))) {
      throw new DomainError(fn, "options.grid", "be an array of times", describeValue(grid));
    }
    const list = grid as ArrayLike<unknown>;
    if (list.length < 2) throw new DomainError(fn, "options.grid", "have at least 2 times", describeValue(grid));
    if (list.length - 1 > MAX_STEPS) throw new DomainError(fn, "options.grid", `have at most ${MAX_STEPS + 1} times`, `${list.length} times`);
    const g = new Float64Array(list.length);
    for (let i = 0; i < g.length; i++) g[i] = checkFinite(fn, `options.grid[${i}]`, list[i]);
    const sign = Math.sign((g[1] as number) - (g[0] as number));
    for (let i = 1; i < g.length; i++) {
      const step = (g[i] as number) - (g[i - 1] as number);
      if (sign === 0 || Math.sign(step) !== sign) {
        throw new DomainError(fn, "options.grid", "be strictly increasing or strictly decreasing", describeValue(grid));
      }
      if (!Number.isFinite(step)) throw new DomainError(fn, "options.grid", "have steps within the float64 range", `${describeValue(g[i - 1])} to ${describeValue(g[i])}`);
    }
    return g;
  }
  const t0 = checkFinite(fn, "options.t0", options.t0 ?? 0);
  const t1 = checkFinite(fn, "options.t1", options.t1 ?? 1);
  const steps = checkInteger(fn, "options.steps", options.steps ?? 100, 1, MAX_STEPS);
  if (t0 === t1) throw new DomainError(fn, "options.t1", `differ from t0 = ${t0}`, describeValue(t1));
  if (!Number.isFinite(t1 - t0)) throw new DomainError(fn, "options.t1", `be within the float64 range of t0 = ${t0} (t1 - t0 overflows)`, describeValue(t1));
  const g = new Float64Array(steps + 1);
  for (let i = 0; i <= steps; i++) g[i] = t0 + ((t1 - t0) * i) / steps;
  g[steps] = t1;
  return g;
}

import { asBatch } from "../core/batch.js";
import { checkBoolean, checkFiniteResult, checkInteger, checkOptions } from "../core/check.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeShape, describeValue } from "../core/format.js";
import type { CostMatrix } from "./cost.js";
import { networkSimplex } from "./network-simplex.js";
import { normalizeCostData, readPolicy, reportConvergence, type NonConvergencePolicy, type TransportStatus } from "./status.js";
import type { Weights } from "./weights.js";

/**
 * A transport plan in coordinate form: `P[rows[k], columns[k]] = values[k]`, every other
 * entry zero. Exact OT plans are sparse: a basic solution has at most n + m - 1 cells.
 *
 * @category Couplings
 */
export interface SparsePlan {
  /** Rows of the plan (source points). */
  n: number;
  /** Columns of the plan (target points). */
  m: number;
  /** Row index of each positive cell. */
  rows: Int32Array;
  /** Column index of each positive cell. */
  columns: Int32Array;
  /** Mass of each cell, > 0. */
  values: Float64Array;
}

/**
 * Options of {@link emd}.
 *
 * @category Couplings
 */
export interface EmdOptions {
  /** Most simplex pivots (default `max(100000, 100 (n + m))`). */
  maxIterations?: number;
  /** On hitting maxIterations (default `'ignore'`: the status says `converged: false`). */
  onNonConvergence?: NonConvergencePolicy;
  /** Solve on `C / max C` (torchcfm's normalize_cost); the plan is the same up to ties, cost and duals stay in C's units. Default false. */
  normalizeCost?: boolean;
}

/**
 * The result of {@link emd}: the plan, its status and the dual certificate.
 *
 * @category Couplings
 */
export interface EmdResult extends TransportStatus {
  /** The optimal plan, sparse (at most n + m - 1 cells). */
  plan: SparsePlan;
  /** Row potentials: `u_i + v_j <= C_ij` for all i, j (up to rounding), equality on the plan's cells. */
  u: Float64Array;
  /** Column potentials. */
  v: Float64Array;
}

/**
 * Exact optimal transport (earth mover's distance), POT's `ot.emd`:
 * `P = argmin sum_ij C_ij P_ij` over plans with `P 1 = a`, `P^T 1 = b`, `P >= 0`, solved by
 * the network simplex with block-search pivoting. Optimality is certified by the returned
 * potentials: `u_i + v_j <= C_ij` everywhere with equality where `P_ij > 0`, so
 * `sum_i a_i u_i + sum_j b_j v_j` equals the cost (strong duality). With uniform weights the
 * supplies are the integers m and n, so the flows are exact and, for n = m, the plan is a
 * permutation with mass 1/n per cell.
 *
 * b is rescaled to a's total (as POT does) after checking that the totals agree to 1e-9
 * relative; zero weights are allowed (those points get no mass).
 *
 * @param a - source weights (length n, >= 0, positive total) or null for uniform 1/n
 * @param b - target weights (length m, >= 0, same total) or null for uniform 1/m
 * @param cost - cost matrix, shape [n, m], finite
 * @param options - iteration limit, non-convergence policy, cost normalisation
 * @returns the sparse plan, its cost, the potentials, iterations, convergence and marginal error
 * @throws {@link ShapeError} for a non-matrix, an empty one or weights of the wrong length;
 * {@link NonFiniteError} for NaN/infinite costs or weights, or potentials past the float64 range (costs near
 * 1e308); {@link DomainError} for negative weights, a zero or overflowing total, unequal totals or a bad option;
 * {@link ConvergenceError} with `onNonConvergence: 'throw'`
 * @example
 * ```ts
 * const r = emd([0.5, 0.5], [0.25, 0.75], fromRows([[0, 1], [1, 0]]));
 * r.cost // => 0.25
 * Array.from(r.plan.values) // => [0.25, 0.25, 0.5] (cells (0,0), (0,1), (1,1) in some order)
 * ```
 * @category Couplings
 */
export function emd(a: Weights, b: Weights, cost: CostMatrix, options: EmdOptions = {}): EmdResult {
  options = checkOptions("emd", "options", options);
  return solveEmd(a, b, asBatch("emd", "cost", cost), options);
}

/** {@link emd} on a cost matrix already checked to be a finite contiguous [n, m] batch (pairwiseCost's output). @internal */
export function solveEmd(a: Weights, b: Weights, c: CostMatrix, options: EmdOptions): EmdResult {
  const fn = "emd";
  const n = c.shape[0] as number, m = c.shape[1] as number;
  if (n === 0 || m === 0) throw new ShapeError(fn, "cost", "have at least one row and one column", describeShape(c.shape));
  const policy = readPolicy(fn, options.onNonConvergence, "ignore");
  const maxIterations = checkInteger(fn, "options.maxIterations", options.maxIterations ?? Math.max(100000, 100 * (n + m)), 1);
  const wa = readMass(fn, "a", a, n), wb = readMass(fn, "b", b, m);
  const { supplyA, supplyB, unit } = supplies(fn, wa, wb, n, m);
  const { data, scale } = normalizeCostData(c.data, checkBoolean(fn, "options.normalizeCost", options.normalizeCost, false), fn);
  const r = networkSimplex(data, supplyA, supplyB, n, m, maxIterations);
  const values = r.values;
  for (let k = 0; k < values.length; k++) values[k] = (values[k] as number) * unit;
  // potentials are in cost units: only the normalisation of C scales them
  for (let i = 0; i < n; i++) r.u[i] = (r.u[i] as number) * scale;
  for (let j = 0; j < m; j++) r.v[j] = (r.v[j] as number) * scale;
  const plan: SparsePlan = { n, m, rows: r.rows, columns: r.columns, values };
  const result: EmdResult = {
    plan, u: r.u, v: r.v, iterations: r.iterations, converged: r.converged,
    cost: planCost(plan, c.data), marginalError: marginalError(plan, wa ?? uniform(n), wb ?? uniform(m)),
  };
  // costs near the float64 limit: potentials the solve keeps finite can still overflow in C's units
  checkFiniteResult(fn, "u", r.u);
  checkFiniteResult(fn, "v", r.v);
  return reportConvergence(fn, policy, result, "optimality");
}

/** `sum_k values[k] C[rows[k], columns[k]]`. @internal */
export function planCost(plan: SparsePlan, C: Float64Array): number {
  let s = 0;
  for (let k = 0; k < plan.values.length; k++) s += (plan.values[k] as number) * (C[(plan.rows[k] as number) * plan.m + (plan.columns[k] as number)] as number);
  return s;
}

/** L1 distance of the plan's marginals to a and b. @internal */
export function marginalError(plan: SparsePlan, a: Float64Array, b: Float64Array): number {
  const ra = new Float64Array(plan.n), rb = new Float64Array(plan.m);
  for (let k = 0; k < plan.values.length; k++) {
    const v = plan.values[k] as number;
    ra[plan.rows[k] as number] = (ra[plan.rows[k] as number] as number) + v;
    rb[plan.columns[k] as number] = (rb[plan.columns[k] as number] as number) + v;
  }
  let e = 0;
  for (let i = 0; i < plan.n; i++) e += Math.abs((ra[i] as number) - (a[i] as number));
  for (let j = 0; j < plan.m; j++) e += Math.abs((rb[j] as number) - (b[j] as number));
  return e;
}

function uniform(n: number): Float64Array {
  return new Float64Array(n).fill(1 / n);
}

/** Weights >= 0 with a positive total, or null (uniform). @internal */
export function readMass(fn: string, argument: string, w: Weights, n: number): Float64Array | null {
  if (w === null) return null;
  if (w === undefined || typeof w !== "object" || typeof (w as ArrayLike<number>).length !== "number") {
    throw new DomainError(fn, argument, "be an array of weights or null", describeValue(w));
  }
  if (w.length !== n) throw new ShapeError(fn, argument, `have length ${n} to match cost`, String(w.length));
  const out = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const x = w[i] as number;
    if (typeof x !== "number" || !Number.isFinite(x)) throw new NonFiniteError(fn, `${argument}[${i}]`, "be finite", describeValue(x));
    if (x < 0) throw new DomainError(fn, `${argument}[${i}]`, "be >= 0", describeValue(x));
    out[i] = x;
    total += x;
  }
  if (!(total > 0)) throw new DomainError(fn, argument, "have a positive total", String(total));
  return out;
}

/**
 * Supplies for the simplex and the factor from flow to mass. Uniform weights on both sides
 * become the integers m (rows) and n (columns), so every flow is an exact integer.
 */
function supplies(fn: string, a: Float64Array | null, b: Float64Array | null, n: number, m: number):
  { supplyA: Float64Array; supplyB: Float64Array; unit: number } {
  if (a === null && b === null) {
    return { supplyA: new Float64Array(n).fill(m), supplyB: new Float64Array(m).fill(n), unit: 1 / (n * m) };
  }
  const wa = a ?? uniform(n), wb = b ?? uniform(m);
  let sa = 0, sb = 0;
  for (let i = 0; i < n; i++) sa += wa[i] as number;
  for (let j = 0; j < m; j++) sb += wb[j] as number;
  if (!Number.isFinite(sa)) throw new DomainError(fn, "a", "have a total within the float64 range", String(sa));
  if (!Number.isFinite(sb)) throw new DomainError(fn, "b", "have a total within the float64 range", String(sb));
  if (Math.abs(sa - sb) > 1e-9 * Math.max(sa, sb)) {
    throw new DomainError(fn, "b", `sum to the same total as a (${sa})`, `sum ${sb}`);
  }
  const scaled = new Float64Array(m), ratio = sa / sb;
  for (let j = 0; j < m; j++) {
    const w = wb[j] as number, product = w * sa;
    // w sa / sb as before, unless the product overflows or leaves the normal range (huge or tiny weights)
    scaled[j] = Number.isFinite(product) && (product === 0 ? w === 0 : Math.abs(product) >= 2.2250738585072014e-308) ? product / sb : w * ratio;
  }
  return { supplyA: wa, supplyB: scaled, unit: 1 };
}

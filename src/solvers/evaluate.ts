import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { NonFiniteError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Time } from "../core/time.js";

/**
 * The right-hand side of a batched ODE dy/dt = f(t, y): writes f(t, y) for every row of
 * `y` (shape [m, d]) into `out` (same shape) and must not keep references to either.
 * `t` is one number when every row is at the same time, or a Float64Array with one time per
 * row. With per-sample step sizes the rows may be a compacted subset of the batch: then
 * `rows[i]` is the original index of row i (`rows` is undefined when y is the whole batch).
 *
 * @category Solvers
 */
export type OdeFunction = (t: Time, y: Batch, out: Batch, rows?: Int32Array) => void;

/**
 * Counters of an ODE solve. `nfe` counts calls of the right-hand side; `rowEvaluations`
 * counts rows passed to it (equal to nfe * n unless per-sample step sizes retire rows).
 *
 * @category Solvers
 */
export interface OdeStatistics {
  /** Number of calls of the right-hand side f. */
  nfe: number;
  /** Accepted steps (with per-sample step sizes: summed over rows). */
  accepted: number;
  /** Rejected steps (with per-sample step sizes: summed over rows). */
  rejected: number;
  /** Total number of rows passed to f over all calls. */
  rowEvaluations: number;
}

/** @internal Context of one solve, for statistics and error messages. */
export interface SolveContext {
  fn: string;
  f: OdeFunction;
  d: number;
  stats: OdeStatistics;
  /** Step number, for messages. */
  step: number;
  /** Original row index of each compact row, or null when the batch is the whole batch. */
  rows: Int32Array | null;
}

/**
 * @internal Calls f on the first m rows of `y` (flat, row-major) and writes `out`; counts the
 * call and rejects non-finite values, naming the row, step and time.
 */
export function callField(ctx: SolveContext, t: Time, y: Float64Array, out: Float64Array, m: number): void {
  const d = ctx.d;
  const size = m * d;
  const yb = ndarray(y.length === size ? y : y.subarray(0, size), [m, d]);
  const ob = ndarray(out.length === size ? out : out.subarray(0, size), [m, d]);
  if (ctx.rows === null || m === ctx.rows.length) ctx.f(t, yb, ob);
  else ctx.f(t, yb, ob, ctx.rows.subarray(0, m));
  ctx.stats.nfe++;
  ctx.stats.rowEvaluations += m;
  for (let idx = 0; idx < size; idx++) {
    const v = out[idx] as number;
    if (!Number.isFinite(v)) {
      const r = Math.floor(idx / d);
      const row = ctx.rows === null ? r : (ctx.rows[r] as number);
      const time = typeof t === "number" ? t : (t[r] as number);
      throw new NonFiniteError(ctx.fn, "f(t, y)", "return finite values",
        `${describeValue(v)} at row ${row}, column ${idx - r * d}, in step ${ctx.step} at t = ${time}`);
    }
  }
}

import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { DomainError, NonFiniteError } from "../core/errors.js";
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
 * The right-hand side of a batched ODE whose evaluation completes later (a GPU readback, a
 * worker, an inference session): like {@link OdeFunction}, but it may return a Promise that
 * resolves once `out` holds f(t, y). It must not touch `y` or `out` after that. The solver
 * awaits each call before the next, so calls never overlap.
 *
 * @category Solvers
 */
export type AsyncOdeFunction = (t: Time, y: Batch, out: Batch, rows?: Int32Array) => Promise<void> | void;

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
  d: number;
  stats: OdeStatistics;
  /** Step number, for messages. */
  step: number;
  /** Original row index of each compact row, or null when the batch is the whole batch. */
  rows: Int32Array | null;
  /** [m, d] views of the solve's buffers handed to f, kept because building an ndarray costs more than a small evaluation. */
  views: Map<Float64Array, Batch>;
}

/**
 * @internal One evaluation the stepping code needs: f(t, y) into `out` (views of the first m
 * rows). The stepping code of every solver is a generator of these requests, so one
 * implementation serves a synchronous right-hand side ({@link driveSync}) and one that returns
 * a Promise ({@link driveAsync}): the arithmetic, step control and counters are the same code.
 */
export interface OdeRequest {
  t: Time;
  y: Batch;
  out: Batch;
  rows: Int32Array | undefined;
}

/** @internal The stepping code of a solve: yields evaluations, returns R. */
export type OdeSteps<R> = Generator<OdeRequest, R, void>;

/**
 * @internal The request for f on the first m rows of `y` (flat, row-major) into `out`. The
 * stepping code yields it and then calls {@link checkCall}; it is a plain function rather than
 * a nested generator because a generator per evaluation costs a third of the time of small
 * solves.
 */
export function request(ctx: SolveContext, t: Time, y: Float64Array, out: Float64Array, m: number): OdeRequest {
  return {
    t,
    y: view(ctx, y, m),
    out: view(ctx, out, m),
    rows: ctx.rows === null || m === ctx.rows.length ? undefined : ctx.rows.subarray(0, m),
  };
}

/** The [m, d] view of the first m rows of a buffer, built once per buffer and row count. */
function view(ctx: SolveContext, a: Float64Array, m: number): Batch {
  let v = ctx.views.get(a);
  if (v === undefined || v.shape[0] !== m) {
    const size = m * ctx.d;
    v = ndarray(a.length === size ? a : a.subarray(0, size), [m, ctx.d]);
    ctx.views.set(a, v);
  }
  return v;
}

/**
 * @internal After the driver has evaluated a {@link request}: counts the call and rejects
 * non-finite values, naming the row, step and time.
 */
export function checkCall(ctx: SolveContext, t: Time, out: Float64Array, m: number): void {
  const d = ctx.d;
  const size = m * d;
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

/**
 * @internal Runs stepping code, evaluating each request with a synchronous f; an f that
 * returns a Promise is refused (its result would be read before it is written).
 */
export function driveSync<R>(fn: string, steps: OdeSteps<R>, f: OdeFunction): R {
  let next = steps.next();
  while (next.done !== true) {
    const q = next.value;
    const r: unknown = q.rows === undefined ? f(q.t, q.y, q.out) : f(q.t, q.y, q.out, q.rows);
    if (r !== undefined && r !== null && typeof (r as { then?: unknown }).then === "function") {
      throw new DomainError(fn, "f", `return synchronously (use ${fn}Async for a right-hand side that returns a Promise)`, "a Promise");
    }
    next = steps.next();
  }
  return next.value;
}

/** @internal Runs stepping code, awaiting each evaluation of f before the next. */
export async function driveAsync<R>(steps: OdeSteps<R>, f: AsyncOdeFunction): Promise<R> {
  let next = steps.next();
  while (next.done !== true) {
    const q = next.value;
    await (q.rows === undefined ? f(q.t, q.y, q.out) : f(q.t, q.y, q.out, q.rows));
    next = steps.next();
  }
  return next.value;
}

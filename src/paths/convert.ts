import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeShape } from "../core/format.js";
import type { Scheduler, SchedulerValues } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import { checkTime, timeAt } from "../core/time.js";
import { schedulerAt } from "../velocity/scheduler-like.js";

/** Coefficients (a, b) of `out = a x + b y` at one time, and the condition that keeps them finite. */
export type Coefficients = (values: SchedulerValues) => [number, number, string];

/**
 * Row-wise `out_i = a(t_i) x_i + b(t_i) y_i`: the shared kernel of every affine-path
 * conversion. Throws a DomainError at a time where a coefficient is not finite.
 * @internal
 */
export function convert(fn: string, scheduler: Scheduler, coefficients: Coefficients, y: Batch, x: Batch, t: Time, out?: Batch): Batch {
  const xb = asBatch(fn, "x", x);
  const [n, d] = xb.shape as [number, number];
  const yb = asBatch(fn, "y", y);
  if (yb.shape[0] !== n || yb.shape[1] !== d) throw new ShapeError(fn, "prediction", `have shape [${n}, ${d}] like x`, describeShape(yb.shape));
  checkTime(fn, "t", t, n);
  const result = outputBatch(fn, out, n, d);
  const o = result.data;
  let lastT = Number.NaN;
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const ti = timeAt(t, i);
    if (ti !== lastT) {
      const [ai, bi, condition] = coefficients(schedulerAt(fn, scheduler, ti));
      if (!Number.isFinite(ai) || !Number.isFinite(bi)) {
        const arg = typeof t === "number" ? "t" : `t[${i}]`;
        throw new DomainError(fn, arg, `be a time where ${condition} (the conversion is singular there)`, String(ti));
      }
      a = ai;
      b = bi;
      lastT = ti;
    }
    for (let j = i * d; j < (i + 1) * d; j++) o[j] = a * (xb.data[j] as number) + b * (yb.data[j] as number);
  }
  return result;
}

import type { Batch } from "../core/batch.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { checkTime, timeAt, type Time } from "../core/time.js";
import { describeValue } from "../core/format.js";

/**
 * A two-time model: the average velocity u(x, r, t) of a flow between times r <= t, for the
 * trajectory that passes through x at time r, so that one jump x_t = x + (t - r) u(x, r, t)
 * follows the flow from r to t. At r = t it is the instantaneous velocity v(x, t). This is
 * MeanFlow's u (Geng et al. 2025) and the shortcut model's s(x, t, d) = u(x, t, t + d)
 * (Frans et al. 2024) in this library's time convention (source at 0, data at 1).
 *
 * @category Few-step generation
 */
export interface TwoTimeField {
  /** Dimension of x and of the output. */
  readonly dim: number;
  /**
   * u(x, r, t) for every row.
   * @param x - points at time r, shape [n, dim]
   * @param r - start times (one, or one per row) in [0, 1]
   * @param t - end times (one, or one per row) in [0, 1], t >= r row by row
   * @param out - optional output [n, dim]
   */
  average(x: Batch, r: Time, t: Time, out?: Batch): Batch;
  /**
   * Forward-mode derivative of u along a tangent (dx, dr, dt) of its inputs:
   * (du/dx) dx + (du/dr) dr + (du/dt) dt, row by row.
   * @param x - points [n, dim]
   * @param r - start times
   * @param t - end times
   * @param dx - tangent of x, [n, dim]
   * @param dr - tangent of r (one number for every row)
   * @param dt - tangent of t (one number for every row)
   * @param out - optional output [n, dim]
   */
  averageJvp?(x: Batch, r: Time, t: Time, dx: Batch, dr: number, dt: number, out?: Batch): Batch;
}

/**
 * A two-time model with trainable parameters: a forward pass that keeps what its backward
 * pass needs, and a backward pass that writes the parameter gradient. {@link TwoTimeMlp} is one.
 *
 * @category Few-step generation
 */
export interface TrainableTwoTimeModel extends TwoTimeField {
  /** All trainable parameters, updated in place by an optimizer. */
  readonly parameters: Float64Array;
  /** Gradient of the last backward pass, in the layout of `parameters`. */
  readonly gradient: Float64Array;
  /** u(x, r, t) that records what `backward` needs. */
  forward(x: Batch, r: Time, t: Time, out?: Batch): Batch;
  /** Writes dL/dtheta for dL/du of the last forward (shape [n, dim]) into `gradient` and returns it. */
  backward(gradOutput: Batch): Float64Array;
}

/** Rejects a value that is not a two-time model (an ordinary velocity field has no `average`). */
export function checkTwoTimeField(fn: string, argument: string, model: unknown, trainable = false): void {
  const m = model as Partial<TrainableTwoTimeModel> | null;
  const ok = m !== null && typeof m === "object" && typeof m.average === "function" && Number.isInteger(m.dim) && (m.dim as number) >= 1;
  if (!ok) {
    throw new DomainError(fn, argument, "be a two-time model { dim, average(x, r, t) } (an ordinary velocity field v(x, t) has no second time; see twoTimeMlp)", describeValue(model));
  }
  if (trainable && !(m.parameters instanceof Float64Array && m.gradient instanceof Float64Array && typeof m.forward === "function" && typeof m.backward === "function")) {
    throw new DomainError(fn, argument, "be a trainable two-time model (parameters, gradient, forward, backward)", describeValue(model));
  }
  if (trainable && m.parameters !== undefined && m.gradient !== undefined && m.parameters.length !== m.gradient.length) {
    throw new ShapeError(fn, `${argument}.gradient`, `have length ${m.parameters.length} like parameters`, String(m.gradient.length));
  }
}

/** Checks r and t against n rows and [0, 1], and r <= t row by row. */
export function checkTimePair(fn: string, r: Time, t: Time, n: number, rName = "r", tName = "t"): void {
  checkTime(fn, rName, r, n);
  checkTime(fn, tName, t, n);
  const rows = typeof r === "number" && typeof t === "number" ? 1 : n;
  for (let i = 0; i < rows; i++) {
    const ri = timeAt(r, i), ti = timeAt(t, i);
    if (ri > ti) {
      const at = rows === 1 ? "" : ` at row ${i}`;
      throw new DomainError(fn, rName, `be <= ${tName} (the start of the jump precedes its end)`, `${rName} = ${ri} > ${tName} = ${ti}${at}`);
    }
  }
}

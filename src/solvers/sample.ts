import type { Batch } from "../core/batch.js";
import { checkInRange, checkOptions } from "../core/check.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { AsyncVelocityField, VelocityField } from "../core/interfaces.js";
import { settle } from "../divergence/field-steps.js";
import type { IntegrateOptions, OdeResult } from "./integrate.js";
import { planOde, solve, solveAsync } from "./integrate.js";
import type { AsyncOdeFunction, OdeFunction } from "./evaluate.js";

/**
 * Generates samples by integrating the flow dx/dt = u_t(x) of a velocity field from t0
 * (default 0, the source) to t1 (default 1, the data), row by row.
 *
 * @param field - the velocity field (times in [0, 1])
 * @param x0 - source samples, shape [n, field.dim] (not modified)
 * @param options - solver options of {@link integrate}; t0, t1 and times must lie in [0, 1]
 * @returns `y` = x at t1, `trajectory` = x at `times` when requested, and statistics
 * @throws {@link ShapeError} when x0 is not [n, field.dim], or the field returns something other than an ndarray of shape [n, field.dim]
 *   (a view with any strides and offset is read as it shows); {@link DomainError} for times outside [0, 1] and the errors of {@link integrate}
 * @example
 * ```ts
 * // a constant velocity 2 moves x0 = 0 to 2 at t = 1
 * const field = { dim: 1, evaluate: (x, t, out = zeros(x.shape[0], 1)) => { out.data.fill(2); return out; } };
 * sample(field, fromRows([[0]])).y.data[0] // => 2 (to rounding: 1.9999999999999996)
 * ```
 * @category Solvers
 */
export function sample(field: VelocityField, x0: Batch, options: IntegrateOptions = {}): OdeResult {
  options = checkOptions("sample", "options", options);
  const fn = "sample";
  checkField(fn, field);
  checkUnitTimes(fn, options);
  const f: OdeFunction = (t, x, out) => {
    settle(fn, "evaluate", field.evaluate(x, t, out), out);
  };
  return solve(planOde(fn, f, x0, options, field.dim, "x0"));
}

/**
 * The asynchronous form of {@link sample}, for a field whose evaluation returns a Promise
 * ({@link AsyncVelocityField}: tfjs on webgl/webgpu, onnxruntime, workers; a synchronous
 * {@link VelocityField} is accepted too). The same stepping code as `sample` runs, awaiting
 * each evaluation before the next: same tableaux, step control, outputs and statistics, and
 * bit-identical results with the same `nfe` for a field that returns the same values either way.
 *
 * @param field - the velocity field (its `evaluateAsync`, else `evaluate`; times in [0, 1])
 * @param x0 - source samples, shape [n, field.dim] (not modified)
 * @param options - solver options of {@link integrate}; t0, t1 and times must lie in [0, 1]
 * @returns a Promise of `y` = x at t1, `trajectory` = x at `times` when requested, and statistics
 * @throws (the Promise rejects with) the errors of {@link sample}; a {@link ShapeError} when the field resolves to a batch of the wrong shape; whatever the field rejects with
 * @example
 * ```ts
 * // a constant velocity 2, resolved on a later tick, moves x0 = 0 to 2 at t = 1
 * const field = { dim: 1, evaluateAsync: async (x) => { const out = zeros(x.shape[0], 1); out.data.fill(2); return out; } };
 * (await sampleAsync(field, fromRows([[0]]))).y.data[0] // => 2 (to rounding: 1.9999999999999996)
 * ```
 * @category Solvers
 */
export async function sampleAsync(field: VelocityField | AsyncVelocityField, x0: Batch, options: IntegrateOptions = {}): Promise<OdeResult> {
  const fn = "sampleAsync";
  checkAnyField(fn, field);
  checkUnitTimes(fn, options);
  const async = (field as Partial<AsyncVelocityField>).evaluateAsync;
  const f: AsyncOdeFunction = async === undefined
    ? (t, x, out) => { settle(fn, "evaluate", (field as VelocityField).evaluate(x, t, out), out); }
    : async (t, x, out) => { settle(fn, "evaluateAsync", await async.call(field, x, t, out), out); };
  return solveAsync(planOde(fn, f, x0, options, field.dim, "x0"));
}

/** @internal Rejects a value that is not a velocity field. */
export function checkField(fn: string, field: VelocityField): void {
  if (field === null || typeof field !== "object" || typeof field.evaluate !== "function" || !Number.isInteger(field.dim) || field.dim < 1) {
    throw new DomainError(fn, "field", "be a VelocityField { dim, evaluate(x, t, out?) }", describeValue(field));
  }
}

/** @internal Rejects a value that is neither an async nor a synchronous velocity field. */
export function checkAnyField(fn: string, field: VelocityField | AsyncVelocityField): void {
  const f = field as Partial<VelocityField & AsyncVelocityField> | null;
  if (f === null || typeof f !== "object" || (typeof f.evaluateAsync !== "function" && typeof f.evaluate !== "function")
    || !Number.isInteger(f.dim) || (f.dim as number) < 1) {
    throw new DomainError(fn, "field", "be an AsyncVelocityField { dim, evaluateAsync(x, t, out?) } or a VelocityField", describeValue(field));
  }
}

/** @internal Flow-matching fields are defined for t in [0, 1]. */
export function checkUnitTimes(fn: string, options: IntegrateOptions): void {
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object", describeValue(options));
  if (options.t0 !== undefined) checkInRange(fn, "options.t0", options.t0, 0, 1);
  if (options.t1 !== undefined) checkInRange(fn, "options.t1", options.t1, 0, 1);
  const grid = options.timeGrid;
  if (grid !== undefined && grid !== null && typeof grid === "object" && typeof grid.length === "number" && grid.length > 0) {
    // a monotone grid lies in [0, 1] when its ends do (planOde checks monotonicity)
    checkInRange(fn, "options.timeGrid[0]", grid[0], 0, 1);
    checkInRange(fn, `options.timeGrid[${grid.length - 1}]`, grid[grid.length - 1], 0, 1);
  }
}

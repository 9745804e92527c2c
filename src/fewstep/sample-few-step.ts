import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { checkInRange, checkInteger, MAX_STEPS } from "../core/check.js";
import { DomainError, NonFiniteError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { TwoTimeField } from "./two-time.js";
import { checkTwoTimeField } from "./two-time.js";

/** Options of {@link sampleFewStep}. @category Few-step generation */
export interface FewStepOptions {
  /** Number of jumps, an integer in [1, 1e7] (1: one-step generation; the cap is the Riemannian sampler's). */
  steps: number;
  /** Start time (default 0, the source). */
  t0?: number;
  /** End time (default 1, the data), >= t0. */
  t1?: number;
}

/** Result of {@link sampleFewStep}. @category Few-step generation */
export interface FewStepResult {
  /** The samples at t1, [n, dim]. */
  y: Batch;
  /** Number of model evaluations (one per jump). */
  nfe: number;
}

/**
 * Few-step (and one-step) generation with a two-time model: on the uniform grid
 * t_k = t0 + k (t1 - t0) / steps, x_{k+1} = x_k + (t_{k+1} - t_k) u(x_k, t_k, t_{k+1}).
 * With the exact average velocity u this reproduces the flow map at every grid time,
 * whatever `steps`; a learned u trades accuracy for evaluations.
 *
 * @param model - a two-time model (for example a {@link TwoTimeMlp}); a plain velocity field is rejected
 * @param x0 - samples at t0, [n, model.dim] (not modified)
 * @param options - `{ steps, t0?, t1? }`
 * @returns the samples at t1 and the number of evaluations
 * @throws {@link DomainError} for a model without the two-time input, steps not an integer in [1, 1e7], or t1 < t0;
 *   {@link ShapeError} for a wrong x0 or a model output that is not an [n, dim] batch; {@link NonFiniteError} when the
 *   model returns a non-finite value or a jump overflows
 * @example
 * ```ts
 * // the exact average velocity of x_t = x0 + t (shift 2): u = 2 everywhere
 * const shift = { dim: 1, average: (x: Batch) => fromData(new Float64Array(x.shape[0]).fill(2), [x.shape[0], 1]) };
 * sampleFewStep(shift, fromRows([[0]]), { steps: 1 }).y.data[0] // => 2
 * ```
 * @category Few-step generation
 */
export function sampleFewStep(model: TwoTimeField, x0: Batch, options: FewStepOptions): FewStepResult {
  const fn = "sampleFewStep";
  checkTwoTimeField(fn, "model", model);
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object { steps }", describeValue(options));
  const steps = checkInteger(fn, "options.steps", options.steps, 1, MAX_STEPS);
  const t0 = checkInRange(fn, "options.t0", options.t0 ?? 0, 0, 1);
  const t1 = checkInRange(fn, "options.t1", options.t1 ?? 1, 0, 1);
  if (t1 < t0) throw new DomainError(fn, "options.t1", `be >= t0 = ${t0}`, describeValue(t1));
  const d = model.dim;
  const start = asBatch(fn, "x0", x0, { dim: d });
  const n = start.shape[0] as number;
  const x = ndarray(Float64Array.from(start.data), [n, d]);
  const u = ndarray(new Float64Array(n * d), [n, d]);
  for (let k = 0; k < steps; k++) {
    const r = k === 0 ? t0 : t0 + (k * (t1 - t0)) / steps;
    const t = k === steps - 1 ? t1 : t0 + ((k + 1) * (t1 - t0)) / steps;
    const returned = model.average(x, r, t, u);
    const value = returned === u ? u : asBatch(fn, "model.average(x, r, t)", returned, { dim: d, rows: n, finite: false });
    const h = t - r;
    for (let i = 0; i < n * d; i++) {
      const ui = value.data[i] as number;
      if (!Number.isFinite(ui)) {
        throw new NonFiniteError(fn, "model", `return finite values (jump ${k + 1} of ${steps}, r = ${r}, t = ${t})`, `${ui} at row ${Math.floor(i / d)}`);
      }
      const next = (x.data[i] as number) + h * ui;
      if (!Number.isFinite(next)) {
        throw new NonFiniteError(fn, "result", `be finite for finite input (overflow at jump ${k + 1} of ${steps}; rescale the model or the input)`, `${next} at row ${Math.floor(i / d)}`);
      }
      x.data[i] = next;
    }
  }
  return { y: x, nfe: steps };
}

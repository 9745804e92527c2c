import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { checkFiniteResult, checkInRange, checkOptions } from "../core/check.js";
import type { TrainableTwoTimeModel, TwoTimeField } from "./two-time.js";
import { checkTwoTimeField } from "./two-time.js";
import type { TwoTimeBatch, TwoTimeLossResult } from "./meanflow.js";
import { checkBatch, regress } from "./meanflow.js";

/** Options of {@link shortcutTarget} and {@link shortcutLoss}. @category Few-step generation */
export interface ShortcutOptions {
  /** Half-steps of at most this length are taken with the instantaneous velocity u(x, s, s) (Frans et al.'s smallest step 1/M; default 1/128). */
  minStep?: number;
}

/**
 * The shortcut-model regression target (Frans et al. 2024, eq. 5) for the shortcut
 * s(x, t, d) = u(x, t, t + d): rows with r = t (step size 0) regress the conditional velocity
 * v (flow matching); rows with r < t regress the self-consistency target of two half jumps,
 * with h = (t - r) / 2 and m = r + h,
 * target = (u(x, r, m) + u(x', m, t)) / 2, x' = x + h u(x, r, m),
 * so that one jump of length 2h agrees with two jumps of length h. Half jumps of length
 * h <= minStep use u(., s, s) instead (an Euler step of the flow-matching field).
 *
 * @param field - a two-time model
 * @param batch - x, r, t and v (see {@link TwoTimeBatch}); v is used on the rows with r = t
 * @param options - see {@link ShortcutOptions}
 * @returns the targets, [n, dim]
 * @throws {@link DomainError} for a model without the two-time input, r > t, times outside [0, 1] or options that are
 *   not an object; {@link ShapeError} for mismatched shapes or a model output that is not an [m, dim] batch (m the rows
 *   with r < t); {@link NonFiniteError} for a non-finite model output, or a half jump or target that overflows
 * @example
 * ```ts
 * // constant velocity 3: both half jumps average to 3
 * const u = { dim: 1, average: (x: Batch) => fromData(new Float64Array(x.shape[0]).fill(3), [x.shape[0], 1]) };
 * shortcutTarget(u, { x: fromRows([[0]]), r: new Float64Array([0]), t: new Float64Array([0.5]), v: fromRows([[9]]) }).data[0] // => 3
 * ```
 * @category Few-step generation
 */
export function shortcutTarget(field: TwoTimeField, batch: TwoTimeBatch, options: ShortcutOptions = {}): Batch {
  const fn = "shortcutTarget";
  options = checkOptions(fn, "options", options);
  checkTwoTimeField(fn, "field", field);
  const minStep = checkInRange(fn, "options.minStep", options.minStep ?? 1 / 128, 0, 1);
  const { x, r, t, v } = checkBatch(fn, field.dim, batch);
  const n = x.shape[0] as number, d = field.dim;
  const target = Float64Array.from(v.data);
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if ((t[i] as number) > (r[i] as number)) rows.push(i);
  const m = rows.length;
  if (m === 0) return ndarray(target, [n, d]);
  const xs = new Float64Array(m * d), r1 = new Float64Array(m), t1 = new Float64Array(m), r2 = new Float64Array(m), t2 = new Float64Array(m);
  rows.forEach((i, k) => {
    xs.set(x.data.subarray(i * d, (i + 1) * d), k * d);
    const ri = r[i] as number, ti = t[i] as number, h = (ti - ri) / 2, mid = ri + h;
    const euler = h <= minStep;
    r1[k] = ri; t1[k] = euler ? ri : mid;
    r2[k] = mid; t2[k] = euler ? mid : ti;
  });
  const first = asBatch(fn, "field.average(x, r, r + h)", field.average(ndarray(xs, [m, d]), r1, t1), { dim: d, rows: m });
  const moved = new Float64Array(m * d);
  for (let k = 0; k < m; k++) {
    const h = ((t[rows[k] as number] as number) - (r[rows[k] as number] as number)) / 2;
    for (let j = 0; j < d; j++) moved[k * d + j] = (xs[k * d + j] as number) + h * (first.data[k * d + j] as number);
  }
  checkFiniteResult(fn, "x + h u(x, r, r + h)", moved);
  const second = asBatch(fn, "field.average(x + h u, r + h, t)", field.average(ndarray(moved, [m, d]), r2, t2), { dim: d, rows: m });
  rows.forEach((i, k) => {
    for (let j = 0; j < d; j++) target[i * d + j] = 0.5 * ((first.data[k * d + j] as number) + (second.data[k * d + j] as number));
  });
  checkFiniteResult(fn, "target", target);
  return ndarray(target, [n, d]);
}

/**
 * The shortcut-model loss L = (1/n) sum_i |u_theta(x_i, r_i, t_i) - sg(target_i)|^2 with the
 * target of {@link shortcutTarget} held fixed (stop-gradient): flow matching on the rows
 * with r = t, self-consistency over step sizes on the others. Runs `model.forward` and
 * `model.backward`, so that `model.gradient` holds dL/dtheta afterwards.
 *
 * @param model - a trainable two-time model (for example a {@link TwoTimeMlp})
 * @param batch - see {@link TwoTimeBatch}
 * @param options - see {@link ShortcutOptions}
 * @returns the loss, the unweighted error (the same here), the target and unit weights
 * @throws the errors of {@link shortcutTarget}; {@link DomainError} for a model that cannot be trained or options that are not an object
 * @example
 * ```ts
 * const u = twoTimeMlp({ dim: 2, hidden: [8], seed: 0 });
 * const batch = { x: fromRows([[0, 0]]), r: new Float64Array([0.25]), t: new Float64Array([0.75]), v: fromRows([[1, 0]]) };
 * shortcutLoss(u, batch).loss >= 0 // => true, and u.gradient now holds dL/dtheta
 * ```
 * @category Few-step generation
 */
export function shortcutLoss(model: TrainableTwoTimeModel, batch: TwoTimeBatch, options: ShortcutOptions = {}): TwoTimeLossResult {
  const fn = "shortcutLoss";
  options = checkOptions(fn, "options", options);
  checkTwoTimeField(fn, "model", model, true);
  const target = shortcutTarget(model, batch, options);
  return regress(fn, model, batch, target, 0, 1);
}

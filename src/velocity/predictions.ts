import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { checkTime, timeAt } from "../core/time.js";
import type { Time } from "../core/time.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { VelocityField } from "../core/interfaces.js";
import type { SchedulerSource } from "./scheduler-like.js";
import { resolveScheduler, valuesAt } from "./scheduler-like.js";
import { affinePath } from "../paths/affine.js";
import type { AffinePath } from "../paths/affine.js";
import { gatherRows } from "../core/batch.js";
import ndarray from "ndarray";
import { outputArray } from "../core/check.js";
import { modelBatch, modelValues } from "./field-output.js";

/**
 * A model that predicts something other than the velocity (x1, epsilon = x0, or the
 * score) at (x, t): the same shape as a {@link VelocityField}; jvp and divergence, when
 * present, are those of the prediction.
 *
 * @category Velocity fields
 */
export type PredictionModel = VelocityField;

/**
 * The velocity of an x1-prediction (denoiser) model x1_hat(x, t) on an affine path:
 * u = (sigma'/sigma) x + ((alpha' sigma - sigma' alpha)/sigma) x1_hat. At sigma_t = 0
 * (t = 1 for most schedulers), where the path's conversion is singular, u = alpha' x1_hat
 * (the noise estimate takes its prior mean 0), so solvers may evaluate at t = 1.
 * Computed by the affine path's `targetToVelocity` (src/paths); JVP and divergence follow
 * from the model's when it has them (the conversion is linear).
 *
 * @param model - the x1 predictor
 * @param path - a scheduler, or an affine path (its conversions are used)
 * @returns the velocity field
 * @throws {@link DomainError} for a model without evaluate or a bad path; from the field's methods, {@link ShapeError} or
 *   {@link NonFiniteError} when the model returns a result of the wrong shape (or none) or non-finite values
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * const x1Hat = { dim: 1, evaluate: () => fromRows([[3]]) };
 * fromX1Prediction(x1Hat, condOT).evaluate(fromRows([[1]]), 0.5).data // => Float64Array [4] ((x1 - x)/(1 - t))
 * ```
 * @category Velocity fields
 */
export function fromX1Prediction(model: PredictionModel, path: SchedulerSource | AffinePath): VelocityField {
  return converted("fromX1Prediction", "x1", model, path);
}

/**
 * The velocity of an epsilon-prediction (noise) model eps_hat(x, t) on an affine path:
 * u = (alpha'/alpha) x + ((sigma' alpha - alpha' sigma)/alpha) eps_hat. Undefined where
 * alpha_t = 0 (t = 0 for condOT): evaluating there throws (the path's `epsilonToVelocity`).
 *
 * @param model - the epsilon predictor
 * @param path - a scheduler, or an affine path (its conversions are used)
 * @returns the velocity field
 * @throws {@link DomainError} for a bad model or path; evaluate throws at alpha_t = 0, and ({@link ShapeError},
 *   {@link NonFiniteError}) when the model returns a result of the wrong shape (or none) or non-finite values
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * const epsHat = { dim: 1, evaluate: () => fromRows([[-1]]) };
 * fromEpsilonPrediction(epsHat, condOT).evaluate(fromRows([[1]]), 0.5).data // => Float64Array [4]
 * ```
 * @category Velocity fields
 */
export function fromEpsilonPrediction(model: PredictionModel, path: SchedulerSource | AffinePath): VelocityField {
  return converted("fromEpsilonPrediction", "epsilon", model, path);
}

/**
 * The velocity of a score model s(x, t) = grad log p_t(x) on an affine path from a
 * standard normal source: u = (alpha'/alpha) x + sigma (alpha' sigma - sigma' alpha)/alpha s.
 * Undefined where alpha_t = 0: evaluating there throws (the path's `scoreToVelocity`).
 *
 * @param model - the score model
 * @param path - a scheduler, or an affine path (its conversions are used)
 * @returns the velocity field
 * @throws {@link DomainError} for a bad model or path; evaluate throws at alpha_t = 0, and ({@link ShapeError},
 *   {@link NonFiniteError}) when the model returns a result of the wrong shape (or none) or non-finite values
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * const score = { dim: 1, evaluate: () => fromRows([[2]]) };
 * fromScore(score, condOT).evaluate(fromRows([[1]]), 0.5).data // => Float64Array [4]
 * ```
 * @category Velocity fields
 */
export function fromScore(model: PredictionModel, path: SchedulerSource | AffinePath): VelocityField {
  return converted("fromScore", "score", model, path);
}

function converted(fn: string, kind: "x1" | "epsilon" | "score", model: PredictionModel, source: SchedulerSource | AffinePath): VelocityField {
  if (model === null || typeof model !== "object" || typeof model.evaluate !== "function") {
    throw new DomainError(fn, "model", "be a field-like model with evaluate(x, t)", describeValue(model));
  }
  const path = toAffinePath(fn, source);
  const scheduler = path.scheduler;
  const dim = model.dim;
  const conversion = kind === "x1" ? path.targetToVelocity : kind === "epsilon" ? path.epsilonToVelocity : path.scoreToVelocity;
  /** u = a x + b p row by row through the path's conversion; x1 rows at sigma_t = 0 get u = alpha' p. */
  const apply = (name: string, p: Batch, x: Batch, t: Time, out: Batch): Batch => {
    const n = x.shape[0] as number, d = x.shape[1] as number;
    checkTime(name, "t", t, n);
    if (kind !== "x1") return conversion(p, x, t, out);
    const regular: number[] = [];
    for (let r = 0; r < n; r++) {
      const v = valuesAt(name, scheduler, timeAt(t, r));
      if (v.sigma === 0) for (let j = 0; j < d; j++) out.data[r * d + j] = v.dAlpha * (p.data[r * d + j] as number);
      else regular.push(r);
    }
    if (regular.length === n) return conversion(p, x, t, out);
    if (regular.length === 0) return out;
    const times = typeof t === "number" ? t : Float64Array.from(regular, (r) => t[r] as number);
    const part = conversion(gatherRows(p, regular), gatherRows(x, regular), times);
    regular.forEach((r, i) => out.data.set(part.data.subarray(i * d, (i + 1) * d), r * d));
    return out;
  };
  const field: VelocityField = {
    dim,
    evaluate(x, t, out) {
      const name = `${fn}.evaluate`;
      const xb = asBatch(name, "x", x, { dim });
      const n = xb.shape[0] as number;
      checkTime(name, "t", t, n);
      const prediction = modelBatch(name, "model.evaluate", model.evaluate(xb, t), n, dim);
      return apply(name, prediction, xb, t, outputBatch(name, out, n, dim));
    },
  };
  if (model.jvp) {
    const jvp = model.jvp.bind(model);
    // the conversion is linear in (x, p), so its JVP is the conversion of (v, Dp v)
    field.jvp = (x, t, v, out) => {
      const name = `${fn}.jvp`;
      const xb = asBatch(name, "x", x, { dim });
      const n = xb.shape[0] as number;
      const vb = asBatch(name, "v", v, { dim, rows: n });
      checkTime(name, "t", t, n);
      return apply(name, modelBatch(name, "model.jvp", jvp(xb, t, vb), n, dim), vb, t, outputBatch(name, out, n, dim));
    };
  }
  if (model.divergence) {
    const div = model.divergence.bind(model);
    field.divergence = (x, t, out) => {
      const name = `${fn}.divergence`;
      const xb = asBatch(name, "x", x, { dim });
      const n = xb.shape[0] as number;
      checkTime(name, "t", t, n);
      const ones = ndarray(new Float64Array(n).fill(1), [n, 1]) as Batch, zeros = ndarray(new Float64Array(n), [n, 1]) as Batch;
      const a = apply(name, zeros, ones, t, ndarray(new Float64Array(n), [n, 1]) as Batch).data;
      const b = apply(name, ones, zeros, t, ndarray(new Float64Array(n), [n, 1]) as Batch).data;
      const inner = modelValues(name, "model.divergence", div(xb, t), n);
      const res = outputArray(name, out, n);
      for (let r = 0; r < n; r++) res[r] = dim * (a[r] as number) + (b[r] as number) * (inner[r] as number);
      return res;
    };
  }
  return field;
}

function toAffinePath(fn: string, source: SchedulerSource | AffinePath): AffinePath {
  const candidate = source as Partial<AffinePath> | null;
  if (candidate !== null && typeof candidate === "object" && typeof candidate.targetToVelocity === "function" &&
    typeof candidate.epsilonToVelocity === "function" && typeof candidate.scoreToVelocity === "function" && candidate.scheduler) {
    return source as AffinePath;
  }
  return affinePath(resolveScheduler(fn, source as SchedulerSource));
}

import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { checkTime, timeAt } from "../core/time.js";
import type { Time } from "../core/time.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { VelocityField } from "../core/interfaces.js";
import type { SchedulerSource } from "./scheduler-like.js";
import { resolveScheduler, valuesAt } from "./scheduler-like.js";
import { conversionCoefficients } from "./conversions.js";

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
 * (t = 1 for most schedulers) u = alpha' x1_hat (the noise estimate takes its prior mean 0).
 * JVP and divergence follow from the model's when it has them.
 *
 * @param model - the x1 predictor
 * @param path - scheduler or affine path
 * @returns the velocity field
 * @throws {@link DomainError} for a model without evaluate or a bad path
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * const x1Hat = { dim: 1, evaluate: () => fromRows([[3]]) };
 * fromX1Prediction(x1Hat, condOT).evaluate(fromRows([[1]]), 0.5).data // => Float64Array [4] ((x1 - x)/(1 - t))
 * ```
 * @category Velocity fields
 */
export function fromX1Prediction(model: PredictionModel, path: SchedulerSource): VelocityField {
  return converted("fromX1Prediction", "x1", model, path);
}

/**
 * The velocity of an epsilon-prediction (noise) model eps_hat(x, t) on an affine path:
 * u = (alpha'/alpha) x + ((sigma' alpha - alpha' sigma)/alpha) eps_hat. Undefined where
 * alpha_t = 0 (t = 0 for condOT): evaluating there throws.
 *
 * @param model - the epsilon predictor
 * @param path - scheduler or affine path
 * @returns the velocity field
 * @throws {@link DomainError} for a bad model or path; evaluate throws at alpha_t = 0
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * const epsHat = { dim: 1, evaluate: () => fromRows([[-1]]) };
 * fromEpsilonPrediction(epsHat, condOT).evaluate(fromRows([[1]]), 0.5).data // => Float64Array [4]
 * ```
 * @category Velocity fields
 */
export function fromEpsilonPrediction(model: PredictionModel, path: SchedulerSource): VelocityField {
  return converted("fromEpsilonPrediction", "epsilon", model, path);
}

/**
 * The velocity of a score model s(x, t) = grad log p_t(x) on an affine path from a
 * standard normal source: u = (alpha'/alpha) x + sigma (alpha' sigma - sigma' alpha)/alpha s.
 * Undefined where alpha_t = 0: evaluating there throws.
 *
 * @param model - the score model
 * @param path - scheduler or affine path
 * @returns the velocity field
 * @throws {@link DomainError} for a bad model or path; evaluate throws at alpha_t = 0
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * const score = { dim: 1, evaluate: () => fromRows([[2]]) };
 * fromScore(score, condOT).evaluate(fromRows([[1]]), 0.5).data // => Float64Array [4]
 * ```
 * @category Velocity fields
 */
export function fromScore(model: PredictionModel, path: SchedulerSource): VelocityField {
  return converted("fromScore", "score", model, path);
}

function converted(fn: string, kind: "x1" | "epsilon" | "score", model: PredictionModel, path: SchedulerSource): VelocityField {
  if (model === null || typeof model !== "object" || typeof model.evaluate !== "function") {
    throw new DomainError(fn, "model", "be a field-like model with evaluate(x, t)", describeValue(model));
  }
  const scheduler = resolveScheduler(fn, path);
  const dim = model.dim;
  const coefficients = (name: string, t: Time, n: number) => {
    checkTime(name, "t", t, n);
    const a = new Float64Array(n), b = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const time = timeAt(t, r);
      const c = conversionCoefficients(kind, valuesAt(name, scheduler, time));
      if (c === null) throw new DomainError(name, "t", `be a time with alpha_t > 0 (a ${kind} model does not determine the velocity at alpha_t = 0)`, String(time));
      a[r] = c.a;
      b[r] = c.b;
    }
    return { a, b };
  };
  const mix = (a: Float64Array, b: Float64Array, x: Float64Array, p: Float64Array, out: Float64Array) => {
    for (let i = 0; i < out.length; i++) { const r = Math.floor(i / dim); out[i] = (a[r] as number) * (x[i] as number) + (b[r] as number) * (p[i] as number); }
  };
  const field: VelocityField = {
    dim,
    evaluate(x, t, out) {
      const name = `${fn}.evaluate`;
      const xb = asBatch(name, "x", x, { dim });
      const n = xb.shape[0] as number;
      const { a, b } = coefficients(name, t, n);
      const res = outputBatch(name, out, n, dim);
      mix(a, b, xb.data, model.evaluate(xb, t).data, res.data);
      return res;
    },
  };
  if (model.jvp) {
    const jvp = model.jvp.bind(model);
    field.jvp = (x, t, v, out) => {
      const name = `${fn}.jvp`;
      const xb = asBatch(name, "x", x, { dim });
      const n = xb.shape[0] as number;
      const vb = asBatch(name, "v", v, { dim, rows: n });
      const { a, b } = coefficients(name, t, n);
      const res = outputBatch(name, out, n, dim);
      mix(a, b, vb.data, jvp(xb, t, vb).data, res.data);
      return res;
    };
  }
  if (model.divergence) {
    const div = model.divergence.bind(model);
    field.divergence = (x, t, out) => {
      const name = `${fn}.divergence`;
      const xb = asBatch(name, "x", x, { dim });
      const n = xb.shape[0] as number;
      const { a, b } = coefficients(name, t, n);
      const inner = div(xb, t);
      const res = out ?? new Float64Array(n);
      for (let r = 0; r < n; r++) res[r] = dim * (a[r] as number) + (b[r] as number) * (inner[r] as number);
      return res;
    };
  }
  return field;
}


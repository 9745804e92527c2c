import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { checkFiniteArray } from "../core/check.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { CfmLossResult } from "./cfm-loss.js";
import { cfmLoss } from "./cfm-loss.js";
import { squaredEuclidean } from "./divergences.js";

/**
 * The denoising score-matching loss of a Gaussian conditional path, the companion of the CFM
 * loss for training a score model beside the velocity (SF2M, Tong et al. 2024):
 * L = (1/n) sum_i lambda_i^2 ||s_i - score_i||^2, with score_i = -(x_t - mu_t) / sigma_t^2 = -eps_i / sigma_t
 * the conditional score and lambda_i the path's weight (a {@link GaussianPathSample} holds both).
 * Its minimiser is the marginal score grad log p_t (the conditional scores average to it, as
 * conditional velocities average to the marginal velocity). With lambda_t proportional to sigma_t
 * (`schrodingerBridgePath`) this is the usual noise-prediction weighting ||sigma_t s + eps||^2 up to a
 * constant; torchcfm's SF2M regresses lambda_t s + eps instead, whose minimiser is (sigma^2 / 2) times the score.
 * The learned score plugs into the drift u + g^2/2 s of a stochastic sampler.
 *
 * @param prediction - the score model's output s, shape [n, d]
 * @param sample - `score` (shape [n, d]) and `lambda` (n weights >= 0) of a path sample
 * @param out - optional output for the gradient [n, d]
 * @returns `{ loss, gradient }`, the gradient dL/ds = (2 lambda_i^2 / n) (s_i - score_i)
 * @throws {@link DomainError} for a sample without score and lambda or an empty batch; {@link ShapeError} for a
 *   score or out of another shape than the prediction, or a lambda of another length than n; {@link NonFiniteError}
 *   for non-finite entries, a lambda whose square overflows (|lambda| above about 1.3e154) or a loss or gradient
 *   that overflows (all named scoreMatchingLoss)
 * @example
 * ```ts
 * scoreMatchingLoss(fromRows([[1, 0]]), { score: fromRows([[0, 0]]), lambda: new Float64Array([2]) }).loss // => 4
 * ```
 * @category Losses
 */
export function scoreMatchingLoss(prediction: Batch, sample: { readonly score: Batch; readonly lambda: ArrayLike<number> }, out?: Batch): CfmLossResult {
  const fn = "scoreMatchingLoss";
  if (sample === null || typeof sample !== "object" || sample.score === undefined || sample.lambda === undefined) {
    throw new DomainError(fn, "sample", "be a Gaussian path sample with score and lambda", describeValue(sample));
  }
  // validated here, so that errors name this function and its arguments rather than cfmLoss's
  const s = asBatch(fn, "prediction", prediction);
  const n = s.shape[0] as number, d = s.shape[1] as number;
  if (n === 0) throw new DomainError(fn, "prediction", "have at least one row", "0 rows");
  asBatch(fn, "sample.score", sample.score, { dim: d, rows: n });
  if (out !== undefined) outputBatch(fn, out, n, d);
  checkFiniteArray(fn, "sample.lambda", sample.lambda);
  if (sample.lambda.length !== n) throw new ShapeError(fn, "sample.lambda", `have length ${n} (one weight per row)`, String(sample.lambda.length));
  const weights = Float64Array.from(sample.lambda, (l) => l * l);
  for (let i = 0; i < n; i++) {
    if (weights[i] === Infinity) throw new NonFiniteError(fn, `sample.lambda[${i}]`, "have a finite square (|lambda| below about 1.3e154)", describeValue(sample.lambda[i]));
  }
  try {
    return cfmLoss(prediction, sample.score, squaredEuclidean, weights, out);
  } catch (error) {
    if (!(error instanceof NonFiniteError)) throw error;
    const argument = error.argument === "gradient" || error.fn.endsWith(".gradient") ? "gradient" : "loss";
    throw new NonFiniteError(fn, argument, "be finite for finite input (overflow; rescale the input)", error.message);
  }
}

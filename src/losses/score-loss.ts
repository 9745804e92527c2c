import type { Batch } from "../core/batch.js";
import { checkFiniteArray } from "../core/check.js";
import { DomainError } from "../core/errors.js";
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
 * @throws {@link DomainError} for a sample without score and lambda; the errors of {@link cfmLoss} (shapes, negative or non-finite weights)
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
  checkFiniteArray(fn, "sample.lambda", sample.lambda);
  const weights = Float64Array.from(sample.lambda, (l) => l * l);
  return cfmLoss(prediction, sample.score, squaredEuclidean, weights, out);
}

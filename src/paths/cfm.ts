import { checkInRange, checkNonNegative, checkPositive, checkOptions } from "../core/check.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import { defineScheduler } from "../schedulers/define.js";
import type { AffinePath } from "./affine.js";
import { affinePath } from "./affine.js";
import type { GaussianPath } from "./gaussian-path.js";
import { gaussianPath } from "./gaussian-path.js";

/** Options of {@link independentCfmPath} and {@link trigonometricPath}. @category Paths */
export interface NoiseOptions {
  /** The constant noise level sigma >= 0 (default 0: a deterministic interpolant). */
  sigma?: number;
}

/**
 * The I-CFM path (Tong et al. 2024): x_t = t x1 + (1 - t) x0 + sigma eps, target u_t = x1 - x0.
 * Score target -eps/sigma, lambda_t = 1 (0 when sigma = 0).
 *
 * @param options - `sigma`, the constant noise level (default 0)
 * @throws {@link DomainError} for sigma < 0; from `sample`, when sigma > 0 and no `rng` is given
 * @example
 * ```ts
 * const s = independentCfmPath().sample(fromRows([[0]]), fromRows([[2]]), 0.5);
 * [s.xt.data[0], s.dxt.data[0]] // => [1, 2]
 * ```
 * @category Paths
 */
export function independentCfmPath(options: NoiseOptions = {}): GaussianPath {
  options = checkOptions("independentCfmPath", "options", options);
  const sigma = checkNonNegative("independentCfmPath", "sigma", options.sigma ?? 0);
  const lambda = sigma > 0 ? 1 : 0;
  return gaussianPath(`independentCfmPath(${sigma})`, (t) => ({ m0: 1 - t, m1: t, dm0: -1, dm1: 1, std: sigma, dStd: 0, lambda }), sigma > 0);
}

/** Options of {@link lipmanPath}. @category Paths */
export interface LipmanOptions {
  /** The standard deviation at t = 1, in [0, 1) (default 0.001, Lipman et al. 2023). */
  sigmaMin?: number;
}

/**
 * The flow-matching path of Lipman et al. (2023) with sigma_min, conditioned on x1 with source noise x0:
 * an affine path with alpha_t = t, sigma_t = 1 - (1 - sigma_min) t, so x_t = t x1 + (1 - (1 - sigma_min) t) x0 and
 * u_t = (x1 - (1 - sigma_min) x_t)/(1 - (1 - sigma_min) t) = x1 - (1 - sigma_min) x0.
 * sigma_1 = sigma_min by design, so its boundary check needs that tolerance.
 *
 * @param options - `sigmaMin` in [0, 1)
 * @throws {@link DomainError} for sigmaMin outside [0, 1); from `scheduler.snrInverse`, for an SNR outside [0, 1 / sigmaMin] (NaN included)
 * @example
 * ```ts
 * const s = lipmanPath({ sigmaMin: 0.1 }).sample(fromRows([[1]]), fromRows([[2]]), 1);
 * s.xt.data[0] // => 2.1 (= x1 + sigma_min x0)
 * ```
 * @category Paths
 */
export function lipmanPath(options: LipmanOptions = {}): AffinePath {
  options = checkOptions("lipmanPath", "options", options);
  const sigmaMin = checkInRange("lipmanPath", "sigmaMin", options.sigmaMin ?? 0.001, 0, 1);
  if (sigmaMin === 1) throw new DomainError("lipmanPath", "sigmaMin", "be in [0, 1)", "1");
  const k = 1 - sigmaMin;
  const name = `lipman(${sigmaMin})`;
  // the SNR t / (1 - k t) rises from 0 to snr_1 = 1 / sigma_1 (Infinity for sigmaMin = 0), computed as `at` computes it
  const sigma1 = 1 - k;
  const snr1 = sigma1 === 0 ? Infinity : 1 / sigma1;
  return affinePath(
    defineScheduler({
      name,
      alpha: (t) => t,
      sigma: (t) => 1 - k * t,
      dAlpha: () => 1,
      dSigma: () => -k,
      snrInverse: (snr) => {
        if (typeof snr !== "number" || !(snr >= 0 && snr <= snr1)) {
          throw new DomainError(`${name}.snrInverse`, "snr", `be a number in [0, ${snr1}] (the SNR of this path from t = 0 to t = 1)`, describeValue(snr));
        }
        return snr === Infinity ? 1 : Math.min(1, snr / (1 + k * snr));
      },
    }),
  );
}

/** Options of {@link schrodingerBridgePath}. @category Paths */
export interface BridgeOptions {
  /** The diffusion level sigma > 0 of the Brownian bridge (default 1). */
  sigma?: number;
}

/**
 * The Schrödinger-bridge (Brownian-bridge) path of [SF]2M (Tong et al. 2024):
 * x_t = t x1 + (1 - t) x0 + sigma sqrt(t (1 - t)) eps, target
 * u_t = (1 - 2t)/(2 t (1 - t)) (x_t - mu_t) + x1 - x0, score target -eps/sigma_t and
 * weight lambda_t = 2 sigma_t / sigma^2 (as torchcfm). Pair it with entropic OT at reg = 2 sigma^2.
 * At t = 0 and t = 1 (sigma_t = 0) it returns x_t = mu_t, u_t = x1 - x0, score 0 and lambda 0.
 *
 * @param options - `sigma` > 0 (default 1)
 * @throws {@link DomainError} for sigma <= 0; from `sample`, when no `rng` is given
 * @example
 * ```ts
 * const s = schrodingerBridgePath({ sigma: 0.5 }).sample(fromRows([[0]]), fromRows([[2]]), 0.5, new Random(1));
 * s.std[0] // => 0.25
 * ```
 * @category Paths
 */
export function schrodingerBridgePath(options: BridgeOptions = {}): GaussianPath {
  options = checkOptions("schrodingerBridgePath", "options", options);
  const sigma = checkPositive("schrodingerBridgePath", "sigma", options.sigma ?? 1);
  const square = sigma * sigma;
  return gaussianPath(
    `schrodingerBridgePath(${sigma})`,
    (t) => {
      const root = Math.sqrt(t * (1 - t));
      const std = sigma * root;
      // 2 std / sigma^2 = 2 root / sigma, taken that way where sigma^2 overflows or leaves the normal range
      const lambda = square >= 2 ** -1022 && square < Infinity ? (2 * std) / square : (2 * root) / sigma;
      return { m0: 1 - t, m1: t, dm0: -1, dm1: 1, std, dStd: (sigma * (1 - 2 * t)) / (2 * root), lambda };
    },
    true,
  );
}

/**
 * The trigonometric (variance-preserving) interpolant: mu_t = cos(pi t/2) x0 + sin(pi t/2) x1,
 * x_t = mu_t + sigma eps, u_t = (pi/2)(cos(pi t/2) x1 - sin(pi t/2) x0) (torchcfm's VP-CFM).
 * Without noise it is the affine path of the cosine scheduler.
 *
 * @param options - `sigma`, the constant noise level (default 0)
 * @throws {@link DomainError} for sigma < 0; from `sample`, when sigma > 0 and no `rng` is given
 * @example
 * ```ts
 * trigonometricPath().sample(fromRows([[1]]), fromRows([[0]]), 1).dxt.data[0] // => -1.5707963267948966
 * ```
 * @category Paths
 */
export function trigonometricPath(options: NoiseOptions = {}): GaussianPath {
  options = checkOptions("trigonometricPath", "options", options);
  const sigma = checkNonNegative("trigonometricPath", "sigma", options.sigma ?? 0);
  const h = Math.PI / 2;
  const lambda = sigma > 0 ? 1 : 0;
  return gaussianPath(
    `trigonometricPath(${sigma})`,
    (t) => {
      const s = Math.sin(h * t);
      const c = Math.sin(h * (1 - t));
      return { m0: c, m1: s, dm0: -h * s, dm1: h * c, std: sigma, dStd: 0, lambda };
    },
    sigma > 0,
  );
}

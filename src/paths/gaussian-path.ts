import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { PathSample, ProbabilityPath } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import { timeAt } from "../core/time.js";
import { checkPair } from "./affine.js";
import type { Random } from "../random/random.js";

/** One draw from a Gaussian conditional path N(mu_t, sigma_t^2 I) given (x0, x1). @category Paths */
export interface GaussianPathSample extends PathSample {
  /** The mean mu_t of the conditional path, shape [n, d]. */
  mean: Batch;
  /** The standard deviation sigma_t of each row. */
  std: Float64Array;
  /** The standard-normal noise eps with x_t = mu_t + sigma_t eps, shape [n, d]. */
  noise: Batch;
  /** The score target -(x_t - mu_t)/sigma_t^2 = -eps/sigma_t; rows with sigma_t = 0 hold 0 (their weight is 0). */
  score: Batch;
  /** The score-loss weight lambda_t of each row (0 where sigma_t = 0). */
  lambda: Float64Array;
}

/** A stochastic conditional path of conditional flow matching, conditioned on the pair (x0, x1). @category Paths */
export interface GaussianPath extends ProbabilityPath {
  /** A short name. */
  readonly name: string;
  /** Draws x_t = mu_t + sigma_t eps with eps from `rng` (needed when sigma_t can be > 0), and dx_t = mu'_t + sigma'_t eps. */
  sample(x0: Batch, x1: Batch, t: Time, rng?: Random): GaussianPathSample;
}

/** The coefficients of a Gaussian path at one time: mu_t = m0 x0 + m1 x1, its derivatives, sigma_t, sigma'_t, lambda_t. */
export interface GaussianCoefficients {
  m0: number;
  m1: number;
  dm0: number;
  dm1: number;
  std: number;
  dStd: number;
  lambda: number;
}

/**
 * Builds a {@link GaussianPath} from its per-time coefficients.
 * Where sigma_t = 0 (an end of a bridge) the noise term of dx_t is dropped: all the
 * conditional mass sits at x_t = mu_t, where the conditional field mu'_t + (sigma'_t/sigma_t)(x - mu_t)
 * equals mu'_t, even though sigma'_t itself is infinite there.
 * @internal
 */
export function gaussianPath(name: string, coefficients: (t: number) => GaussianCoefficients, stochastic: boolean): GaussianPath {
  return {
    name,
    sample(x0: Batch, x1: Batch, t: Time, rng?: Random): GaussianPathSample {
      const fn = `${name}.sample`;
      const { a, b, n, d } = checkPair(fn, x0, x1, t);
      if (stochastic && (rng === undefined || rng === null || typeof rng.fillNormal !== "function")) {
        throw new DomainError(fn, "rng", "be a Random (this path draws noise)", describeValue(rng));
      }
      const eps = new Float64Array(n * d);
      if (stochastic) (rng as Random).fillNormal(eps);
      const times = new Float64Array(n);
      const std = new Float64Array(n);
      const lambda = new Float64Array(n);
      const mean = new Float64Array(n * d);
      const xt = new Float64Array(n * d);
      const dxt = new Float64Array(n * d);
      const score = new Float64Array(n * d);
      for (let i = 0; i < n; i++) {
        const ti = timeAt(t, i);
        times[i] = ti;
        const c = coefficients(ti);
        std[i] = c.std;
        lambda[i] = c.lambda;
        const dStd = c.std === 0 ? 0 : c.dStd;
        for (let j = i * d; j < (i + 1) * d; j++) {
          const p = a.data[j] as number;
          const q = b.data[j] as number;
          const e = eps[j] as number;
          const m = c.m0 * p + c.m1 * q;
          mean[j] = m;
          xt[j] = m + c.std * e;
          dxt[j] = c.dm0 * p + c.dm1 * q + dStd * e;
          score[j] = c.std === 0 ? 0 : -e / c.std;
        }
      }
      const batch = (data: Float64Array) => ndarray(data, [n, d]);
      return { t: times, x0: a, x1: b, xt: batch(xt), dxt: batch(dxt), mean: batch(mean), std, noise: batch(eps), score: batch(score), lambda };
    },
  };
}

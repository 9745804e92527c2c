import ndarray from "ndarray";
import type { Scheduler } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import { checkTime, timeAt } from "../core/time.js";
import { DomainError } from "../core/errors.js";
import { Random } from "../random/random.js";
import { describeValue } from "../core/format.js";
import type { Tokens } from "./tokens.js";
import { asTokens } from "./tokens.js";
import { mixtureKappa } from "./kappa.js";

/** One draw from a discrete probability path. @category Discrete */
export interface DiscretePathSample {
  /** One time per sequence. */
  t: Float64Array;
  /** Source tokens, shape [n, positions]. */
  x0: Tokens;
  /** Data tokens, shape [n, positions]. */
  x1: Tokens;
  /** Tokens on the path, shape [n, positions]. */
  xt: Tokens;
}

/**
 * The mixture path of discrete flow matching (Gat et al., 2024): independently for every
 * position, x_t = x1 with probability kappa_t and x_t = x0 with probability 1 - kappa_t,
 * i.e. p_t(x | x0, x1) = (1 - kappa_t) delta_{x0}(x) + kappa_t delta_{x1}(x) per position.
 *
 * kappa_t is the scheduler's alpha_t (the scheduler must be convex). The endpoints are exact:
 * x_t = x0 where kappa_t = 0 and x_t = x1 where kappa_t = 1, whatever the generator draws.
 *
 * @param scheduler - a convex scheduler; kappa_t = alpha_t
 * @returns a {@link MixtureDiscretePath}
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * mixtureDiscretePath(condOT).sample(tokensFromRows([[0, 0]]), tokensFromRows([[1, 2]]), 1, new Random(0)).xt.data
 * // => Int32Array [1, 2]
 * ```
 * @category Discrete
 */
export function mixtureDiscretePath(scheduler: Scheduler): MixtureDiscretePath {
  return new MixtureDiscretePath(scheduler);
}

/**
 * The mixture discrete path; build it with {@link mixtureDiscretePath}.
 *
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * new MixtureDiscretePath(condOT).scheduler.name // => "condOT"
 * ```
 * @category Discrete
 */
export class MixtureDiscretePath {
  /** The scheduler giving kappa_t = alpha_t. */
  readonly scheduler: Scheduler;

  /** @param scheduler - a convex scheduler; kappa_t = alpha_t */
  constructor(scheduler: Scheduler) {
    if (scheduler === null || typeof scheduler !== "object" || typeof scheduler.at !== "function") {
      throw new DomainError("mixtureDiscretePath", "scheduler", "be a Scheduler with at(t)", describeValue(scheduler));
    }
    this.scheduler = scheduler;
  }

  /**
   * Draws x_t for paired sequences x0, x1 at times t: each position independently takes x1's
   * token with probability kappa_t (one uniform draw per position, row-major order).
   *
   * @param x0 - source tokens, shape [n, positions]
   * @param x1 - data tokens, shape [n, positions]
   * @param t - one time in [0, 1] or one per sequence
   * @param rng - the generator
   * @returns the path sample
   * @throws {@link ShapeError} for mismatched shapes; {@link DomainError} for t outside [0, 1], a non-convex scheduler or a missing generator
   */
  sample(x0: Tokens, x1: Tokens, t: Time, rng: Random): DiscretePathSample {
    const fn = "MixtureDiscretePath.sample";
    const a = asTokens(fn, "x0", x0);
    const [n, positions] = a.shape as [number, number];
    const b = asTokens(fn, "x1", x1, { rows: n, positions });
    checkTime(fn, "t", t, n);
    if (!(rng instanceof Random)) throw new DomainError(fn, "rng", "be a Random", describeValue(rng));
    const times = new Float64Array(n);
    const xt = new Int32Array(n * positions);
    for (let i = 0; i < n; i++) {
      const ti = timeAt(t, i);
      times[i] = ti;
      const { kappa } = mixtureKappa(this.scheduler, ti, fn);
      for (let l = 0; l < positions; l++) {
        const k = i * positions + l;
        // uniform() is in [0, 1): never below kappa = 0, always below kappa = 1.
        xt[k] = rng.uniform() < kappa ? (b.data[k] as number) : (a.data[k] as number);
      }
    }
    return { t: times, x0: a, x1: b, xt: ndarray(xt, [n, positions]) };
  }
}

import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeShape } from "../core/format.js";
import type { Scheduler } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import { checkTime, timeAt } from "../core/time.js";
import type { Tokens } from "./tokens.js";
import { asTokens } from "./tokens.js";
import { jumpCoefficient, scaleBy } from "./jump.js";

/**
 * Converts a posterior p_{1|t}(y | x_t) into the rates of the mixture path's marginal
 * velocity (Gat et al., 2024):
 * u_t(y, x_t) = kappa'_t / (1 - kappa_t) (p_{1|t}(y | x_t) - delta_{x_t}(y)),
 * for every position; off-diagonal rates are >= 0 and each row sums to 0.
 *
 * Rows of `posterior` are (sequence, position) pairs in row-major order: row i * positions + l
 * holds the distribution of position l of sequence i over the S states.
 *
 * @param posterior - probabilities, shape [n * positions, S], entries >= 0
 * @param xt - current tokens, shape [n, positions], states in [0, S)
 * @param t - one time or one per sequence, in [0, 1) where kappa_t < 1
 * @param scheduler - a convex scheduler; kappa_t = alpha_t
 * @param out - optional destination, shape [n * positions, S]
 * @returns the rates, shape [n * positions, S]
 * @throws {@link ShapeError} for mismatched shapes or a posterior without columns; {@link DomainError} for negative probabilities, kappa_t = 1
 *   (infinite rate) or a non-convex or decreasing scheduler; {@link NonFiniteError} for a rate that overflows (kappa'_t or the posterior near the largest double)
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * posteriorToVelocity(fromRows([[0.5, 0.5]]), tokensFromRows([[0]]), 0.5, condOT).data
 * // => Float64Array [-1, 1]
 * ```
 * @category Discrete
 */
export function posteriorToVelocity(posterior: Batch, xt: Tokens, t: Time, scheduler: Scheduler, out?: Batch): Batch {
  const fn = "posteriorToVelocity";
  const p = asBatch(fn, "posterior", posterior);
  const S = p.shape[1] as number;
  if (S === 0) throw new ShapeError(fn, "posterior", "have at least one column (one per state)", describeShape(p.shape));
  const x = asTokens(fn, "xt", xt, { states: S });
  const [n, positions] = x.shape as [number, number];
  if ((p.shape[0] as number) !== n * positions) {
    asBatch(fn, "posterior", posterior, { rows: n * positions });
  }
  checkTime(fn, "t", t, n);
  const o = outputBatch(fn, out, n * positions, S);
  for (let i = 0; i < n; i++) {
    const jump = jumpCoefficient(fn, scheduler, timeAt(t, i));
    const { c, kappa, dKappa } = jump;
    // c overflows only for an absurd kappa' (above 2^971): then kappa' (p - delta) / (1 - kappa),
    // finite where the rate is
    const exact = Number.isFinite(c);
    for (let l = 0; l < positions; l++) {
      const r = i * positions + l;
      const state = x.data[r] as number;
      for (let y = 0; y < S; y++) {
        const py = p.data[r * S + y] as number;
        if (py < 0) throw new DomainError(fn, "posterior", "contain probabilities >= 0", `${py} at row ${r}, column ${y}`);
        const d = py - (y === state ? 1 : 0);
        const u = exact ? c * d : scaleBy(jump, d);
        if (u - u !== 0) {
          throw new NonFiniteError(fn, "result", "be finite for finite input (overflow: kappa'_t or the posterior near the largest double)",
            `${u} at row ${r}, column ${y} (kappa' = ${dKappa}, kappa = ${kappa})`);
        }
        o.data[r * S + y] = u;
      }
    }
  }
  return o;
}

import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { DomainError, ShapeError, NonFiniteError } from "../core/errors.js";
import type { Scheduler } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import { checkTime, timeAt } from "../core/time.js";
import type { Tokens } from "./tokens.js";
import { asTokens } from "./tokens.js";
import { jumpCoefficient, scaleBy } from "./jump.js";
import { checkFiniteResult, outputArray } from "../core/check.js";
import { describeShape } from "../core/format.js";

/**
 * The generalized-KL loss of the mixture path (Gat et al., 2024; Holderrieth et al., 2024;
 * Shaul et al., 2024), per (sequence, position), from the model's logits z:
 * loss = -kappa'_t / (1 - kappa_t) [ p(x_t) - delta_{x1}(x_t) + (1 - delta_{x1}(x_t)) log p(x1) ],
 * with p = softmax(z) the predicted posterior p_{1|t}(. | x_t). It is the generalized KL
 * divergence sum_{y != x_t} u(y) log(u(y) / v(y)) - u(y) + v(y) between the conditional rate
 * u = c (delta_{x1} - delta_{x_t}) and the model's rate v = c (p - delta_{x_t}),
 * c = kappa'_t / (1 - kappa_t); it is >= 0 and 0 exactly when p puts all mass on x1.
 * Example: p uniform over 3 states, t = 0.5 under condOT (c = 2), x_t = x1: loss = -2 (1/3 - 1) = 4/3.
 *
 * Logits may be -Infinity (probability 0); the loss is then +Infinity where p(x1) = 0 and x_t != x1.
 * log p is computed as (z - max z) - ln sum exp(z - max z), accurate for logits of any size (1e16 included).
 *
 * @param logits - unnormalised log-probabilities, shape [n * positions, S]; row i * positions + l is position l of sequence i
 * @param x1 - data tokens, shape [n, positions]
 * @param xt - tokens on the path, shape [n, positions]
 * @param t - one time or one per sequence, where kappa_t < 1
 * @param scheduler - a convex scheduler; kappa_t = alpha_t
 * @param out - optional destination of length n * positions
 * @returns the loss of every (sequence, position), length n * positions
 * @throws {@link ShapeError} for mismatched shapes or logits without columns; {@link DomainError} for kappa_t = 1, a non-convex or decreasing scheduler or a
 *   row of logits that are all -Infinity; {@link NonFiniteError} for NaN or +Infinity logits, or a loss that overflows where x1's logit is finite
 *   (p(x1) > 0: logits 1e308 apart, or kappa'_t near the largest double)
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * mixtureGeneralizedKL(fromRows([[0, 0, 0]]), tokensFromRows([[2]]), tokensFromRows([[2]]), 0.5, condOT)
 * // => Float64Array [1.3333333333333333] (= 4/3)
 * ```
 * @category Discrete
 */
export function mixtureGeneralizedKL(
  logits: Batch, x1: Tokens, xt: Tokens, t: Time, scheduler: Scheduler, out?: Float64Array,
): Float64Array {
  const fn = "mixtureGeneralizedKL";
  const { z, a, b, n, positions, S } = validate(fn, logits, x1, xt, t);
  const o = outputArray(fn, out, n * positions);
  if (o.length !== n * positions) throw new ShapeError(fn, "out", `have length ${n * positions}`, String(o.length));
  const logp = new Float64Array(S);
  for (let i = 0; i < n; i++) {
    const jump = jumpCoefficient(fn, scheduler, timeAt(t, i));
    const c = jump.c;
    const exact = Number.isFinite(c);
    for (let l = 0; l < positions; l++) {
      const r = i * positions + l;
      logSoftmax(fn, z.data, r, S, logp);
      const s1 = a.data[r] as number;
      const st = b.data[r] as number;
      const pt = Math.exp(logp[st] as number);
      const v = s1 === st ? 1 - pt : pt + (logp[s1] as number);
      const cv = exact ? c * v : scaleBy(jump, v);
      // c = 0 (kappa' = 0) gives loss 0 even where log p(x1) = -Infinity.
      o[r] = c === 0 ? 0 : s1 === st ? cv : 0 - cv;
      // +Infinity is the true loss only where p(x1) = 0 exactly (a -Infinity logit); else it is overflow
      // (log p(x1) itself overflows to -Infinity for logits more than the largest double apart)
      if (!Number.isFinite(o[r] as number) && (z.data[r * S + s1] as number) > -Infinity) {
        throw new NonFiniteError(fn, "result", "be finite for finite input (overflow; rescale the logits or move t away from kappa_t = 1)",
          `${o[r]} at row ${r} (log p(x1) = ${logp[s1]}, kappa'/(1 - kappa) = ${c})`);
      }
    }
  }
  return o;
}

/**
 * The gradient of {@link mixtureGeneralizedKL} with respect to the logits, row by row:
 * d loss / d z_j = -c [ p(x_t) (delta_{x_t, j} - p_j) + (1 - delta_{x1}(x_t)) (delta_{x1, j} - p_j) ],
 * with c = kappa'_t / (1 - kappa_t) and p = softmax(z).
 *
 * @param logits - shape [n * positions, S]
 * @param x1 - data tokens, shape [n, positions]
 * @param xt - tokens on the path, shape [n, positions]
 * @param t - one time or one per sequence, where kappa_t < 1
 * @param scheduler - a convex scheduler; kappa_t = alpha_t
 * @param out - optional destination, shape [n * positions, S]
 * @returns the gradient, shape [n * positions, S]
 * @throws as {@link mixtureGeneralizedKL}, and a {@link NonFiniteError} for a gradient that overflows (kappa'_t near the largest double)
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * mixtureGeneralizedKLGradient(fromRows([[0, 0]]), tokensFromRows([[1]]), tokensFromRows([[1]]), 0.5, condOT).data
 * // => Float64Array [0.5, -0.5]
 * ```
 * @category Discrete
 */
export function mixtureGeneralizedKLGradient(
  logits: Batch, x1: Tokens, xt: Tokens, t: Time, scheduler: Scheduler, out?: Batch,
): Batch {
  const fn = "mixtureGeneralizedKLGradient";
  const { z, a, b, n, positions, S } = validate(fn, logits, x1, xt, t);
  const o = outputBatch(fn, out, n * positions, S);
  const logp = new Float64Array(S);
  for (let i = 0; i < n; i++) {
    const jump = jumpCoefficient(fn, scheduler, timeAt(t, i));
    const c = jump.c;
    const exact = Number.isFinite(c);
    for (let l = 0; l < positions; l++) {
      const r = i * positions + l;
      logSoftmax(fn, z.data, r, S, logp);
      const s1 = a.data[r] as number;
      const st = b.data[r] as number;
      const pt = Math.exp(logp[st] as number);
      const miss = s1 === st ? 0 : 1;
      for (let j = 0; j < S; j++) {
        const pj = Math.exp(logp[j] as number);
        const v = pt * ((j === st ? 1 : 0) - pj) + miss * ((j === s1 ? 1 : 0) - pj);
        // |v| <= 2, so only an overflowing c (kappa' above 2^971) can make it non-finite
        o.data[r * S + j] = exact ? -c * v : -scaleBy(jump, v);
      }
    }
    if (!exact) checkFiniteResult(fn, "result", o.data.subarray(i * positions * S, (i + 1) * positions * S));
  }
  return o;
}

function validate(fn: string, logits: Batch, x1: Tokens, xt: Tokens, t: Time) {
  const z = asBatch(fn, "logits", logits, { finite: false });
  const S = z.shape[1] as number;
  if (S === 0) throw new ShapeError(fn, "logits", "have at least one column (one per state)", describeShape(z.shape));
  const a = asTokens(fn, "x1", x1, { states: S });
  const [n, positions] = a.shape as [number, number];
  const b = asTokens(fn, "xt", xt, { rows: n, positions, states: S });
  if ((z.shape[0] as number) !== n * positions) asBatch(fn, "logits", logits, { rows: n * positions, finite: false });
  for (let k = 0; k < z.data.length; k++) {
    const v = z.data[k] as number;
    if (Number.isNaN(v) || v === Infinity) throw new NonFiniteError(fn, "logits", "contain finite numbers or -Infinity", `${v} at index ${k}`);
  }
  checkTime(fn, "t", t, n);
  return { z, a, b, n, positions, S };
}

/** log softmax of row r of z into logp (max-shifted). */
function logSoftmax(fn: string, z: Float64Array, r: number, S: number, logp: Float64Array): void {
  let m = -Infinity;
  for (let j = 0; j < S; j++) m = Math.max(m, z[r * S + j] as number);
  if (m === -Infinity) throw new DomainError(fn, "logits", "have at least one finite entry per row", `a row of -Infinity at row ${r}`);
  let s = 0;
  for (let j = 0; j < S; j++) s += Math.exp((z[r * S + j] as number) - m);
  // (z - m) - ln s, not z - (m + ln s): for m of 1e15 and more, m + ln s rounds ln s (<= ln S) away
  const logS = Math.log(s);
  for (let j = 0; j < S; j++) logp[j] = (z[r * S + j] as number) - m - logS;
}

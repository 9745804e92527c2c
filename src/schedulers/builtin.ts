import { checkFinite, checkInRange, checkPositive, checkOptions } from "../core/check.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Scheduler, SchedulerValues } from "../core/interfaces.js";
import { pow } from "../core/pow.js";

/** A built-in scheduler: its SNR alpha_t / sigma_t is increasing, so `snrInverse` is always present. @category Schedulers */
export interface MonotoneScheduler extends Scheduler {
  /** The time t in [0, 1] with alpha_t / sigma_t = snr; `Infinity` maps to 1. */
  snrInverse(snr: number): number;
}

/** A convex scheduler, alpha_t = kappa_t and sigma_t = 1 - kappa_t, with `kappaInverse`. @category Schedulers */
export interface ConvexScheduler extends MonotoneScheduler {
  /** The time t in [0, 1] with kappa_t = kappa. */
  kappaInverse(kappa: number): number;
}

/**
 * The conditional optimal-transport scheduler: alpha_t = t, sigma_t = 1 - t (exact 0 and 1 at the ends).
 * SNR inverse t = snr / (1 + snr); kappa inverse t = kappa.
 *
 * @returns a convex scheduler
 * @example
 * ```ts
 * condOT().at(0.25) // => { alpha: 0.25, sigma: 0.75, dAlpha: 1, dSigma: -1 }
 * ```
 * @category Schedulers
 */
export function condOT(): ConvexScheduler {
  return {
    name: "condOT",
    at: (t) => {
      checkInRange("condOT.at", "t", t, 0, 1);
      return { alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 };
    },
    snrInverse: (snr) => {
      const r = checkSnr("condOT.snrInverse", snr);
      return r === Infinity ? 1 : r / (1 + r);
    },
    kappaInverse: (kappa) => checkInRange("condOT.kappaInverse", "kappa", kappa, 0, 1),
  };
}

/**
 * The polynomial scheduler of degree n > 0: alpha_t = t^n, sigma_t = 1 - t^n (d alpha at 0 is +Infinity for n < 1).
 * SNR inverse t = (snr / (1 + snr))^(1/n); kappa inverse t = kappa^(1/n).
 *
 * @param n - the exponent, finite and > 0
 * @throws {@link DomainError} for n <= 0
 * @example
 * ```ts
 * polynomial(2).at(0.5) // => { alpha: 0.25, sigma: 0.75, dAlpha: 1, dSigma: -1 }
 * ```
 * @category Schedulers
 */
export function polynomial(n: number): ConvexScheduler {
  checkPositive("polynomial", "n", n);
  const name = `polynomial(${n})`;
  return {
    name,
    at: (t) => {
      checkInRange(`${name}.at`, "t", t, 0, 1);
      const tn = pow(t, n);
      const d = n * pow(t, n - 1);
      return { alpha: tn, sigma: 1 - tn, dAlpha: d, dSigma: -d };
    },
    snrInverse: (snr) => {
      const r = checkSnr(`${name}.snrInverse`, snr);
      return r === Infinity ? 1 : pow(r / (1 + r), 1 / n);
    },
    kappaInverse: (kappa) => pow(checkInRange(`${name}.kappaInverse`, "kappa", kappa, 0, 1), 1 / n),
  };
}

/** Options of {@link vp}. @category Schedulers */
export interface VpOptions {
  /** beta at t = 1 (data end), default 0.1 (Song et al. 2021). */
  betaMin?: number;
  /** beta at t = 0 (noise end), default 20 (Song et al. 2021). */
  betaMax?: number;
}

/**
 * The variance-preserving scheduler of score-based diffusion, in flow-matching time:
 * T(t) = 0.5 (1-t)^2 (betaMax - betaMin) + (1-t) betaMin, alpha_t = exp(-T/2),
 * sigma_t = sqrt(1 - exp(-T)). alpha_0 = exp(-T(0)/2) is not 0 (0.0065716 for the defaults),
 * and d sigma at t = 1 is -Infinity. SNR inverse: T = ln(1 + 1/snr^2) (-2 ln snr where snr^2 underflows), then the
 * root 1 - t of the quadratic; an snr at or below snr_0 that float64 cannot tell from it (snr_0 underflows to 0 for
 * large betas) is t = 0.
 *
 * @param options - betaMin > 0 and betaMax >= betaMin
 * @throws {@link DomainError} for betaMin <= 0 or betaMax < betaMin
 * @example
 * ```ts
 * vp().at(0).alpha // => 0.006571586494929619 (= exp(-5.025))
 * ```
 * @category Schedulers
 */
export function vp(options: VpOptions = {}): MonotoneScheduler {
  options = checkOptions("vp", "options", options);
  const betaMin = checkPositive("vp", "betaMin", options.betaMin ?? 0.1);
  const betaMax = checkFinite("vp", "betaMax", options.betaMax ?? 20);
  if (!(betaMax >= betaMin)) throw new DomainError("vp", "betaMax", `be >= betaMin = ${betaMin}`, describeValue(betaMax));
  const slope = betaMax - betaMin;
  const name = `vp(${betaMin}, ${betaMax})`;
  const T0 = 0.5 * slope + betaMin;
  const snr0 = Math.exp(-0.5 * T0) / Math.sqrt(-Math.expm1(-T0));
  return {
    name,
    at: (t): SchedulerValues => {
      checkInRange(`${name}.at`, "t", t, 0, 1);
      const u = 1 - t;
      const T = 0.5 * u * u * slope + u * betaMin;
      const dT = -(u * slope + betaMin);
      const alpha = Math.exp(-0.5 * T);
      const sigma = Math.sqrt(-Math.expm1(-T));
      // sigma = 0 at t = 1 makes dSigma = -Infinity, the true one-sided derivative.
      return { alpha, sigma, dAlpha: -0.5 * dT * alpha, dSigma: (alpha * alpha * dT) / (2 * sigma) };
    },
    snrInverse: (snr) => {
      const r = checkSnr(`${name}.snrInverse`, snr);
      if (r < snr0) throw new DomainError(`${name}.snrInverse`, "snr", `be >= snr at t = 0, ${snr0}`, describeValue(r));
      if (r === Infinity) return 1;
      // T = ln(1 + 1/snr^2); below snr = 1e-154 the square underflows, and T = -2 ln(snr) to float64 precision
      const inverse = 1 / (r * r);
      const T = inverse < Infinity ? Math.log1p(inverse) : -2 * Math.log(r);
      // at or past T(0) (snr at or below snr_0, which may itself underflow to 0) the answer is t = 0
      if (!(T < T0)) return 0;
      // 1 - t = 2T / (betaMin + sqrt(betaMin^2 + 2 slope T)): the stable root of 0.5 slope u^2 + betaMin u - T = 0.
      let root = Math.sqrt(betaMin * betaMin + 2 * slope * T);
      if (root === Infinity) root = Math.hypot(betaMin, Math.sqrt(2 * slope) * Math.sqrt(T));
      const u = (2 * T) / (betaMin + root);
      return Math.min(1, Math.max(0, 1 - u));
    },
  };
}

/**
 * The linear variance-preserving scheduler: alpha_t = t, sigma_t = sqrt(1 - t^2)
 * (d sigma at t = 1 is -Infinity). SNR inverse t = snr / sqrt(1 + snr^2).
 *
 * @example
 * ```ts
 * linearVP().at(0.6) // => { alpha: 0.6, sigma: 0.8, dAlpha: 1, dSigma: -0.75 }
 * ```
 * @category Schedulers
 */
export function linearVP(): MonotoneScheduler {
  return {
    name: "linearVP",
    at: (t) => {
      checkInRange("linearVP.at", "t", t, 0, 1);
      const sigma = Math.sqrt((1 - t) * (1 + t));
      return { alpha: t, sigma, dAlpha: 1, dSigma: -t / sigma };
    },
    snrInverse: (snr) => {
      const r = checkSnr("linearVP.snrInverse", snr);
      return r === Infinity ? 1 : r / Math.hypot(1, r);
    },
  };
}

/**
 * The cosine scheduler: alpha_t = sin(pi t / 2), sigma_t = cos(pi t / 2), evaluated as
 * sin(pi (1 - t) / 2) so that sigma_1 is exactly 0 (not 6.1e-17). SNR inverse t = (2 / pi) atan(snr).
 *
 * @example
 * ```ts
 * cosine().at(1) // => { alpha: 1, sigma: 0, dAlpha: 0, dSigma: -1.5707963267948966 }
 * ```
 * @category Schedulers
 */
export function cosine(): MonotoneScheduler {
  const h = Math.PI / 2;
  return {
    name: "cosine",
    at: (t) => {
      checkInRange("cosine.at", "t", t, 0, 1);
      const alpha = Math.sin(h * t);
      const sigma = Math.sin(h * (1 - t));
      return { alpha, sigma, dAlpha: h * sigma, dSigma: -h * alpha };
    },
    snrInverse: (snr) => {
      const r = checkSnr("cosine.snrInverse", snr);
      return r === Infinity ? 1 : Math.atan(r) / h;
    },
  };
}

function checkSnr(fn: string, snr: number): number {
  if (typeof snr !== "number" || Number.isNaN(snr) || snr < 0) throw new DomainError(fn, "snr", "be a number >= 0", describeValue(snr));
  return snr;
}

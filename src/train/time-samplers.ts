import { checkFinite, checkInRange, checkInteger, checkOptions, checkPositive, checkRandom, MAX_ELEMENTS } from "../core/check.js";
import type { Random } from "../random/random.js";
import { pow } from "../core/pow.js";

/**
 * Draws the training times of a batch: `n` values in [0, 1] from `rng` (t = 0 is the source,
 * t = 1 the data). Any function of this shape is accepted by the `sampleTimes` option of
 * {@link train} and {@link trainSync}.
 *
 * @category Training
 */
export type TimeSampler = (n: number, rng: Random) => Float64Array;

/**
 * Uniform times t ~ U[0, 1): the default of {@link train}, drawn the same way (the same seed
 * gives the same bits as leaving `sampleTimes` out).
 *
 * @returns a {@link TimeSampler}
 * @example
 * ```ts
 * uniformTimeSampler()(3, new Random(0)).length // => 3
 * ```
 * @category Training
 */
export function uniformTimeSampler(): TimeSampler {
  return (n, rng) => draws("uniformTimeSampler", n, rng).fillUniform(new Float64Array(n));
}

/**
 * Logit-normal times (Esser et al. 2024, "Scaling rectified flow transformers", eq. 19):
 * t = sigmoid(location + scale z), z ~ N(0, 1), with CDF F(t) = Phi((logit(t) - location) / scale).
 * Here t = 1 is the data, so a positive location puts more weight near the data; SD3's
 * `logit_normal(m, s)` (t = 1 is noise there) is `logitNormalTimeSampler({ location: -m, scale: s })`.
 *
 * @param options - `location` (real, default 0) and `scale` (> 0, default 1)
 * @returns a {@link TimeSampler}
 * @throws {@link NonFiniteError} for a non-finite location; {@link DomainError} for scale <= 0
 * @example
 * ```ts
 * const t = logitNormalTimeSampler({ location: 0, scale: 1 })(4, new Random(1));
 * t.every((v) => v > 0 && v < 1) // => true
 * ```
 * @category Training
 */
export function logitNormalTimeSampler(options: { location?: number; scale?: number } = {}): TimeSampler {
  const fn = "logitNormalTimeSampler";
  options = checkOptions(fn, "options", options);
  const location = checkFinite(fn, "options.location", options.location ?? 0);
  const scale = checkPositive(fn, "options.scale", options.scale ?? 1);
  return (n, rng) => {
    const out = draws(fn, n, rng).fillNormal(new Float64Array(n));
    for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-(location + scale * (out[i] as number))));
    return out;
  };
}

/**
 * Beta(a, b) times, density t^(a-1) (1-t)^(b-1) / B(a, b), mean a / (a + b), drawn as
 * X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b) (Marsaglia and Tsang 2000; for a shape below 1,
 * Gamma(a) = Gamma(a + 1) U^(1/a)). Where a draw underflows (tiny shapes: U^(1/a) below 1e-308) or
 * X + Y overflows, the same draws are used in log space, t = 1 / (1 + exp(log Y - log X)), so the law
 * stays exact (Beta(a, a) keeps mean 1/2 for every a). Beta(1, 1) is uniform; a > b leans towards the data.
 *
 * @param a - first shape, > 0
 * @param b - second shape, > 0
 * @returns a {@link TimeSampler}
 * @throws {@link DomainError} for a or b <= 0; {@link NonFiniteError} for a non-finite shape
 * @example
 * ```ts
 * const t = betaTimeSampler(2, 2)(1000, new Random(2));
 * Math.abs(t.reduce((s, v) => s + v, 0) / 1000 - 0.5) < 0.05 // => true
 * ```
 * @category Training
 */
export function betaTimeSampler(a: number, b: number): TimeSampler {
  const fn = "betaTimeSampler";
  checkPositive(fn, "a", a);
  checkPositive(fn, "b", b);
  return (n, rng) => {
    draws(fn, n, rng);
    const out = new Float64Array(n);
    for (let i = 0; i < out.length; i++) {
      const x = gamma(a, rng);
      const ux = boostU, gx = boostBase;
      const y = gamma(b, rng);
      const uy = boostU, gy = boostBase;
      // a draw below the smallest normal double has lost digits (or all of them), and x + y may overflow
      // for shapes near 1e308: then the logarithms of the same draws give t
      const sum = x + y;
      out[i] = x >= MIN_NORMAL && y >= MIN_NORMAL && sum < Infinity ? x / sum : logistic(logRatio(x, a, ux, gx, y, b, uy, gy));
    }
    return out;
  };
}

/**
 * SD3's mode sampling (Esser et al. 2024, eq. 20): t = 1 - f(u), u ~ U[0, 1), with
 * f(u) = 1 - u - s (cos^2(pi u / 2) - 1 + u). The law is symmetric about 1/2 (so the time
 * direction does not matter); s = 0 is uniform, s > 0 puts weight on the middle times, s < 0
 * on the ends. f is monotone (a proper sampler) for s in [-1, 2 / (pi - 2)].
 *
 * @param scale - s, in [-1, 2 / (pi - 2)] (about 1.752)
 * @returns a {@link TimeSampler}
 * @throws {@link DomainError} for s outside that interval; {@link NonFiniteError} for a non-finite s
 * @example
 * ```ts
 * modeTimeSampler(0)(2, new Random(3)).length // => 2
 * ```
 * @category Training
 */
export function modeTimeSampler(scale: number): TimeSampler {
  const fn = "modeTimeSampler";
  const s = checkInRange(fn, "scale", scale, -1, 2 / (Math.PI - 2));
  return (n, rng) => {
    const out = draws(fn, n, rng).fillUniform(new Float64Array(n));
    for (let i = 0; i < out.length; i++) {
      const u = out[i] as number;
      const c = Math.cos((Math.PI * u) / 2);
      out[i] = Math.min(1, Math.max(0, u + s * (c * c - 1 + u)));
    }
    return out;
  };
}

/** The smallest normal double, 2^-1022: below it a Gamma draw has lost precision. */
const MIN_NORMAL = 2 ** -1022;

/** The uniform and the Gamma(shape + 1) draw of the last boosted {@link gamma} draw (shape below 1). */
let boostU = 1;
let boostBase = 1;

/** Gamma(shape, 1) by Marsaglia and Tsang (2000), with the U^(1/shape) boost below 1. */
function gamma(shape: number, rng: Random): number {
  if (shape < 1) {
    const u = rng.uniform();
    const base = gamma(shape + 1, rng);
    boostU = u;
    boostBase = base;
    return base * pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * log(X / Y) for Gamma draws x of shape a and y of shape b from their parts: a boosted draw (shape
 * below 1) is G U^(1/shape), whose logarithm log G + log U / shape does not underflow where the draw
 * does. The two log U / shape terms are subtracted as one quotient, so that shapes below 1e-308 (where
 * each term is -Infinity) still compare the uniforms instead of giving NaN.
 */
function logRatio(x: number, a: number, ux: number, gx: number, y: number, b: number, uy: number, gy: number): number {
  const base = (a < 1 ? Math.log(gx) : Math.log(x)) - (b < 1 ? Math.log(gy) : Math.log(y));
  const lx = a < 1 ? Math.log(ux) : 0, ly = b < 1 ? Math.log(uy) : 0;
  if (a >= 1 || b >= 1) return base + (a < 1 ? lx / a : 0) - (b < 1 ? ly / b : 0);
  // log U_x / a - log U_y / b, divided by the smaller shape last
  return base + (a <= b ? (lx - ly * (a / b)) / a : (lx * (b / a) - ly) / b);
}

/** 1 / (1 + e^-z) without overflow; 1/2 for z NaN (a tie of infinite logarithms: U = 0 twice). */
function logistic(z: number): number {
  if (Number.isNaN(z)) return 0.5;
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Checks a sampler's call: n a count within the element limit, rng a Random; returns rng. */
function draws(fn: string, n: number, rng: Random): Random {
  checkInteger(fn, "n", n, 0, MAX_ELEMENTS);
  return checkRandom<Random>(fn, "rng", rng);
}

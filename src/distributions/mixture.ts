import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { MAX_ELEMENTS, checkFinite, checkFiniteArray, checkInteger, checkPositive, checkDraw, checkOptions } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { DensityDistribution } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import { maxAbs } from "../core/row-norm.js";
import { checkFiniteSamples, standardize } from "./finite-samples.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** Options of {@link gaussianMixture}. @category Distributions */
export interface GaussianMixtureOptions {
  /** Component means, K rows of d numbers. */
  means: readonly ArrayLike<number>[];
  /** Standard deviation: one for all, one per component, or one per component and coordinate (K x d). Default 1. */
  stds?: number | readonly (number | ArrayLike<number>)[];
  /** Non-negative component weights, normalised internally (default uniform). */
  weights?: ArrayLike<number>;
}

/** A mixture of diagonal Gaussians. @category Distributions */
export interface GaussianMixtureDistribution extends DensityDistribution {
  /** Number of components. */
  readonly components: number;
  /** Component means (K x d, a copy). */
  readonly means: Float64Array[];
  /** Component standard deviations (K x d, a copy). */
  readonly stds: Float64Array[];
  /** Normalised weights (a copy). */
  readonly weights: Float64Array;
}

/**
 * A mixture of diagonal Gaussians, p(x) = sum_k w_k N(x; mu_k, diag(s_k^2)), with log
 * density by log-sum-exp (stable far from every component). Weights of any scale are
 * normalised (divided by the largest first where their sum overflows). `sample` throws a
 * {@link NonFiniteError} naming `means, stds` where a draw overflows.
 *
 * @throws {@link ShapeError} for ragged means or mismatched stds/weights; {@link DomainError} for non-positive stds, negative/zero-sum weights,
 *   or stds/weights that are not numbers or arrays; {@link NonFiniteError} for NaN/Infinity
 * @example
 * ```ts
 * const m = gaussianMixture({ means: [[-1], [1]], stds: 0.5 });
 * m.sample(4, new Random(0)).shape // => [4, 1]
 * ```
 * @category Distributions
 */
export function gaussianMixture(options: GaussianMixtureOptions): GaussianMixtureDistribution {
  options = checkOptions("gaussianMixture", "options", options, true);
  const fn = "gaussianMixture";
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object", String(options));
  if (options.means !== undefined && !Array.isArray(options.means)) throw new ShapeError(fn, "means", "be an array of rows", describeValue(options.means));
  const K = options.means?.length ?? 0;
  if (K === 0) throw new ShapeError(fn, "means", "have at least one component", "[]");
  const dim = checkInteger(fn, "means[0].length", (options.means[0] as ArrayLike<number> | null)?.length, 0, MAX_ELEMENTS);
  if (dim === 0) throw new ShapeError(fn, "means[0]", "have at least one entry", "[]");
  const means = options.means.map((m, k) => {
    if (m === null || typeof m !== "object") throw new ShapeError(fn, `means[${k}]`, "be an array of numbers", describeValue(m));
    if (m.length !== dim) throw new ShapeError(fn, `means[${k}]`, `have length ${dim} like means[0]`, String(m.length));
    return Float64Array.from(checkFiniteArray(fn, `means[${k}]`, m));
  });
  const stdIn = options.stds ?? 1;
  const stds: Float64Array[] = [];
  if (typeof stdIn !== "number" && !Array.isArray(stdIn)) throw new DomainError(fn, "stds", "be a number or an array with one entry per component", describeValue(stdIn));
  for (let k = 0; k < K; k++) {
    const s = new Float64Array(dim);
    if (typeof stdIn === "number") s.fill(checkPositive(fn, "stds", stdIn));
    else {
      if (stdIn.length !== K) throw new ShapeError(fn, "stds", `have one entry per component (${K})`, String(stdIn.length));
      const sk = stdIn[k];
      if (typeof sk === "number") s.fill(checkPositive(fn, `stds[${k}]`, sk));
      else {
        if (sk === null || typeof sk !== "object") throw new ShapeError(fn, `stds[${k}]`, `be a number or an array of length ${dim}`, describeValue(sk));
        if (sk.length !== dim) throw new ShapeError(fn, `stds[${k}]`, `have length ${dim}`, describeValue(sk));
        for (let j = 0; j < dim; j++) s[j] = checkPositive(fn, `stds[${k}][${j}]`, sk[j]);
      }
    }
    stds.push(s);
  }
  const weights = new Float64Array(K);
  if (options.weights === undefined) weights.fill(1 / K);
  else {
    const given = options.weights as unknown;
    if (given === null || typeof given !== "object" || typeof (given as ArrayLike<number>).length !== "number") {
      throw new DomainError(fn, "weights", "be an array of numbers", describeValue(given));
    }
    if (options.weights.length !== K) throw new ShapeError(fn, "weights", `have length ${K}`, String(options.weights.length));
    const w = new Float64Array(K);
    let total = 0;
    for (let k = 0; k < K; k++) {
      const wk = checkFinite(fn, `weights[${k}]`, options.weights[k]);
      if (wk < 0) throw new DomainError(fn, `weights[${k}]`, "be >= 0", describeValue(wk));
      w[k] = wk;
      total += wk;
    }
    if (!(total > 0)) throw new DomainError(fn, "weights", "have a positive sum", describeValue(total));
    // a sum that overflows (weights near the largest double): normalise w / max instead
    // (ordinary weights keep w / total, and their bits)
    const scale = total <= Number.MAX_VALUE ? 1 : maxAbs(w, 0, K);
    if (scale !== 1) {
      total = 0;
      for (let k = 0; k < K; k++) total += (w[k] as number) / scale;
    }
    for (let k = 0; k < K; k++) weights[k] = (w[k] as number) / scale / total;
  }
  const logConst = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let c = Math.log(weights[k] as number) - 0.5 * dim * LOG_2PI;
    for (let j = 0; j < dim; j++) c -= Math.log((stds[k] as Float64Array)[j] as number);
    logConst[k] = c;
  }
  return {
    dim,
    components: K,
    get means() {
      return means.map((m) => m.slice());
    },
    get stds() {
      return stds.map((s) => s.slice());
    },
    get weights() {
      return weights.slice();
    },
    sample(n: number, rng: Random): Batch {
      checkDraw("gaussianMixture.sample", n, dim, rng);
      const ks = rng.categoricalMany(weights, n);
      const data = new Float64Array(n * dim);
      for (let i = 0; i < n; i++) {
        const k = ks[i] as number;
        const m = means[k] as Float64Array, s = stds[k] as Float64Array;
        for (let j = 0; j < dim; j++) data[i * dim + j] = (m[j] as number) + (s[j] as number) * rng.normal();
      }
      return ndarray(checkFiniteSamples("gaussianMixture.sample", "means, stds", data, dim), [n, dim]);
    },
    logProb(x: Batch): Float64Array {
      const b = asBatch("gaussianMixture.logProb", "x", x, { dim });
      const n = b.shape[0] as number;
      const out = new Float64Array(n);
      const terms = new Float64Array(K);
      for (let i = 0; i < n; i++) {
        let max = -Infinity;
        for (let k = 0; k < K; k++) {
          const m = means[k] as Float64Array, s = stds[k] as Float64Array;
          let q = 0;
          for (let j = 0; j < dim; j++) {
            const z = standardize(b.data[i * dim + j] as number, m[j] as number, s[j] as number);
            q += z * z;
          }
          const v = (logConst[k] as number) - 0.5 * q;
          terms[k] = v;
          if (v > max) max = v;
        }
        if (max === -Infinity) {
          out[i] = -Infinity;
          continue;
        }
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Math.exp((terms[k] as number) - max);
        out[i] = max + Math.log(sum);
      }
      return out;
    },
  };
}

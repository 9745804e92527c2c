import type { Batch } from "./batch.js";
import type { Time } from "./time.js";
import type { Random } from "../random/random.js";

/**
 * Values of a scheduler at one time: the path is `x_t = alpha x1 + sigma x0` and its
 * velocity `dx_t = dAlpha x1 + dSigma x0`.
 *
 * @category Interfaces
 */
export interface SchedulerValues {
  /** alpha_t, the weight of the data sample x1 */
  alpha: number;
  /** sigma_t, the weight of the source sample x0 */
  sigma: number;
  /** d alpha_t / dt */
  dAlpha: number;
  /** d sigma_t / dt */
  dSigma: number;
}

/**
 * A scheduler: the pair (alpha_t, sigma_t) of an affine conditional path and its
 * derivatives, for t in [0, 1].
 *
 * @category Interfaces
 */
export interface Scheduler {
  /** A short name, used in messages (for example `"condOT"`). */
  readonly name: string;
  /** (alpha_t, sigma_t, alpha'_t, sigma'_t) at time `t`. */
  at(t: number): SchedulerValues;
  /** The time t with alpha_t / sigma_t = snr (inverse of the signal-to-noise ratio), where defined. */
  snrInverse?(snr: number): number;
  /** The time t with kappa_t = kappa, for convex schedulers alpha_t = kappa_t, sigma_t = 1 - kappa_t. */
  kappaInverse?(kappa: number): number;
}

/**
 * A time-dependent velocity field u_t(x) on R^dim, evaluated on batches.
 *
 * @category Interfaces
 */
export interface VelocityField {
  /** Dimension of the space. */
  readonly dim: number;
  /** u_t(x) for every row of `x` (shape [n, dim]); `t` is one time or one per row. */
  evaluate(x: Batch, t: Time, out?: Batch): Batch;
  /** Jacobian-vector product (du_t/dx)(x) v, row by row. */
  jvp?(x: Batch, t: Time, v: Batch, out?: Batch): Batch;
  /**
   * Vector-Jacobian product v^T (du_t/dx)(x) (that is J^T v), row by row: what reverse-mode
   * frameworks give cheaply. The divergence estimators use it when `jvp` is absent, since
   * tr J = tr J^T and z^T J z = z^T J^T z.
   */
  vjp?(x: Batch, t: Time, v: Batch, out?: Batch): Batch;
  /** Divergence tr(du_t/dx)(x), one value per row. */
  divergence?(x: Batch, t: Time, out?: Float64Array): Float64Array;
}

/**
 * A velocity field whose evaluation completes later: a model on a GPU whose results are read
 * back without blocking (tfjs on webgl/webgpu, gpu.js), an onnxruntime session, a worker.
 * `sampleAsync`, `integrateAsync` and `logLikelihoodAsync` take it (or a {@link VelocityField};
 * an object may implement both). They run the same stepping code as the synchronous solvers
 * and await each evaluation before the next, so calls never overlap and a field that returns
 * the same numbers either way gives bit-identical results with the same number of evaluations.
 *
 * Contract of each method: it reads `x` (shape [n, dim], row-major Float64Array; and `v`)
 * only until its Promise settles and never modifies it; it resolves to a batch of shape
 * [n, dim] (or n divergences), written into `out` when `out` is given (resolving to another
 * batch is accepted: its values are copied into `out`); it rejects, rather than resolving to
 * NaN, when it cannot evaluate. Missing `jvpAsync`/`vjpAsync`/`divergenceAsync` fall back to
 * the synchronous `jvp`/`vjp`/`divergence` when present; the divergence estimators use a JVP,
 * else a VJP, else central differences of `evaluateAsync`.
 *
 * @example
 * ```ts
 * // u_t(x) = -x, resolved on a later tick
 * const field: AsyncVelocityField = { dim: 1, evaluateAsync: async (x) => ndarray(x.data.map((v) => -v), x.shape) };
 * (await sampleAsync(field, fromRows([[1]]))).y.data[0] // => 0.36787944... (exp(-1))
 * ```
 * @category Interfaces
 */
export interface AsyncVelocityField {
  /** Dimension of the space. */
  readonly dim: number;
  /** u_t(x) for every row of `x` (shape [n, dim]); `t` is one time or one per row. */
  evaluateAsync(x: Batch, t: Time, out?: Batch): Promise<Batch>;
  /** Jacobian-vector product (du_t/dx)(x) v, row by row. */
  jvpAsync?(x: Batch, t: Time, v: Batch, out?: Batch): Promise<Batch>;
  /** Vector-Jacobian product J^T v, row by row (used by the divergence estimators when `jvpAsync` is absent). */
  vjpAsync?(x: Batch, t: Time, v: Batch, out?: Batch): Promise<Batch>;
  /** Divergence tr(du_t/dx)(x), one value per row. */
  divergenceAsync?(x: Batch, t: Time, out?: Float64Array): Promise<Float64Array>;
}

/**
 * One draw from a conditional probability path: times, the coupled endpoints, the point
 * x_t on the path and the conditional velocity dx_t = u_t(x_t | x0, x1).
 *
 * @category Interfaces
 */
export interface PathSample {
  /** One time per row. */
  t: Float64Array;
  /** Source samples, shape [n, d]. */
  x0: Batch;
  /** Data samples, shape [n, d]. */
  x1: Batch;
  /** Points on the path, shape [n, d]. */
  xt: Batch;
  /** Conditional velocity at xt, the regression target, shape [n, d]. */
  dxt: Batch;
}

/**
 * A conditional probability path p_t(x | x0, x1) that can be sampled.
 *
 * @category Interfaces
 */
export interface ProbabilityPath {
  /** Draws x_t and its conditional velocity for paired rows of x0 and x1 at times t. */
  sample(x0: Batch, x1: Batch, t: Time, rng?: Random): PathSample;
}

/**
 * The result of a coupling: paired batches and, for each output row, the index of the
 * input row it came from, so that labels or any per-row data can travel with it.
 *
 * @category Interfaces
 */
export interface CoupledBatch {
  /** Source rows, re-ordered or re-sampled. */
  x0: Batch;
  /** Data rows, re-ordered or re-sampled; row i is paired with x0's row i. */
  x1: Batch;
  /** `indices0[i]` is the input row of x0 that output row i came from. */
  indices0: Int32Array;
  /** `indices1[i]` is the input row of x1 that output row i came from. */
  indices1: Int32Array;
  /** With label conditions: the labels of the output rows of x0 (`labels0[indices0[i]]`). */
  labels0?: Int32Array;
  /** With label conditions: the labels of the output rows of x1 (`labels1[indices1[i]]`). */
  labels1?: Int32Array;
  /** With continuous conditions: the conditions of the output rows of x0, shape [n, c]. */
  c0?: Batch;
  /** With continuous conditions: the conditions of the output rows of x1, shape [n, c]. */
  c1?: Batch;
}

/**
 * Conditions of the rows of a minibatch pair: integer labels on both sides, or continuous
 * (or embedded) conditions `[n, c]` on both sides; row i of `c0` belongs to row i of x0.
 *
 * @category Interfaces
 */
export type PairConditions =
  | { readonly labels0: ArrayLike<number>; readonly labels1: ArrayLike<number> }
  | { readonly c0: Batch; readonly c1: Batch };

/**
 * A coupling of source and data batches (independent, minibatch OT, ...). `pairWithConditions`
 * moves the rows' conditions with them through any coupling (by `indices0`/`indices1`).
 *
 * @category Interfaces
 */
export interface Coupling {
  /**
   * Pairs the rows of `x0` with rows of `x1`. A condition-aware coupling
   * (`conditionalOTCoupling`) reads `conditions`; the others ignore them.
   */
  pair(x0: Batch, x1: Batch, rng: Random, conditions?: PairConditions): CoupledBatch;
}

/**
 * A probability distribution on R^dim that can be sampled with an explicit generator.
 *
 * @category Interfaces
 */
export interface Distribution {
  /** Dimension of a sample. */
  readonly dim: number;
  /** `n` independent samples as a batch of shape [n, dim]. */
  sample(n: number, rng: Random): Batch;
  /** log density at each row of `x` (natural log, with respect to Lebesgue measure). */
  logProb?(x: Batch): Float64Array;
}

/**
 * A Bregman divergence D(u, v) = phi(u) - phi(v) - <grad phi(v), u - v> for a strictly
 * convex phi, evaluated row by row.
 *
 * @category Interfaces
 */
export interface BregmanDivergence {
  /** A short name (for example `"squaredEuclidean"`). */
  readonly name: string;
  /** D(u_i, v_i) for each row i. */
  value(u: Batch, v: Batch, out?: Float64Array): Float64Array;
  /** The gradient of D(u_i, v_i) with respect to the prediction v_i, row by row. */
  gradient(u: Batch, v: Batch, out?: Batch): Batch;
}

/**
 * A distribution whose log density is known in closed form.
 *
 * @category Interfaces
 */
export interface DensityDistribution extends Distribution {
  /** log density at each row of `x` (natural log; -Infinity outside the support). */
  logProb(x: Batch): Float64Array;
}

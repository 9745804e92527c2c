import { DomainError, ShapeError } from "../core/errors.js";
import { checkFinite, checkInRange, checkNonNegative, checkPositive, checkOptions } from "../core/check.js";
import { pow } from "../core/pow.js";

/**
 * A first-order optimizer that updates a flat parameter vector in place from its gradient.
 *
 * @category Neural networks
 */
export interface Optimizer {
  /** Name ("sgd", "adam", "adamw"). */
  readonly name: string;
  /** Base learning rate (used when `step` gets none). */
  readonly lr: number;
  /** Number of steps taken. */
  readonly steps: number;
  /**
   * One update of `parameters` (in place) from `gradient`.
   * @param parameters - the parameters, updated in place
   * @param gradient - their gradient, same length (not modified)
   * @param lr - learning rate of this step (default: the base rate), for schedules
   */
  step(parameters: Float64Array, gradient: Float64Array, lr?: number): void;
}

/** Options of {@link sgd}. @category Neural networks */
export interface SgdOptions {
  /** Learning rate. */
  lr: number;
  /** Momentum coefficient mu in [0, 1) (default 0). */
  momentum?: number;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
  /** L2 weight decay lambda added to the gradient (default 0). */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent with (optionally Nesterov) momentum, PyTorch convention:
 * g = grad + lambda theta; m = mu m + g; theta -= lr (nesterov ? g + mu m : m).
 *
 * @param options - see {@link SgdOptions}
 * @returns an {@link Optimizer}
 * @throws {@link DomainError} for a non-positive rate or a momentum outside [0, 1)
 * @example
 * ```ts
 * const p = new Float64Array([1]); sgd({ lr: 0.1 }).step(p, new Float64Array([2])); p[0] // => 0.8
 * ```
 * @category Neural networks
 */
export function sgd(options: SgdOptions): Optimizer {
  options = checkOptions("sgd", "options", options, true);
  const fn = "sgd";
  const baseLr = checkPositive(fn, "options.lr", options.lr);
  const mu = checkInRange(fn, "options.momentum", options.momentum ?? 0, 0, 1);
  if (mu >= 1) throw new DomainError(fn, "options.momentum", "be in [0, 1)", String(mu));
  const decay = checkNonNegative(fn, "options.weightDecay", options.weightDecay ?? 0);
  const nesterov = options.nesterov ?? false;
  let m: Float64Array | null = null;
  let steps = 0;
  return {
    name: "sgd", lr: baseLr,
    get steps() { return steps; },
    step(parameters, gradient, lr = baseLr) {
      checkStep(fn, parameters, gradient, lr);
      if (m === null) m = new Float64Array(parameters.length);
      else if (m.length !== parameters.length) throw new ShapeError(fn, "parameters", `keep length ${m.length}`, String(parameters.length));
      const state = m;
      for (let i = 0; i < parameters.length; i++) {
        const g = (gradient[i] as number) + decay * (parameters[i] as number);
        if (mu === 0) { parameters[i] = (parameters[i] as number) - lr * g; continue; }
        const mi = mu * (state[i] as number) + g;
        state[i] = mi;
        parameters[i] = (parameters[i] as number) - lr * (nesterov ? g + mu * mi : mi);
      }
      steps++;
    },
  };
}

/** Options of {@link adam} and {@link adamw}. @category Neural networks */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** First-moment decay (default 0.9). */
  beta1?: number;
  /** Second-moment decay (default 0.999). */
  beta2?: number;
  /** Denominator offset (default 1e-8). */
  eps?: number;
  /** Weight decay: L2 added to the gradient for adam (default 0), decoupled for adamw (default 0.01). */
  weightDecay?: number;
}

/**
 * Adam (Kingma & Ba 2015, Algorithm 1) with bias correction:
 * m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; theta -= lr m_hat / (sqrt(v_hat) + eps),
 * with g = grad + lambda theta (L2 decay).
 *
 * @param options - see {@link AdamOptions}
 * @returns an {@link Optimizer}
 * @throws {@link DomainError} for out-of-range hyper-parameters
 * @example
 * ```ts
 * const p = new Float64Array([1]); adam({ lr: 0.1 }).step(p, new Float64Array([5])); p[0] // => 0.9 (approximately: the first step has size lr)
 * ```
 * @category Neural networks
 */
export function adam(options: AdamOptions = {}): Optimizer {
  options = checkOptions("adam", "options", options);
  return adamFamily("adam", options, false);
}

/**
 * AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay,
 * theta -= lr (m_hat / (sqrt(v_hat) + eps) + lambda theta).
 *
 * @param options - see {@link AdamOptions}
 * @returns an {@link Optimizer}
 * @throws {@link DomainError} for out-of-range hyper-parameters
 * @example
 * ```ts
 * const p = new Float64Array([1]); adamw({ lr: 0.1, weightDecay: 0.5 }).step(p, new Float64Array([0])); p[0] // => 0.95
 * ```
 * @category Neural networks
 */
export function adamw(options: AdamOptions = {}): Optimizer {
  options = checkOptions("adamw", "options", options);
  return adamFamily("adamw", options, true);
}

function adamFamily(fn: "adam" | "adamw", options: AdamOptions, decoupled: boolean): Optimizer {
  const baseLr = checkPositive(fn, "options.lr", options.lr ?? 1e-3);
  const b1 = checkInRange(fn, "options.beta1", options.beta1 ?? 0.9, 0, 1);
  const b2 = checkInRange(fn, "options.beta2", options.beta2 ?? 0.999, 0, 1);
  if (b1 >= 1) throw new DomainError(fn, "options.beta1", "be in [0, 1)", String(b1));
  if (b2 >= 1) throw new DomainError(fn, "options.beta2", "be in [0, 1)", String(b2));
  const eps = checkPositive(fn, "options.eps", options.eps ?? 1e-8);
  const decay = checkNonNegative(fn, "options.weightDecay", options.weightDecay ?? (decoupled ? 0.01 : 0));
  let m: Float64Array | null = null;
  let v: Float64Array | null = null;
  let steps = 0;
  return {
    name: fn, lr: baseLr,
    get steps() { return steps; },
    step(parameters, gradient, lr = baseLr) {
      checkStep(fn, parameters, gradient, lr);
      if (m === null || v === null) { m = new Float64Array(parameters.length); v = new Float64Array(parameters.length); }
      else if (m.length !== parameters.length) throw new ShapeError(fn, "parameters", `keep length ${m.length}`, String(parameters.length));
      steps++;
      const c1 = 1 / (1 - pow(b1, steps));
      const c2 = 1 / (1 - pow(b2, steps));
      adamUpdate(parameters, gradient, m, v, b1, b2, c1, c2, eps, lr, decay, decoupled);
    },
  };
}

/** The Adam/AdamW update of every entry (see adamFamily); L2 decay folded into g unless decoupled. */
function adamUpdate(
  parameters: Float64Array, gradient: Float64Array, mm: Float64Array, vv: Float64Array,
  b1: number, b2: number, c1: number, c2: number, eps: number, lr: number, decay: number, decoupled: boolean,
): void {
  const n = parameters.length, a1 = 1 - b1, a2 = 1 - b2, l2 = decoupled ? 0 : decay, wd = decoupled ? lr * decay : 0;
  for (let i = 0; i < n; i++) {
    const p = parameters[i] as number;
    const g = (gradient[i] as number) + l2 * p;
    const mi = b1 * (mm[i] as number) + a1 * g;
    const vi = b2 * (vv[i] as number) + a2 * g * g;
    mm[i] = mi;
    vv[i] = vi;
    parameters[i] = p - lr * ((mi * c1) / (Math.sqrt(vi * c2) + eps)) - wd * p;
  }
}

function checkStep(fn: string, parameters: Float64Array, gradient: Float64Array, lr: number): void {
  if (!(parameters instanceof Float64Array)) throw new DomainError(`${fn}.step`, "parameters", "be a Float64Array", typeof parameters);
  if (!(gradient instanceof Float64Array) || gradient.length !== parameters.length) {
    throw new ShapeError(`${fn}.step`, "gradient", `be a Float64Array of length ${parameters.length}`, String((gradient as { length?: number })?.length));
  }
  checkFinite(`${fn}.step`, "lr", lr);
  if (!(lr >= 0)) throw new DomainError(`${fn}.step`, "lr", "be >= 0", String(lr));
}

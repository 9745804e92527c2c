import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { checkFinite, checkInRange, checkNonNegative, checkPositive, checkOptions } from "../core/check.js";
import { describeValue } from "../core/format.js";
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
   * @throws {@link ShapeError} for lengths that differ (or change between steps); {@link DomainError} or
   *   {@link NonFiniteError} for a bad `lr`; {@link NonFiniteError} naming the first entry of `gradient`
   *   or `parameters` that is NaN or infinite: such entries (parameter and optimizer state) are left as
   *   they were while the others take the step, so no parameter becomes NaN (an update that itself
   *   overflows, for |theta| near 1e308 or an enormous lr, is not always caught)
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
 * @throws {@link DomainError} for a non-positive rate or a momentum outside [0, 1); its `step` throws
 *   {@link NonFiniteError} for NaN or infinite entries (see {@link Optimizer.step})
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
      // an entry with a NaN or infinite input is left as it was
      let bad = -1;
      for (let i = sgdUpdate(0, parameters, gradient, state, lr, mu, decay, nesterov); i >= 0; i = sgdUpdate(i + 1, parameters, gradient, state, lr, mu, decay, nesterov)) {
        if (bad < 0) bad = i;
      }
      steps++;
      if (bad >= 0) throw stepError(fn, parameters, gradient, bad);
    },
  };
}

/**
 * SGD's update of the entries from `start` on (see sgd), stopping before the first entry that meets a
 * NaN or infinite input: returns its index (the entry and its momentum untouched), or -1. The test is
 * on g = grad + lambda theta (NaN for a non-finite theta even where lambda = 0) through the new value
 * without momentum, or through the new momentum with it (cheaper there: the update itself overflows
 * only for |theta| near 1e308 or an enormous lr, left to the caller).
 */
function sgdUpdate(start: number, parameters: Float64Array, gradient: Float64Array, state: Float64Array, lr: number, mu: number, decay: number, nesterov: boolean): number {
  const n = parameters.length;
  if (mu === 0) {
    for (let i = start; i < n; i++) {
      const p = parameters[i] as number;
      const next = p - lr * ((gradient[i] as number) + decay * p);
      if (next - next !== 0) return i;
      parameters[i] = next;
    }
    return -1;
  }
  for (let i = start; i < n; i++) {
    const p = parameters[i] as number;
    const g = (gradient[i] as number) + decay * p;
    const mi = mu * (state[i] as number) + g;
    if (mi - mi !== 0) return i;
    state[i] = mi;
    parameters[i] = p - lr * (nesterov ? g + mu * mi : mi);
  }
  return -1;
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
 * with g = grad + lambda theta (L2 decay). The step does not depend on the gradient's scale, and
 * neither does this implementation's: where g^2 overflows (|g| above about 1e154) the entry's
 * moments are kept scaled by 2^-600, so a gradient of 1e160 moves theta by lr like a gradient of 1.
 *
 * @param options - see {@link AdamOptions}
 * @returns an {@link Optimizer}
 * @throws {@link DomainError} for out-of-range hyper-parameters; its `step` throws
 *   {@link NonFiniteError} for NaN or infinite entries (see {@link Optimizer.step})
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
 * @throws {@link DomainError} for out-of-range hyper-parameters; its `step` throws
 *   {@link NonFiniteError} for NaN or infinite entries (see {@link Optimizer.step})
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
  let state: AdamState | null = null;
  let steps = 0;
  return {
    name: fn, lr: baseLr,
    get steps() { return steps; },
    step(parameters, gradient, lr = baseLr) {
      checkStep(fn, parameters, gradient, lr);
      if (state === null) state = { m: new Float64Array(parameters.length), v: new Float64Array(parameters.length), scaled: null, scaledCount: 0 };
      else if (state.m.length !== parameters.length) throw new ShapeError(fn, "parameters", `keep length ${state.m.length}`, String(parameters.length));
      steps++;
      const c1 = 1 / (1 - pow(b1, steps));
      const c2 = 1 / (1 - pow(b2, steps));
      const bad = adamUpdate(parameters, gradient, state, b1, b2, c1, c2, eps, lr, decay, decoupled);
      if (bad >= 0) throw stepError(fn, parameters, gradient, bad);
    },
  };
}

/**
 * Adam's moments. An entry whose second moment overflows (g^2 past the largest double) is kept
 * scaled: m / 2^600 and v / 2^1200, flagged in `scaled` (allocated at the first such entry).
 */
interface AdamState {
  m: Float64Array;
  v: Float64Array;
  scaled: Uint8Array | null;
  scaledCount: number;
}

/** 2^600: gradients up to the largest double square to at most 2^848 once divided by it. */
const MOMENT_SCALE = 2 ** 600;
const INVERSE_MOMENT_SCALE = 2 ** -600;
/** A scaled entry whose v / 2^1200 falls below this (v below 2^900) goes back to plain moments. */
const PLAIN_AGAIN = 2 ** -300;

/**
 * The Adam/AdamW update of every entry (see adamFamily); L2 decay folded into g unless decoupled.
 * Entries take the plain update ({@link adamPlain}); an entry where it overflows or meets NaN, and an
 * entry already scaled, goes to {@link adamEntry}. Returns the first entry left as it was (a
 * non-finite input or an update that overflows), or -1.
 */
function adamUpdate(
  parameters: Float64Array, gradient: Float64Array, state: AdamState,
  b1: number, b2: number, c1: number, c2: number, eps: number, lr: number, decay: number, decoupled: boolean,
): number {
  const l2 = decoupled ? 0 : decay, wd = decoupled ? lr * decay : 0;
  const mm = state.m, vv = state.v;
  const a1 = 1 - b1, a2 = 1 - b2;
  let bad = -1;
  const scaled = state.scaled;
  if (scaled === null) {
    // an entry turned scaled here lies behind the plain run that resumes after it
    for (let i = adamPlain(0, parameters, gradient, mm, vv, b1, b2, a1, a2, c1, c2, eps, lr, l2, wd); i >= 0; i = adamPlain(i + 1, parameters, gradient, mm, vv, b1, b2, a1, a2, c1, c2, eps, lr, l2, wd)) {
      if (!adamEntry(parameters, gradient, state, i, b1, b2, c1, c2, eps, lr, l2, wd) && bad < 0) bad = i;
    }
  } else {
    // after an overflow: entry by entry, until no entry is scaled any more
    for (let i = 0; i < parameters.length; i++) {
      if (scaled[i] === 0 && adamPlainEntry(i, parameters, gradient, mm, vv, b1, b2, a1, a2, c1, c2, eps, lr, l2, wd)) continue;
      if (!adamEntry(parameters, gradient, state, i, b1, b2, c1, c2, eps, lr, l2, wd) && bad < 0) bad = i;
    }
    if (state.scaledCount === 0) state.scaled = null;
  }
  return bad;
}

/**
 * The plain Adam update of the entries from `start` on, stopping before the first entry whose inputs
 * are not finite or whose v_hat overflows: returns its index (nothing of it written), or -1. One test
 * covers both, v_hat < Infinity: g = grad + l2 theta is NaN for a NaN or infinite theta even where
 * l2 = 0, and so is v_hat. It runs before the division; the update itself is not re-checked (it
 * overflows only for |theta| near 1e308 or an enormous lr, left to the caller).
 */
function adamPlain(
  start: number, parameters: Float64Array, gradient: Float64Array, mm: Float64Array, vv: Float64Array,
  b1: number, b2: number, a1: number, a2: number, c1: number, c2: number, eps: number, lr: number, l2: number, wd: number,
): number {
  for (let i = start; i < parameters.length; i++) {
    if (!adamPlainEntry(i, parameters, gradient, mm, vv, b1, b2, a1, a2, c1, c2, eps, lr, l2, wd)) return i;
  }
  return -1;
}

/** Adam's plain update of entry i (the arithmetic of every ordinary step): whether it took the step (false: g^2 overflowed). */
function adamPlainEntry(
  i: number, parameters: Float64Array, gradient: Float64Array, mm: Float64Array, vv: Float64Array,
  b1: number, b2: number, a1: number, a2: number, c1: number, c2: number, eps: number, lr: number, l2: number, wd: number,
): boolean {
  const p = parameters[i] as number;
  const g = (gradient[i] as number) + l2 * p;
  const mi = b1 * (mm[i] as number) + a1 * g;
  const vi = b2 * (vv[i] as number) + a2 * g * g;
  const h = vi * c2;
  if (!(h < Infinity)) return false;
  mm[i] = mi;
  vv[i] = vi;
  parameters[i] = p - lr * ((mi * c1) / (Math.sqrt(h) + eps)) - wd * p;
  return true;
}

/**
 * Adam's update of entry i with moments scaled by 2^-600 (exact: a power of two), for an entry whose
 * plain update overflowed or that is already scaled. Adam's step is invariant under scaling g:
 * m_hat / (sqrt(v_hat) + eps) = (m_hat / s) / (sqrt(v_hat / s^2) + eps / s). Returns false, leaving
 * the entry as it was, for a NaN or infinite input or an update that overflows.
 */
function adamEntry(
  parameters: Float64Array, gradient: Float64Array, state: AdamState, i: number,
  b1: number, b2: number, c1: number, c2: number, eps: number, lr: number, l2: number, wd: number,
): boolean {
  const grad = gradient[i] as number, p = parameters[i] as number;
  if (!Number.isFinite(grad) || !Number.isFinite(p)) return false;
  const wasScaled = state.scaled !== null && state.scaled[i] === 1;
  const s = INVERSE_MOMENT_SCALE;
  const ms = wasScaled ? (state.m[i] as number) : (state.m[i] as number) * s;
  const vs = wasScaled ? (state.v[i] as number) : (state.v[i] as number) * s * s;
  const gs = grad * s + l2 * (p * s);
  const mi = b1 * ms + (1 - b1) * gs;
  const vi = b2 * vs + (1 - b2) * gs * gs;
  const next = p - lr * ((mi * c1) / (Math.sqrt(vi * c2) + eps * s)) - wd * p;
  if (!Number.isFinite(next)) return false;
  parameters[i] = next;
  const plain = vi < PLAIN_AGAIN;
  state.m[i] = plain ? mi * MOMENT_SCALE : mi;
  state.v[i] = plain ? vi * MOMENT_SCALE * MOMENT_SCALE : vi;
  if (plain !== !wasScaled) {
    if (state.scaled === null) state.scaled = new Uint8Array(parameters.length);
    state.scaled[i] = plain ? 0 : 1;
    state.scaledCount += plain ? -1 : 1;
  }
  return true;
}

function checkStep(fn: string, parameters: Float64Array, gradient: Float64Array, lr: number): void {
  if (!(parameters instanceof Float64Array)) throw new DomainError(`${fn}.step`, "parameters", "be a Float64Array", typeof parameters);
  if (!(gradient instanceof Float64Array) || gradient.length !== parameters.length) {
    throw new ShapeError(`${fn}.step`, "gradient", `be a Float64Array of length ${parameters.length}`, String((gradient as { length?: number })?.length));
  }
  checkFinite(`${fn}.step`, "lr", lr);
  if (!(lr >= 0)) throw new DomainError(`${fn}.step`, "lr", "be >= 0", String(lr));
}

/** The error of a step that left entry i as it was: its gradient or parameter is not finite, or its update overflows. */
function stepError(fn: string, parameters: Float64Array, gradient: Float64Array, i: number): NonFiniteError {
  const g = gradient[i] as number, p = parameters[i] as number;
  const kept = "that entry was left as it was, the others took the step";
  if (!Number.isFinite(g)) return new NonFiniteError(`${fn}.step`, "gradient", "contain only finite numbers", `${describeValue(g)} at index ${i}; ${kept}`);
  if (!Number.isFinite(p)) return new NonFiniteError(`${fn}.step`, "parameters", "contain only finite numbers", `${describeValue(p)} at index ${i}; ${kept}`);
  return new NonFiniteError(`${fn}.step`, "parameters", "stay finite (lower the learning rate)", `an update that overflows at index ${i} (parameter ${describeValue(p)}, gradient ${describeValue(g)}); ${kept}`);
}

import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import { tsit5 } from "./tsit5.js";
import { dop853 } from "./dop853.js";

/**
 * An explicit Runge-Kutta method as a Butcher tableau: stages
 * k_i = f(t + c_i h, y + h sum_{j<i} a_ij k_j) and the step y_new = y + h sum_i b_i k_i.
 *
 * @category Solvers
 */
export interface ButcherTableau {
  /** Method name, as accepted by `integrate`'s `method` option. */
  readonly name: MethodName;
  /** Order of the propagated solution (weights `b`). */
  readonly order: number;
  /** Nodes c_i, one per stage (c_0 = 0). */
  readonly c: readonly number[];
  /** Strictly lower-triangular coefficients: row i has i entries a_i0 .. a_i,i-1. */
  readonly a: readonly (readonly number[])[];
  /** Weights b_i of the propagated solution. */
  readonly b: readonly number[];
  /** Error weights e_i = b_i - bhat_i of the embedded method, for adaptive methods. */
  readonly e?: readonly number[];
  /** Order of the embedded method bhat (adaptive methods). */
  readonly embeddedOrder?: number;
  /** First Same As Last: the last stage is evaluated at (t + h, y_new), so it is the next step's first stage. */
  readonly fsal: boolean;
  /** Exponent of the step-size controller, 1 / (q + 1) with q the order the error estimate scales with. */
  readonly errorExponent?: number;
  /** The kind of continuous extension used for dense output. */
  readonly dense: "hermite" | "dopri5" | "tsit5" | "dop853";
}

/**
 * Names of the built-in methods. Fixed-step only: euler, midpoint, heun2, ralston, heun3,
 * rk4, rk38. Adaptive (embedded pairs): bosh3, dopri5, tsit5, dop853.
 *
 * @category Solvers
 */
export type MethodName =
  | "euler" | "midpoint" | "heun2" | "ralston" | "heun3" | "rk4" | "rk38"
  | "bosh3" | "dopri5" | "tsit5" | "dop853";

const euler: ButcherTableau = { name: "euler", order: 1, c: [0], a: [[]], b: [1], fsal: false, dense: "hermite" };

const midpoint: ButcherTableau = {
  name: "midpoint", order: 2, c: [0, 1 / 2], a: [[], [1 / 2]], b: [0, 1], fsal: false, dense: "hermite",
};

const heun2: ButcherTableau = {
  name: "heun2", order: 2, c: [0, 1], a: [[], [1]], b: [1 / 2, 1 / 2], fsal: false, dense: "hermite",
};

const ralston: ButcherTableau = {
  name: "ralston", order: 2, c: [0, 2 / 3], a: [[], [2 / 3]], b: [1 / 4, 3 / 4], fsal: false, dense: "hermite",
};

// Heun's third-order method (Hairer, Norsett, Wanner I, table II.1.1).
const heun3: ButcherTableau = {
  name: "heun3", order: 3, c: [0, 1 / 3, 2 / 3], a: [[], [1 / 3], [0, 2 / 3]], b: [1 / 4, 0, 3 / 4], fsal: false, dense: "hermite",
};

const rk4: ButcherTableau = {
  name: "rk4", order: 4, c: [0, 1 / 2, 1 / 2, 1], a: [[], [1 / 2], [0, 1 / 2], [0, 0, 1]],
  b: [1 / 6, 1 / 3, 1 / 3, 1 / 6], fsal: false, dense: "hermite",
};

// Kutta's 3/8 rule.
const rk38: ButcherTableau = {
  name: "rk38", order: 4, c: [0, 1 / 3, 2 / 3, 1], a: [[], [1 / 3], [-1 / 3, 1], [1, -1, 1]],
  b: [1 / 8, 3 / 8, 3 / 8, 1 / 8], fsal: false, dense: "hermite",
};

// Bogacki & Shampine 1989, 3(2) pair with FSAL; bhat = (7/24, 1/4, 1/3, 1/8).
const bosh3: ButcherTableau = {
  name: "bosh3", order: 3, embeddedOrder: 2, c: [0, 1 / 2, 3 / 4, 1],
  a: [[], [1 / 2], [0, 3 / 4], [2 / 9, 1 / 3, 4 / 9]],
  b: [2 / 9, 1 / 3, 4 / 9, 0],
  e: [2 / 9 - 7 / 24, 1 / 3 - 1 / 4, 4 / 9 - 1 / 3, -1 / 8],
  fsal: true, errorExponent: 1 / 3, dense: "hermite",
};

// Dormand & Prince 1980, 5(4) pair with FSAL; error weights as in Hairer's dopri5.f (E1..E7).
const dopri5: ButcherTableau = {
  name: "dopri5", order: 5, embeddedOrder: 4, c: [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1],
  a: [
    [],
    [1 / 5],
    [3 / 40, 9 / 40],
    [44 / 45, -56 / 15, 32 / 9],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
  ],
  b: [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0],
  e: [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40],
  fsal: true, errorExponent: 1 / 5, dense: "dopri5",
};

const TABLEAUS: Readonly<Record<MethodName, ButcherTableau>> = {
  euler, midpoint, heun2, ralston, heun3, rk4, rk38, bosh3, dopri5, tsit5, dop853,
};

/**
 * The Butcher tableau of a built-in method.
 *
 * @param name - one of {@link MethodName}
 * @returns the tableau (shared, frozen data: do not modify)
 * @throws {@link DomainError} for an unknown name
 * @example
 * ```ts
 * tableau("rk4").b // => [1/6, 1/3, 1/3, 1/6]
 * tableau("dopri5").fsal // => true
 * ```
 * @category Solvers
 */
export function tableau(name: MethodName): ButcherTableau {
  const t = Object.prototype.hasOwnProperty.call(TABLEAUS, name) ? TABLEAUS[name] : undefined;
  if (t === undefined) {
    throw new DomainError("tableau", "name", `be one of ${Object.keys(TABLEAUS).join(", ")}`, describeValue(name));
  }
  return t;
}

/**
 * Names of every built-in method, fixed-step first.
 *
 * @example
 * ```ts
 * methodNames().includes("tsit5") // => true
 * ```
 * @category Solvers
 */
export function methodNames(): MethodName[] {
  return Object.keys(TABLEAUS) as MethodName[];
}

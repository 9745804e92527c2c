import { checkInteger, MAX_DIM } from "../core/check.js";
import { Manifold } from "./manifold.js";

const TWO_PI = 2 * Math.PI;

/**
 * The flat torus (S^1)^dim in angle coordinates: each coordinate is an angle in [0, 2 pi),
 * exp_x(u) = (x + u) mod 2 pi and log_x(y) = wrap(y - x) with wrap into [-pi, pi), so the
 * logarithm is the shortest signed angular difference. Angles whose sum or difference would
 * overflow (near ±1.7e308) are reduced mod 2 pi first.
 *
 * @param dim - number of angles, an integer >= 1
 * @returns the manifold
 * @throws {@link DomainError} when `dim` is not an integer >= 1
 * @example
 * ```ts
 * torus(1).logmap(fromRows([[6]]), fromRows([[0.5]])).data[0] // => 0.7831853071795862 (= 0.5 + 2 pi - 6)
 * ```
 * @category Manifolds
 */
export function torus(dim: number): Torus {
  return new Torus(dim);
}

/**
 * The flat torus in angle coordinates; build it with {@link torus}.
 *
 * @example
 * ```ts
 * new Torus(2).name // => "torus(2)"
 * ```
 * @category Manifolds
 */
export class Torus extends Manifold {
  /** `"torus(dim)"`. */
  readonly name: string;
  /** Number of angles. */
  readonly dim: number;

  /** @param dim - number of angles, an integer >= 1 */
  constructor(dim: number) {
    super();
    this.dim = checkInteger("torus", "dim", dim, 1, MAX_DIM);
    this.name = `torus(${dim})`;
  }

  /** (x + u) mod 2 pi. */
  expRow(x: Float64Array, xo: number, u: Float64Array, uo: number, out: Float64Array, oo: number): void {
    for (let j = 0; j < this.dim; j++) out[oo + j] = addAngles(x[xo + j] as number, u[uo + j] as number);
  }

  /** wrap(y - x) into [-pi, pi). */
  logRow(x: Float64Array, xo: number, y: Float64Array, yo: number, out: Float64Array, oo: number): void {
    for (let j = 0; j < this.dim; j++) out[oo + j] = angleDifference(x[xo + j] as number, y[yo + j] as number);
  }

  /** x mod 2 pi. */
  projxRow(x: Float64Array, xo: number, out: Float64Array, oo: number): void {
    for (let j = 0; j < this.dim; j++) out[oo + j] = mod2pi(x[xo + j] as number);
  }

  /** The identity on u (every vector of R^dim is tangent). */
  projuRow(_x: Float64Array, _xo: number, u: Float64Array, uo: number, out: Float64Array, oo: number): void {
    for (let j = 0; j < this.dim; j++) out[oo + j] = u[uo + j] as number;
  }

  /** gamma(s) = (x + s v) mod 2 pi, gamma'(s) = v. */
  geodesicRow(
    x: Float64Array, xo: number, v: Float64Array, vo: number, s: number,
    point: Float64Array, po: number, velocity: Float64Array, wo: number,
  ): void {
    for (let j = 0; j < this.dim; j++) {
      const vj = v[vo + j] as number;
      point[po + j] = addAngles(x[xo + j] as number, s * vj);
      velocity[wo + j] = vj;
    }
  }

  /** Sum of squared wrapped angle differences. */
  distSquaredRow(x: Float64Array, xo: number, y: Float64Array, yo: number): number {
    let s = 0;
    for (let j = 0; j < this.dim; j++) {
      const e = angleDifference(x[xo + j] as number, y[yo + j] as number);
      s += e * e;
    }
    return s;
  }
}

/** (a + b) mod 2 pi; where a + b overflows (angles near ±1.7e308), each is reduced first. */
function addAngles(a: number, b: number): number {
  const sum = a + b;
  return Number.isFinite(sum) ? mod2pi(sum) : mod2pi(mod2pi(a) + mod2pi(b));
}

/** wrap(y - x) into [-pi, pi); where y - x overflows, both angles are reduced mod 2 pi first. */
function angleDifference(x: number, y: number): number {
  const e = y - x;
  return wrap(Number.isFinite(e) ? e : mod2pi(y) - mod2pi(x));
}

/** a mod 2 pi in [0, 2 pi); a value already in [0, 2 pi) is returned unchanged (bit-exact). */
function mod2pi(a: number): number {
  if (a >= 0 && a < TWO_PI) return a;
  const r = a - TWO_PI * Math.floor(a / TWO_PI);
  // Rounding can land exactly on 2 pi for tiny negative a.
  return r >= TWO_PI ? 0 : r;
}

/** a wrapped into [-pi, pi). */
function wrap(a: number): number {
  if (a >= -Math.PI && a < Math.PI) return a;
  const r = a - TWO_PI * Math.floor((a + Math.PI) / TWO_PI);
  return r >= Math.PI ? r - TWO_PI : r < -Math.PI ? r + TWO_PI : r;
}

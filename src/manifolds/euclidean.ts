import { checkInteger, MAX_DIM } from "../core/check.js";
import { Manifold } from "./manifold.js";

/**
 * Euclidean space R^dim as a manifold: exp_x(u) = x + u, log_x(y) = y - x, both projections
 * are the identity and geodesics are straight lines.
 *
 * @param dim - dimension, an integer >= 1
 * @returns the manifold
 * @throws {@link DomainError} when `dim` is not an integer >= 1
 * @example
 * ```ts
 * euclidean(2).logmap(fromRows([[1, 1]]), fromRows([[3, 0]])).data // => Float64Array [2, -1]
 * ```
 * @category Manifolds
 */
export function euclidean(dim: number): Euclidean {
  return new Euclidean(dim);
}

/**
 * The flat space R^dim; build it with {@link euclidean}.
 *
 * @example
 * ```ts
 * new Euclidean(3).dim // => 3
 * ```
 * @category Manifolds
 */
export class Euclidean extends Manifold {
  /** `"euclidean(dim)"`. */
  readonly name: string;
  /** Dimension of the space. */
  readonly dim: number;

  /** @param dim - dimension, an integer >= 1 */
  constructor(dim: number) {
    super();
    this.dim = checkInteger("euclidean", "dim", dim, 1, MAX_DIM);
    this.name = `euclidean(${dim})`;
  }

  /** x + u. */
  expRow(x: Float64Array, xo: number, u: Float64Array, uo: number, out: Float64Array, oo: number): void {
    for (let j = 0; j < this.dim; j++) out[oo + j] = (x[xo + j] as number) + (u[uo + j] as number);
  }

  /** y - x. */
  logRow(x: Float64Array, xo: number, y: Float64Array, yo: number, out: Float64Array, oo: number): void {
    for (let j = 0; j < this.dim; j++) out[oo + j] = (y[yo + j] as number) - (x[xo + j] as number);
  }

  /** The identity. */
  projxRow(x: Float64Array, xo: number, out: Float64Array, oo: number): void {
    for (let j = 0; j < this.dim; j++) out[oo + j] = x[xo + j] as number;
  }

  /** The identity on u. */
  projuRow(_x: Float64Array, _xo: number, u: Float64Array, uo: number, out: Float64Array, oo: number): void {
    for (let j = 0; j < this.dim; j++) out[oo + j] = u[uo + j] as number;
  }

  /** gamma(s) = x + s v, gamma'(s) = v. */
  geodesicRow(
    x: Float64Array, xo: number, v: Float64Array, vo: number, s: number,
    point: Float64Array, po: number, velocity: Float64Array, wo: number,
  ): void {
    for (let j = 0; j < this.dim; j++) {
      const vj = v[vo + j] as number;
      point[po + j] = (x[xo + j] as number) + s * vj;
      velocity[wo + j] = vj;
    }
  }

  /** |y - x|^2. */
  distSquaredRow(x: Float64Array, xo: number, y: Float64Array, yo: number): number {
    let s = 0;
    for (let j = 0; j < this.dim; j++) {
      const e = (y[yo + j] as number) - (x[xo + j] as number);
      s += e * e;
    }
    return s;
  }
}

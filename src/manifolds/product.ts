import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import { Manifold } from "./manifold.js";
import { rawKernel } from "./row-guard.js";

/**
 * The product M_1 x ... x M_k of manifolds: a row is the concatenation of the factors'
 * coordinates, and every operation acts factor by factor (exp, log, projections, geodesics);
 * the squared distance is the sum of the factors' squared distances.
 *
 * @param factors - one or more manifolds, in column order
 * @returns the product manifold, of dimension the sum of the factors' dimensions
 * @throws {@link DomainError} when `factors` is empty or holds something that is not a {@link Manifold}
 * @example
 * ```ts
 * const m = product(sphere(3), torus(1));
 * m.dim // => 4
 * m.name // => "product(sphere(3), torus(1))"
 * ```
 * @category Manifolds
 */
export function product(...factors: Manifold[]): Product {
  return new Product(factors);
}

/**
 * A product of manifolds; build it with {@link product}.
 *
 * @example
 * ```ts
 * new Product([euclidean(2), torus(1)]).dim // => 3
 * ```
 * @category Manifolds
 */
export class Product extends Manifold {
  /** `"product(name_1, ..., name_k)"`. */
  readonly name: string;
  /** Sum of the factors' dimensions. */
  readonly dim: number;
  /** The factors, in column order. */
  readonly factors: readonly Manifold[];
  private readonly offsets: readonly number[];
  /** The factors' unchecked distSquaredRow kernels, in factor order. */
  private readonly distSquaredKernels: readonly Manifold["distSquaredRow"][];

  /** @param factors - one or more manifolds, in column order */
  constructor(factors: readonly Manifold[]) {
    super();
    if (!Array.isArray(factors) || factors.length === 0) {
      throw new DomainError("product", "factors", "be one or more manifolds", describeValue(factors));
    }
    const offsets: number[] = [];
    let dim = 0;
    factors.forEach((f, i) => {
      if (!(f instanceof Manifold)) throw new DomainError("product", `factors[${i}]`, "be a Manifold", describeValue(f));
      offsets.push(dim);
      dim += f.dim;
    });
    this.factors = [...factors];
    this.offsets = offsets;
    this.distSquaredKernels = this.factors.map((f) => rawKernel<Manifold["distSquaredRow"]>(f, "distSquaredRow"));
    this.dim = dim;
    this.name = `product(${factors.map((f) => f.name).join(", ")})`;
  }

  /** Each factor's exp on its columns. */
  expRow(x: Float64Array, xo: number, u: Float64Array, uo: number, out: Float64Array, oo: number): void {
    this.factors.forEach((f, i) => {
      const k = this.offsets[i] as number;
      f.expRow(x, xo + k, u, uo + k, out, oo + k);
    });
  }

  /** Each factor's log on its columns. */
  logRow(x: Float64Array, xo: number, y: Float64Array, yo: number, out: Float64Array, oo: number): void {
    this.factors.forEach((f, i) => {
      const k = this.offsets[i] as number;
      f.logRow(x, xo + k, y, yo + k, out, oo + k);
    });
  }

  /** Each factor's projx on its columns. */
  projxRow(x: Float64Array, xo: number, out: Float64Array, oo: number, fn: string): void {
    this.factors.forEach((f, i) => {
      const k = this.offsets[i] as number;
      f.projxRow(x, xo + k, out, oo + k, fn);
    });
  }

  /** Each factor's proju on its columns. */
  projuRow(x: Float64Array, xo: number, u: Float64Array, uo: number, out: Float64Array, oo: number): void {
    this.factors.forEach((f, i) => {
      const k = this.offsets[i] as number;
      f.projuRow(x, xo + k, u, uo + k, out, oo + k);
    });
  }

  /** Each factor's geodesic on its columns (a product geodesic is a product of geodesics). */
  geodesicRow(
    x: Float64Array, xo: number, v: Float64Array, vo: number, s: number,
    point: Float64Array, po: number, velocity: Float64Array, wo: number,
  ): void {
    this.factors.forEach((f, i) => {
      const k = this.offsets[i] as number;
      f.geodesicRow(x, xo + k, v, vo + k, s, point, po + k, velocity, wo + k);
    });
  }

  /**
   * Sum of the factors' squared distances. The factors' unchecked kernels are summed (this
   * product's own kernel is checked as a whole), so a factor's overflow reaches {@link Manifold.dist}
   * as Infinity, where the distance is then taken from the scaled norm of log_x(y).
   */
  distSquaredRow(x: Float64Array, xo: number, y: Float64Array, yo: number): number {
    let s = 0;
    this.factors.forEach((f, i) => {
      const k = this.offsets[i] as number;
      s += (this.distSquaredKernels[i] as Manifold["distSquaredRow"]).call(f, x, xo + k, y, yo + k);
    });
    return s;
  }
}

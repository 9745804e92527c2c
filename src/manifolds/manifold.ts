import type { Batch } from "../core/batch.js";
import type { NonFiniteError } from "../core/errors.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { checkFiniteResult } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { guardRowKernels, rawKernel } from "./row-guard.js";
import { norm, SAFE_LOW } from "../core/row-norm.js";
import { outputArray } from "../core/check.js";

/**
 * A Riemannian manifold embedded in R^dim, with batched geometry on rows of embedded
 * coordinates. Subclasses implement the row kernels (which read and write flat arrays at
 * offsets, so that {@link product} can compose them); the batched methods validate their
 * inputs and loop over rows.
 *
 * Conventions: `expmap(x, u)` follows the geodesic from x with initial velocity u for unit
 * time; `logmap(x, y)` is the initial velocity of the shortest geodesic from x to y, so
 * `expmap(x, logmap(x, y)) = y`; `projx` maps an ambient point onto the manifold; `proju`
 * maps an ambient vector onto the tangent space at x.
 *
 * @example
 * ```ts
 * const s = sphere(3);
 * s.expmap(fromRows([[1, 0, 0]]), fromRows([[0, Math.PI / 2, 0]])).data // => ~[0, 1, 0]
 * ```
 * @category Manifolds
 */
export abstract class Manifold {
  /** A short name, used in messages (for example `"sphere(3)"`). */
  abstract readonly name: string;
  /** Dimension D of the embedding space (columns of a batch). */
  abstract readonly dim: number;

  /**
   * Installs checked versions of the row kernels on the instance (storage kind, offsets
   * within storage, finite rows in and out), so a subclass's kernels are validated too.
   *
   * @throws {@link DomainError} when called on Manifold itself rather than a subclass
   */
  constructor() {
    if (new.target === Manifold) throw new DomainError("Manifold", "this", "be a subclass instance (Manifold is abstract)", "new Manifold()");
    guardRowKernels(this);
  }

  /**
   * Row kernel of {@link Manifold.expmap}: writes exp_x(u) to `out[oo .. oo + dim)`.
   *
   * @param x - flat storage holding the base point at offset `xo`
   * @param xo - offset of x
   * @param u - flat storage holding the tangent vector at offset `uo`
   * @param uo - offset of u
   * @param out - destination storage
   * @param oo - offset in `out`
   */
  abstract expRow(x: Float64Array, xo: number, u: Float64Array, uo: number, out: Float64Array, oo: number): void;
  /**
   * Row kernel of {@link Manifold.logmap}: writes log_x(y) to `out[oo ..)`.
   *
   * @param x - storage of the base point
   * @param xo - offset of x
   * @param y - storage of the target point
   * @param yo - offset of y
   * @param out - destination storage
   * @param oo - offset in `out`
   */
  abstract logRow(x: Float64Array, xo: number, y: Float64Array, yo: number, out: Float64Array, oo: number): void;
  /**
   * Row kernel of {@link Manifold.projx}: writes the projection of x onto the manifold.
   *
   * @param x - storage of the ambient point
   * @param xo - offset of x
   * @param out - destination storage
   * @param oo - offset in `out`
   * @param fn - calling function, for error messages
   */
  abstract projxRow(x: Float64Array, xo: number, out: Float64Array, oo: number, fn: string): void;
  /**
   * Row kernel of {@link Manifold.proju}: writes the projection of u onto the tangent space at x.
   *
   * @param x - storage of the base point
   * @param xo - offset of x
   * @param u - storage of the ambient vector
   * @param uo - offset of u
   * @param out - destination storage
   * @param oo - offset in `out`
   */
  abstract projuRow(x: Float64Array, xo: number, u: Float64Array, uo: number, out: Float64Array, oo: number): void;
  /**
   * Row kernel of the geodesic gamma(s) = exp_x(s v): writes gamma(s) to `point` and its
   * derivative gamma'(s) (the parallel transport of v to gamma(s)) to `velocity`.
   *
   * @param x - storage of the base point
   * @param xo - offset of x
   * @param v - storage of the initial velocity
   * @param vo - offset of v
   * @param s - geodesic parameter
   * @param point - destination of gamma(s)
   * @param po - offset in `point`
   * @param velocity - destination of gamma'(s)
   * @param wo - offset in `velocity`
   */
  abstract geodesicRow(
    x: Float64Array, xo: number, v: Float64Array, vo: number, s: number,
    point: Float64Array, po: number, velocity: Float64Array, wo: number,
  ): void;
  /**
   * Row kernel of {@link Manifold.dist}: the squared geodesic distance d(x, y)^2.
   *
   * @param x - storage of the first point
   * @param xo - offset of x
   * @param y - storage of the second point
   * @param yo - offset of y
   */
  abstract distSquaredRow(x: Float64Array, xo: number, y: Float64Array, yo: number): number;

  /**
   * exp_x(u) row by row: the point reached at time 1 by the geodesic from x with velocity u.
   *
   * @param x - points on the manifold, shape [n, dim]
   * @param u - tangent vectors at x, shape [n, dim]
   * @param out - optional destination, shape [n, dim]
   * @returns points on the manifold, shape [n, dim]
   * @throws {@link ShapeError} for mismatched shapes; {@link NonFiniteError} for non-finite entries
   */
  expmap(x: Batch, u: Batch, out?: Batch): Batch {
    const row = rawKernel<Manifold["expRow"]>(this, "expRow");
    return this.pairwise("expmap", "u", x, u, out, (a, i, b, j, o, k) => row.call(this, a, i, b, j, o, k));
  }

  /**
   * log_x(y) row by row: the initial velocity of the shortest geodesic from x to y.
   *
   * @param x - base points, shape [n, dim]
   * @param y - target points, shape [n, dim]
   * @param out - optional destination, shape [n, dim]
   * @returns tangent vectors at x, shape [n, dim]
   * @throws {@link ShapeError} for mismatched shapes; {@link NonFiniteError} for non-finite entries
   */
  logmap(x: Batch, y: Batch, out?: Batch): Batch {
    const row = rawKernel<Manifold["logRow"]>(this, "logRow");
    return this.pairwise("logmap", "y", x, y, out, (a, i, b, j, o, k) => row.call(this, a, i, b, j, o, k));
  }

  /**
   * The projection of ambient points onto the manifold, row by row.
   *
   * @param x - ambient points, shape [n, dim]
   * @param out - optional destination, shape [n, dim]
   * @returns points on the manifold, shape [n, dim]
   * @throws {@link ShapeError}, {@link NonFiniteError}; {@link DomainError} where the projection is undefined (the origin for a sphere)
   */
  projx(x: Batch, out?: Batch): Batch {
    const b = asBatch("projx", "x", x, { dim: this.dim });
    const n = b.shape[0] as number;
    const d = this.dim;
    const o = outputBatch("projx", out, n, d);
    const row = rawKernel<Manifold["projxRow"]>(this, "projxRow");
    for (let i = 0; i < n; i++) row.call(this, b.data, i * d, o.data, i * d, "projx");
    checkFiniteResult("projx", "result", o.data);
    return o;
  }

  /**
   * The projection of ambient vectors u onto the tangent spaces at x, row by row.
   *
   * @param x - points on the manifold, shape [n, dim]
   * @param u - ambient vectors, shape [n, dim]
   * @param out - optional destination, shape [n, dim]
   * @returns tangent vectors at x, shape [n, dim]
   * @throws {@link ShapeError} for mismatched shapes; {@link NonFiniteError} for non-finite entries; {@link DomainError}
   *   where the tangent space is undefined (a zero row of a sphere)
   */
  proju(x: Batch, u: Batch, out?: Batch): Batch {
    const row = rawKernel<Manifold["projuRow"]>(this, "projuRow");
    return this.pairwise("proju", "u", x, u, out, (a, i, b, j, o, k) => row.call(this, a, i, b, j, o, k));
  }

  /**
   * The geodesic distance d(x, y) = |log_x(y)| for each row: the square root of the squared
   * distance, or, where that over- or underflows (Euclidean points 1e200 or 1e-170 apart), the
   * norm of log_x(y) scaled by its largest entry.
   *
   * @param x - points, shape [n, dim]
   * @param y - points, shape [n, dim]
   * @param out - optional destination of length n
   * @returns one distance per row
   * @throws {@link ShapeError} for mismatched shapes; {@link NonFiniteError} for non-finite entries or a
   *   distance beyond the float64 range; {@link DomainError} for points off the manifold's domain (a zero row of a sphere)
   */
  dist(x: Batch, y: Batch, out?: Float64Array): Float64Array {
    const a = asBatch("dist", "x", x, { dim: this.dim });
    const n = a.shape[0] as number;
    const b = asBatch("dist", "y", y, { dim: this.dim, rows: n });
    const o = outputArray("dist", out, n);
    const d = this.dim;
    const row = rawKernel<Manifold["distSquaredRow"]>(this, "distSquaredRow");
    const logRow = rawKernel<Manifold["logRow"]>(this, "logRow");
    let log: Float64Array | undefined;
    for (let i = 0; i < n; i++) {
      const s = row.call(this, a.data, i * d, b.data, i * d);
      if (!(s === Infinity || (s >= 0 && s <= SAFE_LOW))) o[i] = Math.sqrt(s);
      else {
        // s overflowed, underflowed or is 0: |log_x(y)| scaled by its largest entry instead
        log ??= new Float64Array(d);
        logRow.call(this, a.data, i * d, b.data, i * d, log, 0);
        o[i] = norm(log, 0, d);
      }
    }
    return checkFiniteResult("dist", "result", o);
  }

  private pairwise(
    fn: string, argument: string, x: Batch, y: Batch, out: Batch | undefined,
    kernel: (a: Float64Array, i: number, b: Float64Array, j: number, o: Float64Array, k: number) => void,
  ): Batch {
    const a = asBatch(fn, "x", x, { dim: this.dim });
    const n = a.shape[0] as number;
    const b = asBatch(fn, argument, y, { dim: this.dim, rows: n });
    const d = this.dim;
    const o = outputBatch(fn, out, n, d);
    for (let i = 0; i < n; i++) kernel(a.data, i * d, b.data, i * d, o.data, i * d);
    checkFiniteResult(fn, "result", o.data);
    return o;
  }
}

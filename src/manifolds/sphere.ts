import { checkInteger, MAX_DIM } from "../core/check.js";
import { DomainError } from "../core/errors.js";
import { Manifold } from "./manifold.js";
import { maxAbs, norm, SAFE_HIGH, SAFE_LOW } from "../core/row-norm.js";

/**
 * The unit sphere S^{dim-1} = { x in R^dim : |x| = 1 } with its great-circle geometry:
 * exp_x(u) = cos|u| x + sin|u| u/|u| and log_x(y) = theta w/|w| with w = y - (x.y) x and
 * theta = 2 atan2(|y - x|, |y + x|).
 *
 * The formulas are written to stay accurate near theta = 0 and theta = pi: sin(theta)/theta
 * uses its series for tiny angles, the angle comes from the chords |y - x| and |y + x|
 * (never from acos of a rounded dot product), and w is computed as
 * (y - x) + (|y - x|^2 / 2) x near x or (y + x) - (|y + x|^2 / 2) x near -x, which avoids
 * cancellation. At exactly antipodal points every direction is a shortest geodesic;
 * `logmap` then picks the unit vector along the coordinate axis where |x_k| is smallest,
 * made orthogonal to x, times pi.
 *
 * @param dim - dimension of the embedding space, an integer >= 2 (`sphere(3)` is S^2)
 * @returns the manifold
 * @throws {@link DomainError} when `dim` is not an integer >= 2
 * @example
 * ```ts
 * sphere(3).dist(fromRows([[1, 0, 0]]), fromRows([[0, 0, 1]]))[0] // => 1.5707963267948966
 * ```
 * @category Manifolds
 */
export function sphere(dim: number): Sphere {
  return new Sphere(dim);
}

/**
 * The unit sphere in R^dim; build it with {@link sphere}.
 *
 * @example
 * ```ts
 * new Sphere(3).name // => "sphere(3)"
 * ```
 * @category Manifolds
 */
export class Sphere extends Manifold {
  /** `"sphere(dim)"`. */
  readonly name: string;
  /** Dimension of the embedding space. */
  readonly dim: number;
  private readonly scratch: Float64Array;

  /** @param dim - dimension of the embedding space, an integer >= 2 */
  constructor(dim: number) {
    super();
    this.dim = checkInteger("sphere", "dim", dim, 2, MAX_DIM);
    this.name = `sphere(${dim})`;
    this.scratch = new Float64Array(2 * dim);
  }

  /** cos|u| x/|x| + sinc|u| u, renormalised. */
  expRow(x: Float64Array, xo: number, u: Float64Array, uo: number, out: Float64Array, oo: number): void {
    this.geodesicPoint(x, xo, u, uo, 1, out, oo);
  }

  /** theta w / |w| (see {@link sphere}). */
  logRow(x: Float64Array, xo: number, y: Float64Array, yo: number, out: Float64Array, oo: number): void {
    const d = this.dim;
    const xn = this.scratch;
    const nx = norm(x, xo, d);
    const ny = norm(y, yo, d);
    if (nx === 0 || ny === 0) throw new DomainError("logmap", nx === 0 ? "x" : "y", "have nonzero rows (points on the sphere)", "a zero row");
    let a2 = 0;
    let b2 = 0;
    for (let j = 0; j < d; j++) {
      const xj = (x[xo + j] as number) / nx;
      const yj = (y[yo + j] as number) / ny;
      xn[j] = xj;
      xn[d + j] = yj;
      a2 += (yj - xj) * (yj - xj);
      b2 += (yj + xj) * (yj + xj);
    }
    const theta = 2 * Math.atan2(Math.sqrt(a2), Math.sqrt(b2));
    const near = a2 <= b2;
    for (let j = 0; j < d; j++) {
      const xj = xn[j] as number;
      const yj = xn[d + j] as number;
      xn[d + j] = near ? yj - xj + 0.5 * a2 * xj : yj + xj - 0.5 * b2 * xj;
    }
    // Inputs are unit only to rounding, and near pi w is at the rounding level: two
    // Gram-Schmidt passes ("twice is enough") make w tangent to working accuracy.
    let wMax = 0;
    for (let pass = 0; pass < 2; pass++) {
      let xw = 0;
      for (let j = 0; j < d; j++) xw += (xn[j] as number) * (xn[d + j] as number);
      wMax = 0;
      for (let j = 0; j < d; j++) {
        const wj = (xn[d + j] as number) - xw * (xn[j] as number);
        xn[d + j] = wj;
        wMax = Math.max(wMax, Math.abs(wj));
      }
    }
    if (wMax === 0) {
      if (near) {
        for (let j = 0; j < d; j++) out[oo + j] = 0;
        return;
      }
      this.orthogonalUnit(xn, out, oo);
      for (let j = 0; j < d; j++) out[oo + j] = Math.PI * (out[oo + j] as number);
      return;
    }
    // |w| by scaling with max |w_j| first: w can be so small that w_j^2 underflows.
    let w2 = 0;
    for (let j = 0; j < d; j++) {
      const wj = (xn[d + j] as number) / wMax;
      xn[d + j] = wj;
      w2 += wj * wj;
    }
    const scale = theta / Math.sqrt(w2);
    for (let j = 0; j < d; j++) out[oo + j] = scale * (xn[d + j] as number);
  }

  /** x / |x|. */
  projxRow(x: Float64Array, xo: number, out: Float64Array, oo: number, fn: string): void {
    const r = norm(x, xo, this.dim);
    if (r === 0) throw new DomainError(fn, "x", "have nonzero rows (the projection onto the sphere is undefined at 0)", "a zero row");
    for (let j = 0; j < this.dim; j++) out[oo + j] = (x[xo + j] as number) / r;
  }

  /** u - (x.u) x / |x|^2, with x divided by max |x_j| where |x|^2 would over- or underflow (by 1 elsewhere: exact). */
  projuRow(x: Float64Array, xo: number, u: Float64Array, uo: number, out: Float64Array, oo: number): void {
    const d = this.dim;
    let xx = 0;
    for (let j = 0; j < d; j++) { const xj = x[xo + j] as number; xx += xj * xj; }
    const m = xx > SAFE_LOW && xx < SAFE_HIGH ? 1 : maxAbs(x, xo, d);
    if (m === 0) throw new DomainError("proju", "x", "have nonzero rows (points on the sphere)", "a zero row");
    let xu = 0;
    xx = 0;
    for (let j = 0; j < d; j++) {
      const xj = (x[xo + j] as number) / m;
      xu += xj * (u[uo + j] as number);
      xx += xj * xj;
    }
    const c = xu / xx;
    for (let j = 0; j < d; j++) out[oo + j] = (u[uo + j] as number) - c * ((x[xo + j] as number) / m);
  }

  /** gamma(s) = cos(s|v|) x + s sinc(s|v|) v, gamma'(s) = -|v| sin(s|v|) x + cos(s|v|) v (x taken as x/|x|). */
  geodesicRow(
    x: Float64Array, xo: number, v: Float64Array, vo: number, s: number,
    point: Float64Array, po: number, velocity: Float64Array, wo: number,
  ): void {
    const theta = norm(v, vo, this.dim);
    const c = Math.cos(s * theta);
    const sn = (theta * Math.sin(s * theta)) / baseNorm(x, xo, this.dim);
    for (let j = 0; j < this.dim; j++) velocity[wo + j] = c * (v[vo + j] as number) - sn * (x[xo + j] as number);
    this.geodesicPoint(x, xo, v, vo, s, point, po);
  }

  /** theta^2 with theta = 2 atan2(|y - x|, |y + x|). */
  distSquaredRow(x: Float64Array, xo: number, y: Float64Array, yo: number): number {
    const nx = norm(x, xo, this.dim);
    const ny = norm(y, yo, this.dim);
    if (nx === 0 || ny === 0) throw new DomainError("dist", nx === 0 ? "x" : "y", "have nonzero rows (points on the sphere)", "a zero row");
    let a2 = 0;
    let b2 = 0;
    for (let j = 0; j < this.dim; j++) {
      const xj = (x[xo + j] as number) / nx;
      const yj = (y[yo + j] as number) / ny;
      a2 += (yj - xj) * (yj - xj);
      b2 += (yj + xj) * (yj + xj);
    }
    const theta = 2 * Math.atan2(Math.sqrt(a2), Math.sqrt(b2));
    return theta * theta;
  }

  /** cos(s|v|) x + s sinc(s|v|) v, renormalised to unit length. */
  private geodesicPoint(x: Float64Array, xo: number, v: Float64Array, vo: number, s: number, out: Float64Array, oo: number): void {
    const d = this.dim;
    const theta = s * norm(v, vo, d);
    // x is on the sphere up to rounding; dividing by |x| keeps point and velocity consistent for any nonzero x.
    const c = Math.cos(theta) / baseNorm(x, xo, d);
    const k = s * sinc(theta);
    let r2 = 0;
    for (let j = 0; j < d; j++) {
      const p = c * (x[xo + j] as number) + k * (v[vo + j] as number);
      out[oo + j] = p;
      r2 += p * p;
    }
    const r = Math.sqrt(r2);
    for (let j = 0; j < d; j++) out[oo + j] = (out[oo + j] as number) / r;
  }

  /** A unit vector orthogonal to the unit vector xn[0..dim), from the axis where |x_k| is smallest. */
  private orthogonalUnit(xn: Float64Array, out: Float64Array, oo: number): void {
    const d = this.dim;
    let k = 0;
    for (let j = 1; j < d; j++) if (Math.abs(xn[j] as number) < Math.abs(xn[k] as number)) k = j;
    const xk = xn[k] as number;
    let r2 = 0;
    for (let j = 0; j < d; j++) {
      const e = (j === k ? 1 : 0) - xk * (xn[j] as number);
      out[oo + j] = e;
      r2 += e * e;
    }
    const r = Math.sqrt(r2);
    for (let j = 0; j < d; j++) out[oo + j] = (out[oo + j] as number) / r;
  }
}

/** sin(a) / a, by its Taylor series 1 - a^2/6 + a^4/120 where a^6 is below rounding. */
function sinc(a: number): number {
  if (Math.abs(a) < 1e-3) {
    const a2 = a * a;
    return 1 - (a2 / 6) * (1 - a2 / 20);
  }
  return Math.sin(a) / a;
}

/** |x| of a base point, which must be nonzero. */
function baseNorm(x: Float64Array, o: number, d: number): number {
  const r = norm(x, o, d);
  if (r === 0) throw new DomainError("expmap", "x", "have nonzero rows (points on the sphere)", "a zero row");
  return r;
}

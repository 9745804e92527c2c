import { portableExp } from "./exp.js";
import { portableLog } from "./log.js";

/**
 * @internal The tables of a 256-layer ziggurat for the standard normal (Marsaglia & Tsang
 * 2000, "The ziggurat method for generating random variables", J. Stat. Softw. 5(8)), built
 * on first use from the formulas below with basic IEEE-754 arithmetic, `Math.sqrt` and the
 * portable `portableExp`/`portableLog`, so the tables, and with them every draw, are
 * bit-identical on every engine.
 *
 * With f(x) = exp(-x^2 / 2) (the unnormalised half density), the ziggurat covers it by 256
 * regions of equal area v: a base strip [0, r] x [0, f(r)] plus the tail beyond r,
 * v = r f(r) + T(r), T(r) = integral_r^inf f = f(r) R(r) (R Mills' ratio, by its continued
 * fraction), and 255 rectangles x_i (f(x_{i-1}) - f(x_i)) = v stacked on it:
 * x_255 = r, x_{i-1} = f^{-1}(f(x_i) + v / x_i) = sqrt(-2 ln(f(x_i) + v / x_i)), x_0 = 0.
 * r is the root of the closure condition that the top rectangle x_1 (1 - f(x_1)) has area v
 * too, found by bisection to the last bit (r = 3.65415288536100..., v = 0.00492867323399...,
 * Marsaglia & Tsang's constants for 256 layers).
 *
 * A draw uses 64 random bits as NumPy's 256-layer ziggurat does: 8 bits pick the layer i,
 * one the sign, 52 others the position U in [0, 1) (so the layer and U are independent,
 * avoiding the correlation Doornik 2005 found in the original, which reused the low bits),
 * x = U x_i; accepted at once when x < x_{i-1} (the part of the rectangle inside the
 * curve: 98.5% of the tries); else the wedge or tail test of {@link zigguratSlow}.
 */
export interface ZigguratTables {
  /** The base of the top layer, r (the start of the tail). */
  r: number;
  /** The common area of the layers, v. */
  v: number;
  /** The layer edges x_0 = 0 < x_1 < ... < x_255 = r (length 256). */
  x: Float64Array;
  /** Scale of layer i: a 52-bit integer j gives x = j W[i]; W[i] = x_i / 2^52, W[0] = (v / f(r)) / 2^52. */
  W: Float64Array;
  /** Accept-at-once bound: j < K[i] means x < x_{i-1} (K[0]: x < r; K[1] = 0, the top layer always tests). */
  K: Float64Array;
  /** f(x_i) (F[0] = 1). */
  F: Float64Array;
  /** Slope of the chord of layer i >= 1, (f(x_i) - f(x_{i-1})) / (x_i - x_{i-1}). */
  slope: Float64Array;
}

/** Number of layers (a power of two: the layer index is 8 random bits). */
export const LAYERS = 256;

let tables: ZigguratTables | null = null;

/** The ziggurat's tables, built once on first use. */
export function zigguratTables(): ZigguratTables {
  if (tables === null) tables = build();
  return tables;
}

/** f(x) = exp(-x^2 / 2), portable. */
export function gaussianKernel(x: number): number {
  return portableExp(-0.5 * x * x);
}

/**
 * The rare branches of a ziggurat draw whose fast test failed: layer 0 beyond r draws from
 * the tail by Marsaglia's (1964) method (a = -ln(U1) / r, b = -ln(U2), accept when 2b > a^2,
 * return r + a); layer i >= 1 accepts x when a uniform height in [f(x_i), f(x_{i-1})] falls
 * under f(x). `uniform` supplies U in [0, 1). Returns the signed draw, or NaN when the
 * wedge rejects (the caller draws again from fresh bits).
 */
export function zigguratSlow(layer: number, x: number, negative: boolean, uniform: () => number): number {
  const z = zigguratTables();
  if (layer === 0) {
    for (;;) {
      const a = -portableLog(1 - uniform()) / z.r;
      const b = -portableLog(1 - uniform());
      if (b + b > a * a) return negative ? -(z.r + a) : z.r + a;
    }
  }
  const lo = z.F[layer] as number;
  const hi = z.F[layer - 1] as number;
  const y = lo + uniform() * (hi - lo);
  // Quick decisions without an exponential (McFarland 2016's idea): on a layer where f is
  // convex (x_{i-1} >= 1) the chord through the layer's corners lies above f and the tangents
  // at its ends below f; where f is concave (x_i <= 1) the reverse. Only the sliver between
  // the bounds needs f(x).
  const x0 = z.x[layer - 1] as number;
  const x1 = z.x[layer] as number;
  const chord = hi + (x - x0) * (z.slope[layer] as number);
  const tangent0 = hi * (1 - x0 * (x - x0));
  const tangent1 = lo * (1 - x1 * (x - x1));
  let accept: boolean;
  if (x0 >= 1) {
    if (y >= chord) return Number.NaN;
    accept = y < Math.max(tangent0, tangent1) || y < gaussianKernel(x);
  } else if (x1 <= 1) {
    if (y < chord) return negative ? -x : x;
    accept = !(y >= Math.min(tangent0, tangent1)) && y < gaussianKernel(x);
  } else accept = y < gaussianKernel(x);
  return accept ? (negative ? -x : x) : Number.NaN;
}

/** Mills' ratio R(r) = T(r) / f(r) by its continued fraction 1 / (r + 1 / (r + 2 / (r + 3 / ...))), 400 terms (r >= 3: error far below 1 ulp). */
export function millsRatio(r: number): number {
  let tail = r;
  for (let k = 400; k >= 1; k--) tail = r + k / tail;
  return 1 / tail;
}

/** The layer edges for a base r: x (length 256) and the area of the top layer left over, or NaN when the layers reach f = 1 before the top (r too small). */
function layers(r: number): { x: Float64Array; v: number; top: number } {
  const fr = gaussianKernel(r);
  const v = r * fr + fr * millsRatio(r);
  const x = new Float64Array(LAYERS);
  x[LAYERS - 1] = r;
  for (let i = LAYERS - 1; i >= 2; i--) {
    const xi = x[i] as number;
    const height = gaussianKernel(xi) + v / xi;
    if (!(height < 1)) return { x, v, top: Number.NaN };
    x[i - 1] = Math.sqrt(-2 * portableLog(height));
  }
  const x1 = x[1] as number;
  return { x, v, top: x1 * (1 - gaussianKernel(x1)) };
}

function build(): ZigguratTables {
  // Bisection on the closure top area = v: too small an r leaves no room (NaN) or too little
  // top area, too large an r too much; [3, 4.5] brackets the root for 256 layers.
  let lo = 3, hi = 4.5;
  for (let k = 0; k < 200; k++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    const { v, top } = layers(mid);
    if (!(top >= v)) lo = mid;
    else hi = mid;
  }
  const r = hi;
  const { x, v } = layers(r);
  const scale = 2 ** 52;
  const W = new Float64Array(LAYERS);
  const K = new Float64Array(LAYERS);
  const F = new Float64Array(LAYERS);
  const q = v / gaussianKernel(r);
  W[0] = q / scale;
  K[0] = Math.floor((r / q) * scale);
  F[0] = 1;
  for (let i = 1; i < LAYERS; i++) {
    const xi = x[i] as number;
    W[i] = xi / scale;
    K[i] = Math.floor(((x[i - 1] as number) / xi) * scale);
    F[i] = gaussianKernel(xi);
  }
  const slope = new Float64Array(LAYERS);
  for (let i = 1; i < LAYERS; i++) slope[i] = ((F[i] as number) - (F[i - 1] as number)) / ((x[i] as number) - (x[i - 1] as number));
  return { r, v, x, W, K, F, slope };
}

/**
 * x^y with the same bits on every JavaScript engine (internal).
 *
 * `Math.pow` and `**` are not specified to the bit, and V8 changed them between Node 20 and
 * Node 24 (for example `0.9 ** 7`, `t ** 3`, `u ** (1 / 3)` differ in the last bit), so results
 * that pass through them would depend on the Node or browser version. This function is built
 * from `Math.log` and `Math.exp` (identical across those versions, checked over 4e5 arguments)
 * and exact floating-point steps only:
 *
 *   x = 2^k m with m in [sqrt(1/2), sqrt(2)),   y ln x = y k ln 2 + y ln m,
 *
 * the first term carried in double-double (Dekker's product, ln 2 split into a 32-bit head and
 * its tail), the second as y * Math.log(m) plus its exact product error; then the double-double
 * sum h + l = n ln 2 + r with |r| <= ln 2 / 2 and x^y = e^r 2^n (`Math.exp` only of small r,
 * where it errs by about 1 ulp; the scaling by 2^n is exact). The relative error is about
 * (|y ln m| + 3) 2^-53 (ln m is rounded once; |ln m| <= 0.35): a few ulps for the exponents the
 * library uses (Adam's bias correction, step-size control, power grids, p-th roots).
 * Special cases (zeros, infinities, NaN, negative bases) follow `Math.pow`, whose special
 * cases the ECMAScript specification fixes exactly; y = 2 is x * x and y = 1/2 is `Math.sqrt`
 * for finite positive x (both exact to the last bit everywhere).
 *
 * @example
 * ```ts
 * pow(2, 10) // => 1024
 * pow(0.9, 3) // => 0.7290000000000001 (Math.pow gives 0.7290000000000001 or 0.729 depending on the engine)
 * ```
 */
export function pow(x: number, y: number): number {
  if (y === 0) return 1;
  if (y === 1) return x;
  if (y === 2) return x * x;
  if (!(x > 0) || x === Infinity || !Number.isFinite(y)) {
    // negative finite base with an integer exponent: the sign of (-1)^y times |x|^y
    if (x < 0 && x > -Infinity && Number.isInteger(y)) {
      const r = pow(-x, y);
      return Math.abs(y) < 2 ** 53 && y % 2 !== 0 ? -r : r;
    }
    return Math.pow(x, y); // the specification's exact special cases (0, Infinity, NaN, -x^fraction)
  }
  if (y === 0.5) return Math.sqrt(x);
  // past 2^900 the product errors below would overflow; e^(y ln x) is then 0, 1 or Infinity
  // unless ln x is within 2^-850 of 0, i.e. x = 1 exactly (ln 1 = 0 gives 1, as Math.pow does)
  if (Math.abs(y) > 2 ** 900) return Math.exp(y * Math.log(x));
  // x = 2^k m, m in [sqrt(1/2), sqrt(2))
  BITS[0] = x;
  let e = (WORDS[1] as number) >>> 20;
  let k = 0;
  if (e === 0) {
    // subnormal: scale into the normal range first (exact)
    BITS[0] = x * 2 ** 64;
    e = (WORDS[1] as number) >>> 20;
    k = -64;
  }
  k += e - 1023;
  WORDS[1] = ((WORDS[1] as number) & 0x000fffff) | 0x3ff00000;
  let m = BITS[0] as number;
  if (m > Math.SQRT2) {
    m *= 0.5;
    k += 1;
  }
  // y k ln 2 in double-double: y k = a + ea exactly, then (a + ea)(LN2_HI + LN2_LO)
  const a = y * k;
  const ea = productError(y, k, a);
  const p = a * LN2_HI;
  const ep = productError(a, LN2_HI, p);
  // y ln m = s + es exactly for the rounded ln m
  const L = Math.log(m);
  const s = y * L;
  const es = productError(y, L, s);
  // h + l = p + s + (ep + es + ea ln 2 + a LN2_LO)
  const h = p + s;
  const bv = h - p;
  const sumError = (p - (h - bv)) + (s - bv);
  const l = sumError + ep + es + ea * (LN2_HI + LN2_LO) + a * LN2_LO;
  return expDoubleDouble(h, l);
}

/**
 * e^(h + l) for a double-double h + l (|l| <= ulp(h)), without `Math.exp` of a large argument
 * (V8's errs by up to about 30 ulps for |h| near 50, about 1 ulp for |h| <= ln 2 / 2): h + l =
 * n ln 2 + r with |r| <= ln 2 / 2 (n ln 2 in double-double), then e^r 2^n with an exact scaling.
 */
function expDoubleDouble(h: number, l: number): number {
  if (h > 710) return Infinity;
  if (h < -746) return 0;
  const n = Math.round(h * LOG2E);
  // h - n LN2_HI is exact (n LN2_HI has at most 43 bits and lies within a factor 2 of h)
  const r = (h - n * LN2_HI) + (l - n * LN2_LO);
  const e = Math.exp(r);
  // e 2^n, in two exact steps so that neither factor over- or underflows
  const n1 = n >> 1;
  return e * powerOfTwo(n1) * powerOfTwo(n - n1);
}

const LOG2E = 1.4426950408889634;

/** 2^n for an integer n in [-1022, 1023], from its bits (exact). */
function powerOfTwo(n: number): number {
  WORDS[0] = 0;
  WORDS[1] = (n + 1023) << 20;
  return BITS[0] as number;
}

/** ln 2 = LN2_HI + LN2_LO, LN2_HI with its low 21 bits zero (fdlibm's split). */
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const BITS = new Float64Array(1);
const WORDS = new Uint32Array(BITS.buffer);

/** The exact error u v - prod of the rounded product prod = fl(u v) (Dekker, Veltkamp's split into 26-bit heads; no FMA needed). */
function productError(u: number, v: number, prod: number): number {
  const cu = SPLITTER * u, uh = cu - (cu - u), ul = u - uh;
  const cv = SPLITTER * v, vh = cv - (cv - v), vl = v - vh;
  return ((uh * vh - prod) + uh * vl + ul * vh) + ul * vl;
}

const SPLITTER = 134217729; // 2^27 + 1

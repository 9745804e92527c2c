/**
 * Natural logarithm computed with IEEE-754 basic arithmetic only (no `Math.log`), so it
 * returns bit-identical results on every JavaScript engine. `Math.log` is not required by
 * the ECMAScript specification to be correctly rounded, and engines differ in the last
 * bit; seeded normal draws go through this function so that a seed reproduces everywhere.
 *
 * Method: x = m 2^e with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(f), f = (m - 1)/(m + 1),
 * by its odd power series to 13 terms (|f| <= 0.1716, truncation error below 1e-18);
 * ln x = e ln 2 + ln m with ln 2 split in two parts. Accurate to about 1 ulp.
 *
 * @param x - a positive finite number
 * @returns ln x; NaN for x <= 0 or non-finite x (callers never pass those)
 * @example
 * ```ts
 * portableLog(Math.E) // => 1
 * ```
 * @category Random
 */
export function portableLog(x: number): number {
  if (!(x > 0) || x === Infinity) return Number.NaN;
  bits[0] = x;
  let hi = words[HI] as number;
  let e = ((hi >>> 20) & 0x7ff) - 1023;
  if (e === -1023) {
    // subnormal: scale into the normal range first
    bits[0] = x * 2 ** 54;
    hi = words[HI] as number;
    e = ((hi >>> 20) & 0x7ff) - 1023 - 54;
  }
  words[HI] = (hi & 0x800fffff) | 0x3ff00000;
  let m = bits[0] as number;
  if (m > Math.SQRT2) {
    m *= 0.5;
    e += 1;
  }
  const f = (m - 1) / (m + 1);
  const s = f * f;
  let series = 1 / 27;
  for (let k = 12; k >= 0; k--) series = (INVERSE_ODD[k] as number) + s * series;
  return e * LN2_HI + (e * LN2_LO + 2 * f * series);
}

// ln 2 = LN2_HI + LN2_LO, LN2_HI with its low 32 bits zero so e * LN2_HI is exact (fdlibm).
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
// One double and its two 32-bit words (the high word at HI whatever the platform's byte order).
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
bits[0] = 1;
const HI = words[1] === 0x3ff00000 ? 1 : 0;
/** 1 / (2k + 1), k = 0..12: the series' coefficients, each the correctly rounded quotient (as computed inline before). */
const INVERSE_ODD = Float64Array.from({ length: 13 }, (_, k) => 1 / (2 * k + 1));

/**
 * @internal Exponential computed with IEEE-754 basic arithmetic only (no `Math.exp`), so it
 * returns bit-identical results on every JavaScript engine (`Math.exp` is not required to be
 * correctly rounded, and engines differ in the last bit). The ziggurat's tables and its
 * accept tests go through it so that a seed reproduces everywhere; the companion of
 * `portableLog` (`./log.ts`).
 *
 * Method (fdlibm's reduction): x = k ln 2 + r with k = round(x / ln 2) and |r| <= ln(2)/2,
 * r computed as (x - k LN2_HI) - k LN2_LO with LN2_HI's low 32 bits zero, so k LN2_HI is
 * exact; e^r by its Taylor series to degree 14 in Horner form (truncation below
 * 0.35^15 / 15! < 2e-19, far below an ulp), coefficients 1/j! from exact-order divisions;
 * e^x = 2^k e^r with 2^k from a table of exact powers of two. Accurate to about 1 ulp.
 *
 * @param x - a finite number in [-708, 709] (the normal range of e^x); the result is 0
 *   below -745 and Infinity above 709.8, NaN for NaN
 * @returns e^x
 */
export function portableExp(x: number): number {
  if (x !== x) return Number.NaN;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.2) return 0;
  const k = Math.round(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  let er = TAYLOR[DEGREE] as number;
  for (let j = DEGREE - 1; j >= 0; j--) er = (TAYLOR[j] as number) + r * er;
  // 2^k from a table (k in [-1075, 1024]); below -1022 in two exact factors (subnormal results)
  if (k >= -1022) return er * (POW2[k + POW2_BIAS] as number);
  return er * (POW2[k + 60 + POW2_BIAS] as number) * (POW2[POW2_BIAS - 60] as number);
}

const DEGREE = 14;
/** 1 / j!, j = 0..14, each by one correctly rounded division of the previous (so the same bits everywhere). */
const TAYLOR = new Float64Array(DEGREE + 1);
TAYLOR[0] = 1;
for (let j = 1; j <= DEGREE; j++) TAYLOR[j] = (TAYLOR[j - 1] as number) / j;
const INV_LN2 = 1.44269504088896338700e0;
// ln 2 = LN2_HI + LN2_LO (fdlibm's split, as in ./log.ts).
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
/** 2^k at index k + POW2_BIAS, k = -1022..1023, by exact doublings and halvings of 1. */
const POW2_BIAS = 1022;
const POW2 = new Float64Array(2046);
POW2[POW2_BIAS] = 1;
for (let k = 1; k <= 1023; k++) POW2[POW2_BIAS + k] = 2 * (POW2[POW2_BIAS + k - 1] as number);
for (let k = 1; k <= 1022; k++) POW2[POW2_BIAS - k] = 0.5 * (POW2[POW2_BIAS - k + 1] as number);

/** Where a plain sum of squares is accurate: no square overflows and the largest is far from underflow. */
export const SAFE_LOW = 1e-290, SAFE_HIGH = 1e290;

/**
 * |x| of a row: the plain sum of squares where it is safe, else scaled by max |x_j| (rows of
 * 1e300 or 1e-300 are valid points and vectors whose squares overflow or underflow).
 */
export function norm(x: Float64Array, o: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const v = x[o + j] as number;
    s += v * v;
  }
  if (s > SAFE_LOW && s < SAFE_HIGH) return Math.sqrt(s);
  const m = maxAbs(x, o, d);
  if (m === 0) return 0;
  let t = 0;
  for (let j = 0; j < d; j++) {
    const q = (x[o + j] as number) / m;
    t += q * q;
  }
  return m * Math.sqrt(t);
}

/** max_j |x_j| of a row. */
export function maxAbs(x: Float64Array, o: number, d: number): number {
  let m = 0;
  for (let j = 0; j < d; j++) m = Math.max(m, Math.abs(x[o + j] as number));
  return m;
}

/**
 * Smallest weight total used as is: below it, u * total with u of 53 bits falls among the
 * subnormals (2^-1022 * 2^53 = 2^-969) and loses precision. Shared by Random.categorical and
 * ctmcSample, which divide smaller (and overflowing) totals' weights by the largest first.
 *
 * @internal
 */
export const TINY_TOTAL = 2 ** -960;

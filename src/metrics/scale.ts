import { maxAbs } from "../core/row-norm.js";

/**
 * Largest |coordinate| below which distances are computed as they are: past it a squared
 * distance could overflow (2^400 squared is 2^800, far from 2^1024 even summed over many columns).
 */
const BIG = 2 ** 400;
/** Smallest largest-|coordinate| computed as it is: below it squared differences underflow. */
const SMALL = 2 ** -400;

/**
 * The power of two at the largest |entry| of the arrays when that lies outside [2^-400, 2^400]
 * (and is not 0), else 1: dividing by it is exact, and the metrics, homogeneous in the points,
 * are unscaled afterwards. Ordinary data (scale 1) is computed with the same bits as before.
 */
export function powerOfTwoScale(...arrays: readonly Float64Array[]): number {
  let max = 0;
  for (const values of arrays) max = Math.max(max, maxAbs(values, 0, values.length));
  if (max === 0 || (max >= SMALL && max <= BIG)) return 1;
  return 2 ** Math.floor(Math.log2(max));
}

/** The entries divided by `scale` (the array itself when scale is 1). */
export function scaled(values: Float64Array, scale: number): Float64Array {
  return scale === 1 ? values : values.map((v) => v / scale);
}

import type { Batch } from "../../src/core/batch.js";

/**
 * Max relative error max_i |a_i - b_i| / max(|b_i|, scale), scale = RMS of b (the output's
 * scale, so near-zero entries are not judged relative to themselves).
 */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const scale = rmsScale(b);
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const e = Math.abs((a[i] as number) - (b[i] as number)) / Math.max(Math.abs(b[i] as number), scale);
    if (!(e <= worst)) worst = e; // NaN propagates as a failure
  }
  return worst;
}

/** Indices i with |a_i - b_i| > tol max(|b_i|, RMS of b), the entrywise form of maxRelativeError; NaN counts. */
export function indicesOff(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4): number[] {
  const scale = rmsScale(b);
  const off: number[] = [];
  for (let i = 0; i < b.length; i++) if (!(Math.abs((a[i] as number) - (b[i] as number)) <= tol * Math.max(Math.abs(b[i] as number), scale))) off.push(i);
  return off;
}

/** RMS of b (at least 1e-30). */
function rmsScale(b: ArrayLike<number>): number {
  let ss = 0;
  for (let i = 0; i < b.length; i++) ss += (b[i] as number) ** 2;
  return Math.max(Math.sqrt(ss / Math.max(b.length, 1)), 1e-30);
}

export const data = (b: Batch): Float64Array => b.data;

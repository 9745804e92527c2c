import type { Batch } from "../../src/core/batch.js";

/**
 * Max relative error max_i |a_i - b_i| / max(|b_i|, scale), scale = RMS of b (the output's
 * scale, so near-zero entries are not judged relative to themselves).
 */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ss = 0;
  for (let i = 0; i < b.length; i++) ss += (b[i] as number) ** 2;
  const scale = Math.max(Math.sqrt(ss / Math.max(b.length, 1)), 1e-30);
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const e = Math.abs((a[i] as number) - (b[i] as number)) / Math.max(Math.abs(b[i] as number), scale);
    if (!(e <= worst)) worst = e; // NaN propagates as a failure
  }
  return worst;
}

export const data = (b: Batch): Float64Array => b.data;

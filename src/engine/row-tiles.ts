import type { RowPool, ThreadFailure } from "./threads.js";

/** Fewest rows worth a thread of their own. */
export const ROWS_PER_THREAD = 64;
/** Fewest row-point (or row-component) pairs times (d + 8) worth a second thread (about a millisecond of work). */
const WORK_PER_THREAD = 2 ** 21;

/**
 * How many threads a call on n rows against K points (or components) of dimension d is worth
 * (internal): at most `threads`, at least ROWS_PER_THREAD rows and about a millisecond of work each.
 */
export function rowParts(threads: number, n: number, K: number, d: number): number {
  return Math.min(threads, Math.floor(n / ROWS_PER_THREAD), Math.floor((n * K * (d + 8)) / WORK_PER_THREAD));
}

/** A pool whose workers read rows of x ([capacity, d]) and coef ([capacity, 4]) and write out ([capacity, d]) (internal). */
export interface RowBufferPool extends RowPool {
  readonly capacity: number;
  readonly x: Float64Array;
  readonly coef: Float64Array;
  readonly out: Float64Array;
}

/**
 * Runs n rows through `pool` in tiles of its capacity, split into at most `parts` ranges
 * (internal). On a thread failure the rows from the failed tile on are computed by `local` on
 * the calling thread and false is returned (the caller then drops the pool); true otherwise.
 * Each row's result depends on that row only, so the bits never depend on the split.
 */
export function runRowTiles(pool: RowBufferPool, failure: ThreadFailure, fn: string, x: Float64Array, coef: Float64Array, n: number, d: number, parts: number, out: Float64Array,
  local: (x: Float64Array, coef: Float64Array, count: number, out: Float64Array) => void): boolean {
  for (let start = 0; start < n; start += pool.capacity) {
    const m = Math.min(pool.capacity, n - start);
    pool.x.set(x.subarray(start * d, (start + m) * d));
    pool.coef.set(coef.subarray(4 * start, 4 * (start + m)));
    if (!failure.run(pool, fn, m, Math.min(parts, Math.floor(m / ROWS_PER_THREAD) || 1), 0)) {
      pool.dispose();
      local(x.subarray(start * d), coef.subarray(4 * start), n - start, out.subarray(start * d));
      return false;
    }
    out.set(pool.out.subarray(0, m * d), start * d);
  }
  return true;
}

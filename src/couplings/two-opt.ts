/**
 * Pairwise-exchange (2-opt) improvement of a permutation start for the network simplex:
 * for rows i < k assigned to columns p_i, p_k, swap them when
 * `C[i, p_k] + C[k, p_i] < C[i, p_i] + C[k, p_k] - tolerance`. Each swap lowers the cost by
 * more than `tolerance`, so it terminates. The first sweep checks all pairs; a later sweep
 * checks only pairs with a row that changed columns in the sweep before (a pair of unchanged
 * rows was checked then and cannot have become improving). At most `passes` sweeps. Only the
 * start changes: the simplex then certifies optimality as before.
 *
 * @param C - row-major n x n costs
 * @param CT - the costs column-major when `transposed` (the sweep reads C[k, p_i] over k,
 *   contiguous there), else C itself (fine while C stays in cache)
 * @param p - row -> column, a permutation, improved in place
 * @returns the number of swaps
 * @internal
 */
export function twoOpt(C: Float64Array, CT: Float64Array, transposed: boolean, n: number, p: Int32Array,
  passes: number, tolerance: number): number {
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) diag[i] = C[i * n + (p[i] as number)] as number;
  // CT[col(a) + k * step] is C[k, a]
  const step = transposed ? 1 : n;
  let dirty = new Uint8Array(n).fill(1), next = new Uint8Array(n);
  const list = new Int32Array(n);
  let swaps = 0;
  for (let pass = 0; pass < passes; pass++) {
    // rows that changed in the last sweep, ascending
    let listSize = 0;
    for (let i = 0; i < n; i++) if (dirty[i]) list[listSize++] = i;
    if (listSize === 0) break;
    next.fill(0);
    let t0 = 0;
    for (let i = 0; i < n - 1; i++) {
      while (t0 < listSize && (list[t0] as number) <= i) t0++;
      const o = i * n;
      let a = p[i] as number, ca = diag[i] as number, col = transposed ? a * n : a;
      if (dirty[i]) {
        for (let k = i + 1; k < n; k++) {
          const b = p[k] as number;
          const cka = CT[col + k * step] as number, cib = C[o + b] as number;
          if (cib + cka < ca + (diag[k] as number) - tolerance) {
            p[i] = b; p[k] = a; diag[k] = cka; diag[i] = cib; next[i] = 1; next[k] = 1;
            a = b; ca = cib; col = transposed ? a * n : a;
            swaps++;
          }
        }
      } else {
        for (let t = t0; t < listSize; t++) {
          const k = list[t] as number, b = p[k] as number;
          const cka = CT[col + k * step] as number, cib = C[o + b] as number;
          if (cib + cka < ca + (diag[k] as number) - tolerance) {
            p[i] = b; p[k] = a; diag[k] = cka; diag[i] = cib; next[i] = 1; next[k] = 1;
            a = b; ca = cib; col = transposed ? a * n : a;
            swaps++;
          }
        }
      }
    }
    const t = dirty; dirty = next; next = t;
  }
  return swaps;
}

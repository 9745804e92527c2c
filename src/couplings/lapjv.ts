/**
 * Jonker–Volgenant for a dense square cost matrix (Jonker & Volgenant 1987, "A shortest
 * augmenting path algorithm for dense and sparse linear assignment problems"): column
 * reduction, reduction transfer, two passes of augmenting row reduction, then one
 * Dijkstra-style shortest augmenting path per remaining free row.
 *
 * Invariant kept by every phase: for each assigned row i, `C[i, x_i] - v[x_i]` is the
 * minimum over j of `C[i, j] - v[j]` (so the reduced costs of the Dijkstra phase are >= 0).
 * Not exported from the package; `solveAssignment` validates and wraps it.
 *
 * @param c - row-major n * n costs (finite)
 * @param n - size
 * @returns x (row -> column), y (column -> row) and the column potentials v
 * @internal
 */
export function lapjv(c: Float64Array, n: number): { x: Int32Array; y: Int32Array; v: Float64Array } {
  const x = new Int32Array(n).fill(-1);
  const y = new Int32Array(n).fill(-1);
  const v = new Float64Array(n);
  const free = new Int32Array(n);
  const work = augmentWork(n);

  const numFree = initialize(c, n, x, y, v, free);
  // augmentation: Dijkstra on reduced costs from each free row to an unassigned column
  for (let f = 0; f < numFree; f++) augment(c, n, free[f] as number, x, y, v, work);
  return { x, y, v };
}

/**
 * The initial phases of Jonker–Volgenant: column reduction, reduction transfer and two
 * passes of augmenting row reduction. Fills x, y, v (the invariant of {@link lapjv} holds
 * for every assigned row) and writes the rows left free to `free`.
 *
 * @returns the number of free rows
 * @internal
 */
export function initialize(c: Float64Array, n: number, x: Int32Array, y: Int32Array, v: Float64Array,
  free: Int32Array): number {
  const matches = new Int32Array(n);
  // column reduction: v_j = min_i C_ij, scanned row by row for cache locality
  const imin = new Int32Array(n);
  for (let j = 0; j < n; j++) v[j] = c[j] as number;
  for (let i = 1; i < n; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) {
      const h = c[o + j] as number;
      if (h < (v[j] as number)) { v[j] = h; imin[j] = i; }
    }
  }
  for (let j = n - 1; j >= 0; j--) {
    const i = imin[j] as number;
    matches[i] = (matches[i] as number) + 1;
    if (matches[i] === 1) {
      x[i] = j; y[j] = i;
    } else if ((v[j] as number) < (v[x[i] as number] as number)) {
      const j1 = x[i] as number;
      x[i] = j; y[j] = i; y[j1] = -1;
    }
  }
  // reduction transfer
  let numFree = 0;
  for (let i = 0; i < n; i++) {
    if (matches[i] === 0) { free[numFree++] = i; continue; }
    if (matches[i] !== 1) continue;
    const j1 = x[i] as number, o = i * n;
    let min = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === j1) continue;
      const h = (c[o + j] as number) - (v[j] as number);
      if (h < min) min = h;
    }
    if (min < Infinity) v[j1] = (v[j1] as number) - min;
  }
  return rowReduction(c, n, x, y, v, free, numFree, 2);
}

/**
 * Augmenting row reduction of Jonker–Volgenant, `passes` passes over the free rows (the
 * first `numFree` entries of `free`): each free row takes its cheapest column at reduced
 * cost `C_ij - v_j`, lowering that column's price to the second-cheapest level, and the row
 * it displaces waits for the next pass. Keeps the invariant of {@link lapjv}.
 *
 * @returns the number of rows left free (rewritten to the front of `free`)
 * @internal
 */
export function rowReduction(c: Float64Array, n: number, x: Int32Array, y: Int32Array, v: Float64Array,
  free: Int32Array, numFree: number, passes: number): number {
  // A displaced row waits for the next pass instead of being re-processed at once as in the
  // 1987 paper: on geometric costs the immediate re-queue cycles through many tiny price
  // decrements (measured slower overall), and it cannot loop on floating-point ties.
  for (let pass = 0; pass < passes && numFree > 0; pass++) {
    let k = 0;
    const previous = numFree;
    numFree = 0;
    while (k < previous) {
      const i = free[k++] as number, o = i * n;
      let umin = (c[o] as number) - (v[0] as number), j1 = 0, j2 = -1, usubmin = Infinity;
      for (let j = 1; j < n; j++) {
        const h = (c[o + j] as number) - (v[j] as number);
        if (h < usubmin) {
          if (h >= umin) { usubmin = h; j2 = j; }
          else { usubmin = umin; umin = h; j2 = j1; j1 = j; }
        }
      }
      let i0 = y[j1] as number;
      const strict = umin < usubmin;
      if (strict) v[j1] = (v[j1] as number) - (usubmin - umin);
      else if (i0 >= 0 && j2 >= 0) { j1 = j2; i0 = y[j2] as number; }
      if (i0 >= 0) x[i0] = -1;
      x[i] = j1; y[j1] = i;
      if (i0 >= 0) free[numFree++] = i0;
    }
  }
  return numFree;
}

/**
 * One shortest augmenting path from `freeRow` (dense Dijkstra): each pass over the columns
 * not yet scanned relaxes them through the row of the last scanned column and finds the
 * next minimum in the same sweep. The unscanned columns sit at `[0, count)` of the work
 * arrays with their labels `d`, prices `v` and predecessors side by side (so the sweep reads
 * the cost row as its only scattered access); scanned ones are swapped behind. Then prices
 * of scanned columns rise by `d_j - d_end` and the alternating path is flipped.
 *
 * @returns the number of columns scanned (the work of this path, at most n)
 * @internal
 */
export function augment(c: Float64Array, n: number, freeRow: number, x: Int32Array, y: Int32Array, v: Float64Array,
  w: AugmentWork): number {
  const { col, dist, price, pred, predOf } = w;
  const fo = freeRow * n;
  let minVal = Infinity, minK = 0;
  for (let j = 0; j < n; j++) {
    const vj = v[j] as number;
    const h = (c[fo + j] as number) - vj;
    col[j] = j; dist[j] = h; price[j] = vj; pred[j] = freeRow;
    if (h < minVal) { minVal = h; minK = j; }
  }
  let count = n;
  let end: number;
  for (;;) {
    const j1 = col[minK] as number;
    // swap the chosen column behind the unscanned block
    count--;
    swap(w, minK, count);
    const i = y[j1] as number;
    if (i < 0) { end = j1; break; }
    const o = i * n;
    const h = (c[o + j1] as number) - (price[count] as number) - minVal;
    const mu = minVal;
    minVal = Infinity; minK = 0;
    for (let k = 0; k < count; k++) {
      let dk = dist[k] as number;
      const v2 = (c[o + (col[k] as number)] as number) - (price[k] as number) - h;
      if (v2 < dk) { dist[k] = v2; pred[k] = i; dk = v2; }
      if (dk < minVal) {
        minVal = dk; minK = k;
        // nothing can beat the label of the column just scanned: stop at a free one
        if (dk <= mu && (y[col[k] as number] as number) < 0) break;
      }
    }
  }
  const dEnd = dist[count] as number;
  for (let k = count; k < n; k++) predOf[col[k] as number] = pred[k] as number;
  for (let k = count + 1; k < n; k++) {
    const j = col[k] as number;
    v[j] = (v[j] as number) + (dist[k] as number) - dEnd;
  }
  let j = end;
  for (;;) {
    const i = predOf[j] as number;
    y[j] = i;
    const next = x[i] as number;
    x[i] = j;
    if (i === freeRow) break;
    j = next;
  }
  return n - count;
}

/** Work arrays of {@link augment}, allocated once per solve. @internal */
export interface AugmentWork {
  col: Int32Array;
  dist: Float64Array;
  price: Float64Array;
  pred: Int32Array;
  predOf: Int32Array;
}

/** Fresh work arrays for {@link augment} at size n. @internal */
export function augmentWork(n: number): AugmentWork {
  return {
    col: new Int32Array(n), dist: new Float64Array(n), price: new Float64Array(n),
    pred: new Int32Array(n), predOf: new Int32Array(n),
  };
}

function swap(w: AugmentWork, a: number, b: number): void {
  const { col, dist, price, pred } = w;
  const c0 = col[a] as number, d0 = dist[a] as number, p0 = price[a] as number, r0 = pred[a] as number;
  col[a] = col[b] as number; dist[a] = dist[b] as number; price[a] = price[b] as number; pred[a] = pred[b] as number;
  col[b] = c0; dist[b] = d0; price[b] = p0; pred[b] = r0;
}

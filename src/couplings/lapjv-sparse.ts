import { initialize } from "./lapjv.js";

/**
 * Exact dense assignment through a sparse candidate graph plus a dense dual certificate
 * ("pricing"): solve on the k cheapest columns of each row and k cheapest rows of each
 * column with heap-based shortest augmenting paths, then check every entry of the dense
 * matrix against the duals (`C_ij - v_j >= C_{i,x_i} - v_{x_i}`). Rows with a violated entry
 * get those entries added, are freed and re-augmented; this repeats until the certificate
 * holds on the whole matrix, so the result is optimal for the dense problem.
 *
 * Each shortest path then costs O(edges reached * log) instead of O(n) per scanned column,
 * which is what makes long augmenting paths (geometric costs) cheap.
 * Returns null when the candidate graph has no perfect matching or the pricing rounds run
 * out; the caller then solves densely. Not exported from the package.
 *
 * @param c - row-major n * n costs (finite)
 * @param n - size
 * @param k - candidates per row and per column
 * @returns x (row -> column), y (column -> row) and column potentials v, or null
 * @internal
 */
export function lapjvSparse(c: Float64Array, n: number, k: number): { x: Int32Array; y: Int32Array; v: Float64Array } | null {
  const x = new Int32Array(n).fill(-1);
  const y = new Int32Array(n).fill(-1);
  const v = new Float64Array(n);
  let free = new Int32Array(n);
  // Jonker–Volgenant initialisation: every assigned row has its column as a dense argmin of
  // C_ij - v_j, so all reduced costs are >= 0 and assigned ones are 0
  let numFree = initialize(c, n, x, y, v, free);
  let scale = 0;
  for (let t = 0; t < c.length; t++) scale = Math.max(scale, Math.abs(c[t] as number));
  const tol = 1e-13 * scale;
  let g = candidates(c, n, Math.min(k, n), x);
  const w = new DijkstraWork(n);
  for (let round = 0; round < 8; round++) {
    for (let f = 0; f < numFree; f++) {
      const row = free[f] as number;
      if (augment(c, n, g, row, x, y, v, w)) continue;
      // no free column reachable in the graph: give this row every column (then one is)
      const extra: number[][] = [];
      extra[row] = Array.from({ length: n }, (_, j) => j);
      g = withEdges(g, n, extra);
      if (!augment(c, n, g, row, x, y, v, w)) return null;
    }
    // pricing: a row whose cheapest reduced cost is not its own column gets the cheaper entries
    const extra: number[][] = [];
    numFree = 0;
    for (let i = 0; i < n; i++) {
      const o = i * n, xi = x[i] as number;
      const ui = (c[o + xi] as number) - (v[xi] as number) - tol;
      let add: number[] | undefined;
      for (let j = 0; j < n; j++) {
        if ((c[o + j] as number) - (v[j] as number) < ui) (add ??= []).push(j);
      }
      if (add === undefined) continue;
      extra[i] = add;
      free[numFree++] = i;
    }
    if (numFree === 0) return { x, y, v };
    g = withEdges(g, n, extra);
    for (let f = 0; f < numFree; f++) {
      const i = free[f] as number;
      y[x[i] as number] = -1;
      x[i] = -1;
    }
    free = free.slice();
  }
  return null;
}

/** Candidate graph in compressed-row form: columns of row i are `col[start[i] .. start[i+1])`. */
interface Graph {
  start: Int32Array;
  col: Int32Array;
}

/** Union of each row's k cheapest columns, each column's k cheapest rows and the assigned pairs. */
function candidates(c: Float64Array, n: number, k: number, x: Int32Array): Graph {
  const rowBest = new Int32Array(n * k), rowVal = new Float64Array(k);
  const colBest = new Int32Array(n * k), colVal = new Float64Array(n * k).fill(Infinity);
  const colLimit = new Float64Array(n).fill(Infinity);
  for (let i = 0; i < n; i++) {
    const o = i * n, ro = i * k;
    rowVal.fill(Infinity);
    let rowLimit = Infinity;
    for (let j = 0; j < n; j++) {
      const h = c[o + j] as number;
      if (h < rowLimit) {
        insert(rowVal, rowBest, 0, ro, k, h, j);
        rowLimit = rowVal[k - 1] as number;
      }
      if (h < (colLimit[j] as number)) {
        const co = j * k;
        insert(colVal, colBest, co, co, k, h, i);
        colLimit[j] = colVal[co + k - 1] as number;
      }
    }
  }
  // row i: its k columns, its assigned column, and every column j that lists i
  const deg = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) deg[i + 1] = k + 1;
  for (let t = 0; t < n * k; t++) { const r = (colBest[t] as number) + 1; deg[r] = (deg[r] as number) + 1; }
  for (let i = 0; i < n; i++) deg[i + 1] = (deg[i + 1] as number) + (deg[i] as number);
  const fill = deg.slice(0, n), raw = new Int32Array(deg[n] as number);
  for (let i = 0; i < n; i++) {
    let p = fill[i] as number;
    for (let t = 0; t < k; t++) raw[p++] = rowBest[i * k + t] as number;
    raw[p++] = (x[i] as number) >= 0 ? x[i] as number : rowBest[i * k] as number;
    fill[i] = p;
  }
  for (let j = 0; j < n; j++) {
    for (let t = 0; t < k; t++) {
      const i = colBest[j * k + t] as number;
      raw[fill[i] as number] = j;
      fill[i] = (fill[i] as number) + 1;
    }
  }
  return dedupe(n, deg, raw);
}

/** Sorted insertion of (h, id) into the k-slot buffers starting at vo / io. */
function insert(val: Float64Array, ids: Int32Array, vo: number, io: number, k: number, h: number, id: number): void {
  let t = k - 1;
  while (t > 0 && (val[vo + t - 1] as number) > h) {
    val[vo + t] = val[vo + t - 1] as number;
    ids[io + t] = ids[io + t - 1] as number;
    t--;
  }
  val[vo + t] = h;
  ids[io + t] = id;
}

/** The graph g with extra[i] added to row i's columns. */
function withEdges(g: Graph, n: number, extra: number[][]): Graph {
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    start[i + 1] = (start[i] as number) + (g.start[i + 1] as number) - (g.start[i] as number) + (extra[i]?.length ?? 0);
  }
  const raw = new Int32Array(start[n] as number);
  for (let i = 0; i < n; i++) {
    let p = start[i] as number;
    for (let e = g.start[i] as number; e < (g.start[i + 1] as number); e++) raw[p++] = g.col[e] as number;
    for (const j of extra[i] ?? []) raw[p++] = j;
  }
  return dedupe(n, start, raw);
}

/** Compressed rows with duplicates removed from the rows `raw[start[i] .. start[i+1])`. */
function dedupe(n: number, start: Int32Array, raw: Int32Array): Graph {
  const seen = new Int32Array(n).fill(-1);
  const out = new Int32Array(raw.length), outStart = new Int32Array(n + 1);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let e = start[i] as number; e < (start[i + 1] as number); e++) {
      const j = raw[e] as number;
      if (seen[j] === i) continue;
      seen[j] = i;
      out[p++] = j;
    }
    outStart[i + 1] = p;
  }
  return { start: outStart, col: out.subarray(0, p) };
}

/** Labels, predecessors and a binary min-heap with lazy deletion, reused by every path. */
class DijkstraWork {
  readonly dist: Float64Array;
  readonly pred: Int32Array;
  readonly mark: Int32Array;
  readonly done: Int32Array;
  readonly settled: Int32Array;
  heapKey: Float64Array;
  heapCol: Int32Array;
  stamp = 0;
  constructor(n: number) {
    this.dist = new Float64Array(n);
    this.pred = new Int32Array(n);
    this.mark = new Int32Array(n);
    this.done = new Int32Array(n);
    this.settled = new Int32Array(n);
    this.heapKey = new Float64Array(4 * n);
    this.heapCol = new Int32Array(4 * n);
  }
}

/**
 * Shortest augmenting path from `row` on the candidate graph (reduced costs
 * `C_ij - v_j - u_i` with `u_i = C_{i,x_i} - v_{x_i}`), then the price update
 * `v_j += d_j - d_end` on settled columns and the flip of the path. False when no free
 * column is reachable.
 */
function augment(c: Float64Array, n: number, g: Graph, row: number, x: Int32Array, y: Int32Array, v: Float64Array,
  w: DijkstraWork): boolean {
  const { dist, pred, mark, done, settled, start, col } = { ...w, start: g.start, col: g.col };
  const s = ++w.stamp;
  let size = 0;
  const push = (d: number, j: number): void => {
    if (size === w.heapKey.length) {
      const k2 = new Float64Array(2 * size); k2.set(w.heapKey); w.heapKey = k2;
      const c2 = new Int32Array(2 * size); c2.set(w.heapCol); w.heapCol = c2;
    }
    const hk = w.heapKey, hc = w.heapCol;
    let p = size++;
    while (p > 0) {
      const q = (p - 1) >> 1;
      if ((hk[q] as number) <= d) break;
      hk[p] = hk[q] as number; hc[p] = hc[q] as number; p = q;
    }
    hk[p] = d; hc[p] = j;
  };
  const relax = (i: number, base: number): void => {
    const o = i * n;
    for (let e = start[i] as number, end = start[i + 1] as number; e < end; e++) {
      const j = col[e] as number;
      if (done[j] === s) continue;
      const d = base + (c[o + j] as number) - (v[j] as number);
      if (mark[j] !== s || d < (dist[j] as number)) {
        mark[j] = s; dist[j] = d; pred[j] = i;
        push(d, j);
      }
    }
  };
  relax(row, 0);
  let numSettled = 0, endCol = -1, dEnd = 0;
  while (size > 0) {
    const hk = w.heapKey, hc = w.heapCol;
    const d = hk[0] as number, j = hc[0] as number;
    // pop
    size--;
    const lk = hk[size] as number, lc = hc[size] as number;
    let p = 0;
    for (;;) {
      let q = 2 * p + 1;
      if (q >= size) break;
      if (q + 1 < size && (hk[q + 1] as number) < (hk[q] as number)) q++;
      if ((hk[q] as number) >= lk) break;
      hk[p] = hk[q] as number; hc[p] = hc[q] as number; p = q;
    }
    hk[p] = lk; hc[p] = lc;
    if (done[j] === s || d > (dist[j] as number)) continue;
    done[j] = s;
    const i = y[j] as number;
    if (i < 0) { endCol = j; dEnd = d; break; }
    settled[numSettled++] = j;
    relax(i, d - ((c[i * n + j] as number) - (v[j] as number)));
  }
  if (endCol < 0) return false;
  for (let t = 0; t < numSettled; t++) {
    const j = settled[t] as number;
    v[j] = (v[j] as number) + (dist[j] as number) - dEnd;
  }
  let j = endCol;
  for (;;) {
    const i = pred[j] as number;
    y[j] = i;
    const next = x[i] as number;
    x[i] = j;
    if (i === row) break;
    j = next;
  }
  return true;
}

import type { SimplexState } from "./network-simplex.js";
import { twoOpt } from "./two-opt.js";

/** Direction of a node's arc to its parent: UP = node -> parent. @internal */
export const UP = 1, DOWN = -1;

/**
 * The network simplex's start: rows in order ship to their cheapest columns with capacity
 * left. Each shipment exhausts a row or a column, so the shipments form a forest (a basic
 * solution), joined into one strongly feasible tree by `hangForest`, without big-M arcs.
 * @internal
 */
export function greedyStart(s: SimplexState): void {
  const { C, n, m, supply } = s;
  const left = new Float64Array(m);
  for (let j = 0; j < m; j++) left[j] = -(supply[n + j] as number);
  // adjacency of the forest: at most n + m - 1 shipments
  const cellRow: number[] = [], cellCol: number[] = [], cellFlow: number[] = [];
  let open = m;
  for (let i = 0; i < n && open > 0; i++) {
    let rest = supply[i] as number;
    const o = i * m;
    while (rest > 0 && open > 0) {
      let best = -1, min = Infinity;
      for (let j = 0; j < m; j++) {
        if ((left[j] as number) > 0 && (C[o + j] as number) < min) { min = C[o + j] as number; best = j; }
      }
      if (best < 0) break;
      const lj = left[best] as number;
      // the last row absorbs rounding: supplies and demands have equal sums only up to rounding
      const q = Math.min(rest, lj);
      cellRow.push(i); cellCol.push(best); cellFlow.push(q);
      if (lj <= rest) { left[best] = 0; open--; rest -= lj; } else { left[best] = lj - rest; rest = 0; }
    }
  }
  // the costs by columns: past the caches (C over 4 MB) a blocked transpose is cheaper
  const transposed = n * m * 8 > 4e6;
  const CT = transposed ? transpose(C, n, m) : C;
  if (n === m && cellRow.length === n && isPermutationStart(s)) {
    // equal supplies and demands (the assignment case): the greedy shipments are a
    // permutation; pairwise exchanges make it much cheaper before the simplex starts
    const p = new Int32Array(n);
    for (let e = 0; e < n; e++) p[cellRow[e] as number] = cellCol[e] as number;
    twoOpt(C, CT, transposed, n, p, TWO_OPT_PASSES, s.tolerance);
    for (let e = 0; e < n; e++) cellCol[e] = p[cellRow[e] as number] as number;
  }
  hangForest(s, cellRow, cellCol, cellFlow, CT, transposed);
}

/**
 * Sweeps of {@link twoOpt} on a permutation start. Measured (same-process A/B against the
 * start without sweeps, N(0, I) -> N(0, I), N(0, I) -> moons, 8 Gaussians -> moons): the
 * solve 15-30% faster at n = 256 (pivots 2100 -> 850 on 8 Gaussians -> moons), 10-30% at
 * n = 512, 5-10% at n = 1024.
 */
const TWO_OPT_PASSES = 4;

/** Every supply equals every demand, so each greedy shipment fills a row and a column. @internal */
export function isPermutationStart(s: SimplexState): boolean {
  const { supply, n, m } = s;
  const q = supply[0] as number;
  for (let i = 0; i < n; i++) if (supply[i] !== q) return false;
  for (let j = 0; j < m; j++) if (supply[n + j] !== -q) return false;
  return true;
}

/** Builds parent/pred/thread/... and the potentials from the forest's edges, joining its trees Prim-like. */
function hangForest(s: SimplexState, cellRow: number[], cellCol: number[], cellFlow: number[], CT: Float64Array,
  transposed: boolean): void {
  const { n, nodes, root, parent, pred, predDir, thread, revThread, succNum, lastSucc, flow } = s;
  const k = cellRow.length;
  const degree = new Int32Array(nodes + 1);
  for (let e = 0; e < k; e++) {
    const i = cellRow[e] as number, j = n + (cellCol[e] as number);
    degree[i] = (degree[i] as number) + 1; degree[j] = (degree[j] as number) + 1;
  }
  const start = new Int32Array(nodes + 1);
  for (let u = 0; u < nodes; u++) start[u + 1] = (start[u] as number) + (degree[u] as number);
  const fill = start.slice(0, nodes), adj = new Int32Array(2 * k);
  for (let e = 0; e < k; e++) {
    const i = cellRow[e] as number, j = n + (cellCol[e] as number);
    adj[fill[i] as number] = e; fill[i] = (fill[i] as number) + 1;
    adj[fill[j] as number] = e; fill[j] = (fill[j] as number) + 1;
  }
  const { C, m, pi } = s;
  const attached = new Uint8Array(nodes + 1), stack = new Int32Array(nodes + 1);
  parent[root] = -1; pred[root] = -2; predDir[root] = 0; pi[root] = 0;
  attached[root] = 1;
  // Prim-like hanging: each component joins through the zero-flow arc (row r -> attached
  // column k) maximising pi_k - C_rk, so r's arcs to attached columns get reduced costs >= 0
  const bestVal = new Float64Array(n).fill(-Infinity), bestCol = new Int32Array(n).fill(-1);
  const newColumns: number[] = [];
  const hang = (s0: number, p: number, arc: number): void => {
    parent[s0] = p; pred[s0] = arc; predDir[s0] = UP; flow[s0] = 0;
    pi[s0] = arc < 0 ? 0 : (pi[p] as number) - (C[arc] as number);
    let top = 0;
    stack[top++] = s0; attached[s0] = 1;
    while (top > 0) {
      const u = stack[--top] as number;
      if (u >= n) newColumns.push(u);
      for (let t = start[u] as number; t < (start[u + 1] as number); t++) {
        const e = adj[t] as number;
        const i = cellRow[e] as number, j = n + (cellCol[e] as number);
        const w = u === i ? j : i;
        if (attached[w]) continue;
        attached[w] = 1;
        const arc = i * m + (cellCol[e] as number);
        parent[w] = u; pred[w] = arc; predDir[w] = w === i ? UP : DOWN; flow[w] = cellFlow[e] as number;
        pi[w] = w === i ? (pi[u] as number) - (C[arc] as number) : (pi[u] as number) + (C[arc] as number);
        stack[top++] = w;
      }
    }
  };
  // Prim: hang the unattached row of largest bestVal; the pass that updates bestVal for the
  // columns just attached also finds the next row (first maximum, as a separate scan would)
  let r = 0;
  hang(r, root, -1);
  for (;;) {
    let next = -1, best = -Infinity;
    const count = newColumns.length;
    if (count === 1 && transposed) {
      // one new column (the assignment case): a contiguous column of C^T
      const k = newColumns[0] as number, pk = pi[k] as number, o = (k - n) * n;
      for (let i = 0; i < n; i++) {
        if (attached[i]) continue;
        let bv = bestVal[i] as number;
        const val = pk - (CT[o + i] as number);
        if (val > bv) { bv = val; bestVal[i] = val; bestCol[i] = k; }
        if (next < 0 || bv > best) { next = i; best = bv; }
      }
    } else for (let i = 0; i < n; i++) {
      if (attached[i]) continue;
      let bv = bestVal[i] as number;
      for (let t = 0; t < count; t++) {
        const k = newColumns[t] as number;
        const val = (pi[k] as number) - (CT[transposed ? (k - n) * n + i : i * m + (k - n)] as number);
        if (val > bv) { bv = val; bestVal[i] = val; bestCol[i] = k; }
      }
      if (next < 0 || bv > best) { next = i; best = bv; }
    }
    newColumns.length = 0;
    if (next < 0) break;
    r = next;
    const k = bestCol[r] as number;
    if (k < 0) hang(r, root, -1); else hang(r, k, r * m + (k - n));
  }
  for (let u = n; u < nodes; u++) if (!attached[u]) hang(u, root, -1);
  // the thread: depth-first preorder of the tree from the root
  const childStart = new Int32Array(nodes + 2), children = new Int32Array(nodes);
  for (let u = 0; u < nodes; u++) { const q = (parent[u] as number) + 1; childStart[q] = (childStart[q] as number) + 1; }
  for (let u = 0; u <= nodes; u++) childStart[u + 1] = (childStart[u + 1] as number) + (childStart[u] as number);
  const cfill = childStart.slice(0, nodes + 1);
  for (let u = 0; u < nodes; u++) { const p = parent[u] as number; children[cfill[p] as number] = u; cfill[p] = (cfill[p] as number) + 1; }
  let prev = root, top = 0;
  for (let t = childStart[root] as number; t < (childStart[root + 1] as number); t++) stack[top++] = children[t] as number;
  while (top > 0) {
    const u = stack[--top] as number;
    thread[prev] = u; revThread[u] = prev; prev = u;
    for (let t = childStart[u] as number; t < (childStart[u + 1] as number); t++) stack[top++] = children[t] as number;
  }
  thread[prev] = root; revThread[root] = prev;
  // subtree sizes and last successors, children before parents
  succNum.fill(1);
  for (let u = 0; u <= nodes; u++) lastSucc[u] = u;
  for (let u = prev; u !== root; u = revThread[u] as number) {
    const p = parent[u] as number;
    succNum[p] = (succNum[p] as number) + (succNum[u] as number);
    if (lastSucc[p] === p) lastSucc[p] = lastSucc[u] as number;
  }
  s.recomputePotentials();
}

/** Column-major copy of the row-major n x m matrix C, by 32 x 32 tiles. */
function transpose(C: Float64Array, n: number, m: number): Float64Array {
  const T = new Float64Array(n * m), B = 32;
  for (let i0 = 0; i0 < n; i0 += B) {
    const i1 = Math.min(n, i0 + B);
    for (let j0 = 0; j0 < m; j0 += B) {
      const j1 = Math.min(m, j0 + B);
      for (let i = i0; i < i1; i++) {
        const o = i * m;
        for (let j = j0; j < j1; j++) T[j * n + i] = C[o + j] as number;
      }
    }
  }
  return T;
}

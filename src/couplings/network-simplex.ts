import { simplexMemory, type SimplexMemory } from "../engine/simplex-f64.js";
import { auctionStart } from "./auction-start.js";
import { DOWN as down, UP as up, greedyStart } from "./network-simplex-start.js";

// module-level copies: CommonJS output (tsx, bundlers) reads an imported binding through a getter,
// which the pivot loops would pay on every use
const UP = up, DOWN = down;

/**
 * Primal network simplex for the transportation problem
 * `min sum_ij C_ij P_ij  s.t.  P 1 = a, P^T 1 = b, P >= 0` on the complete bipartite graph,
 * the algorithm of POT's `ot.emd` and LEMON's `NetworkSimplex` (Kelly & O'Neill 1991;
 * Király & Kovács 2012): a strongly feasible spanning tree stored as parent / thread /
 * subtree-size arrays, block-search pivoting (the first block of rows holding an arc of
 * negative reduced cost gives its most negative one), Cunningham's leaving-arc rule
 * against cycling.
 *
 * Two departures from LEMON, both for speed on minibatch OT. (1) The start is not the
 * all-artificial big-M tree. Assignment-shaped problems (n = m >= 16, every supply equal to
 * every demand) start from an ε-scaling auction on float32 costs (auction-start.ts): its
 * permutation, each row hung from the root by an artificial zero-flow arc whose potential
 * makes the tree's potentials the auction's ε-optimal duals, so few arcs start with a negative
 * reduced cost (8 Gaussians -> moons, n = 256: 194 pivots instead of 934). Other problems (and
 * those where WebAssembly SIMD is missing) start from a greedy basic solution (each row in turn
 * ships to its cheapest columns with capacity left, improved by 2-opt exchanges when it is a
 * permutation); the trees of that forest are joined Prim-like, each by the zero-flow arc from
 * one of its rows r to an already joined column k that maximises pi_k - C_rk (arcs pointing to
 * the root, so the tree is strongly feasible), and the first one by a zero-cost arc to the
 * root. No big-M enters the potentials and the reduced costs keep full precision. (2) Arcs are
 * never stored: arc `e = i m + j` is row i -> column j with cost `C[e]`, and with infinite
 * capacities a non-tree arc always has zero flow, so flows live on the tree nodes (the flow of
 * the arc to the parent). Artificial arcs are never priced: once one leaves the tree it never
 * returns, and the certificate below concerns the real arcs only.
 *
 * On termination the potentials are recomputed from the tree and every arc is priced
 * again, so accumulated rounding cannot hide a violated arc; the flows are recomputed from
 * the supplies, so the plan's marginals are a and b up to one rounding per node.
 *
 * Pricing runs on WebAssembly SIMD where available (engine/simplex-f64.ts: the same
 * comparisons as {@link SimplexState.findEnteringArc}'s scalar loop, so the same pivots and the
 * same result); `engine.wasm = false` keeps it (and the start) in JavaScript. The two starts
 * reach the same optimal cost; where the optimum is not unique they may return different
 * optimal plans.
 *
 * Node ids: rows 0..n-1, columns n..n+m-1, root n+m. @internal
 */
export function networkSimplex(C: Float64Array, a: Float64Array, b: Float64Array, n: number, m: number,
  maxIterations: number, engine: SimplexEngine = {}): NetworkSimplexResult {
  const s = new SimplexState(C, a, b, n, m, engine);
  const iterations = s.run(maxIterations);
  s.recomputeFlows();
  // a certified run ends on potentials just recomputed from the tree, with no pivot since
  if (!s.optimal) s.recomputePotentials();
  const u = new Float64Array(n), v = new Float64Array(m);
  for (let i = 0; i < n; i++) u[i] = -(s.pi[i] as number);
  for (let j = 0; j < m; j++) v[j] = s.pi[n + j] as number;
  if (s.costScale !== 1) unscale(u, v, s.costScale);
  // the plan: tree arcs between a row and a column with positive flow (at most n + m - 1)
  const rows = new Int32Array(n + m), columns = new Int32Array(n + m), values = new Float64Array(n + m);
  let cells = 0;
  for (let x = 0; x < n + m; x++) {
    const e = s.pred[x] as number, f = s.flow[x] as number;
    if (e < 0 || !(f > 0)) continue;
    const i = Math.floor(e / m);
    rows[cells] = i; columns[cells] = e - i * m; values[cells++] = f;
  }
  return {
    rows: rows.slice(0, cells), columns: columns.slice(0, cells), values: values.slice(0, cells),
    u, v, iterations, converged: s.optimal,
  };
}

/**
 * 2^-k that brings (2 (n + m) + 2) max |C| below 2^1000 (potentials are sums of up to n + m
 * costs, reduced costs add two of them), or 1 when it is already there.
 */
function costShrink(maxAbs: number, nodes: number): number {
  const bound = maxAbs * (2 * nodes + 2);
  if (!(bound > 2 ** 1000)) return 1;
  // bound may itself overflow: take the exponent of maxAbs and of the factor separately
  const k = Math.ceil(Math.log2(maxAbs) + Math.log2(2 * nodes + 2)) - 1000;
  return 2 ** -k;
}

/**
 * Potentials of the scaled problem back in cost units: u_i + v_j is unchanged by u + t, v - t, so
 * both sets are first centred on each other (t = (mid v - mid u) / 2), which keeps them finite
 * whenever the costs they certify are. @internal
 */
function unscale(u: Float64Array, v: Float64Array, factor: number): void {
  let uMin = Infinity, uMax = -Infinity, vMin = Infinity, vMax = -Infinity;
  for (const x of u) { uMin = Math.min(uMin, x); uMax = Math.max(uMax, x); }
  for (const x of v) { vMin = Math.min(vMin, x); vMax = Math.max(vMax, x); }
  const t = (vMin / 2 + vMax / 2 - uMin / 2 - uMax / 2) / 2;
  for (let i = 0; i < u.length; i++) u[i] = ((u[i] as number) + t) * factor;
  for (let j = 0; j < v.length; j++) v[j] = ((v[j] as number) - t) * factor;
}

/** What runs where (tests compare the paths): both default to true. @internal */
export interface SimplexEngine {
  /** Pricing (and the auction start) on WebAssembly SIMD where available. */
  wasm?: boolean;
  /** The auction start of auction-start.ts for assignment-shaped problems, else the greedy start. */
  auction?: boolean;
}

/** Output of {@link networkSimplex}: the plan in coordinate form and the duals. @internal */
export interface NetworkSimplexResult {
  rows: Int32Array;
  columns: Int32Array;
  values: Float64Array;
  /** Row potentials, `u_i + v_j <= C_ij` up to rounding, equality on the plan's support. */
  u: Float64Array;
  v: Float64Array;
  iterations: number;
  converged: boolean;
}

/** The spanning-tree state of the simplex (LEMON's arrays). @internal */
export class SimplexState {
  readonly nodes: number;
  readonly root: number;
  readonly parent: Int32Array;
  readonly pred: Int32Array;
  readonly predDir: Int8Array;
  readonly thread: Int32Array;
  readonly revThread: Int32Array;
  readonly succNum: Int32Array;
  readonly lastSucc: Int32Array;
  readonly flow: Float64Array;
  readonly pi: Float64Array;
  readonly supply: Float64Array;
  readonly dirty: Int32Array;
  /**
   * Reduced costs above -tolerance count as >= 0 (rounding of C + pi_i - pi_j): from max |C|
   * while pivoting, from the tree's arcs when certifying (see {@link SimplexState.treeTolerance}).
   */
  tolerance: number;
  readonly rowsPerBlock: number;
  /** The columns' potentials: a view of pi from node n. */
  readonly piCol: Float64Array;
  readonly C: Float64Array;
  /**
   * Potentials of nodes hung from the root by artificial arcs (zero flow; never priced, so
   * they leave the tree and never return): pi_u = pi_root + artificial[u]. Null: all zero.
   */
  artificial: Float64Array | null = null;
  /** The WebAssembly memory holding C and pi, when pricing runs there. */
  readonly kernel: SimplexMemory | null;
  /** max C, min C and sum C, when the kernel computed them. */
  readonly costStats: { max: number; min: number; sum: number } | null;
  nextRow = 0;
  optimal = false;
  // current pivot
  inArc = -1; join = -1; uIn = -1; vIn = -1; uOut = -1; delta = 0;

  /**
   * Costs past 2^1000 / (2 (n + m) + 2) are solved as C 2^-k (exact: a power of two), so no
   * potential or reduced cost overflows; potentials are multiplied back by costScale = 2^k.
   */
  readonly costScale: number = 1;

  constructor(C: Float64Array, a: Float64Array, b: Float64Array, readonly n: number, readonly m: number, engine: SimplexEngine = {}) {
    const nodes = (this.nodes = n + m), size = nodes + 1;
    this.root = nodes;
    let kernel = engine.wasm ?? true ? simplexMemory(C, n, m) : null;
    let stats = kernel === null ? null : kernel.stats();
    let scale = 0;
    if (stats !== null) {
      scale = Math.max(0, stats.max, -stats.min);
    } else {
      for (let k = 0; k < C.length; k++) scale = Math.max(scale, Math.abs(C[k] as number));
    }
    const shrink = costShrink(scale, n + m);
    if (shrink !== 1) {
      this.costScale = 1 / shrink;
      scale *= shrink;
      if (kernel !== null && kernel.C.buffer !== C.buffer) {
        const K = kernel.C;
        for (let k = 0; k < K.length; k++) K[k] = (K[k] as number) * shrink;
        stats = kernel.stats();
      } else {
        // the caller's own array (or a view of it): scale a copy, priced in JavaScript
        kernel = null; stats = null;
        C = C.map((c) => c * shrink);
      }
    }
    this.kernel = kernel;
    this.costStats = stats;
    this.C = kernel === null ? C : kernel.C;
    this.parent = new Int32Array(size); this.pred = new Int32Array(size); this.predDir = new Int8Array(size);
    this.thread = new Int32Array(size); this.revThread = new Int32Array(size);
    this.succNum = new Int32Array(size); this.lastSucc = new Int32Array(size);
    this.flow = new Float64Array(size); this.pi = this.kernel === null ? new Float64Array(size) : this.kernel.pi;
    this.supply = new Float64Array(size); this.dirty = new Int32Array(size);
    for (let i = 0; i < n; i++) this.supply[i] = a[i] as number;
    for (let j = 0; j < m; j++) this.supply[n + j] = -(b[j] as number);
    // pi_i is a sum along a tree path of at most n + m costs, so C + pi_i - pi_j carries a
    // rounding error below (n + m) eps max|C|: reduced costs above -4 (n + m) eps max|C| count as >= 0
    this.tolerance = 4 * (n + m) * 2.220446049250313e-16 * scale;
    this.piCol = this.pi.subarray(n, n + m);
    this.rowsPerBlock = Math.max(1, Math.round(Math.sqrt(n * m) / m));
    if (!((engine.auction ?? true) && auctionStart(this))) greedyStart(this);
  }

  /**
   * Pivots until no arc has negative reduced cost or maxIterations pivots were made. A search that
   * finds no negative arc in a quarter of the rows (on incrementally updated potentials) recomputes
   * the potentials from the tree and goes on over every row from there: a clean pass over all n
   * rows on exact potentials is the certificate (n + n / 4 rows at the end instead of 2 n).
   */
  run(maxIterations: number): number {
    let iterations = 0, certifying = false;
    const fresh = Math.max(1, Math.ceil(this.n / 4));
    while (iterations < maxIterations) {
      if (!this.findEnteringArc(certifying ? this.n : fresh)) {
        if (certifying) { this.optimal = true; break; }
        // exact potentials: drift in the incremental updates must not end the run early
        this.recomputePotentials();
        this.tolerance = Math.min(this.tolerance, this.treeTolerance());
        certifying = true;
        continue;
      }
      certifying = false;
      this.findJoinNode();
      this.findLeavingArc();
      this.changeFlow();
      this.updateTreeStructure();
      this.updatePotential();
      iterations++;
    }
    return iterations;
  }

  /**
   * Block search over at most `limit` rows (from nextRow, cyclically): the first block holding a
   * negative arc gives its most negative one; nextRow moves past the rows searched.
   */
  findEnteringArc(limit: number): boolean {
    const kernel = this.kernel;
    if (kernel !== null) {
      const arc = kernel.price(this.nextRow, this.rowsPerBlock, this.tolerance, limit);
      this.nextRow = kernel.next();
      if (arc < 0) return false;
      this.inArc = arc;
      return true;
    }
    const { C, pi, n, m, piCol } = this;
    let min = -this.tolerance, best = -1, count = 0, i = this.nextRow;
    for (let step = 0; step < limit; step++) {
      const o = i * m, pii = pi[i] as number;
      // the row's most negative reduced cost C_ij + pi_i - pi_j, two independent chains
      const lim = min - pii;
      let min0 = lim, min1 = lim, min2 = lim, min3 = lim, best0 = -1, best1 = -1, best2 = -1, best3 = -1, j = 0;
      for (; j + 3 < m; j += 4) {
        const c0 = (C[o + j] as number) - (piCol[j] as number);
        const c1 = (C[o + j + 1] as number) - (piCol[j + 1] as number);
        const c2 = (C[o + j + 2] as number) - (piCol[j + 2] as number);
        const c3 = (C[o + j + 3] as number) - (piCol[j + 3] as number);
        if (c0 < min0) { min0 = c0; best0 = j; }
        if (c1 < min1) { min1 = c1; best1 = j + 1; }
        if (c2 < min2) { min2 = c2; best2 = j + 2; }
        if (c3 < min3) { min3 = c3; best3 = j + 3; }
      }
      for (; j < m; j++) { const c0 = (C[o + j] as number) - (piCol[j] as number); if (c0 < min0) { min0 = c0; best0 = j; } }
      if (min1 < min0) { min0 = min1; best0 = best1; }
      if (min2 < min0) { min0 = min2; best0 = best2; }
      if (min3 < min0) { min0 = min3; best0 = best3; }
      if (best0 >= 0) { min = min0 + pii; best = o + best0; }
      i = i + 1 === n ? 0 : i + 1;
      if (++count === this.rowsPerBlock) {
        if (best >= 0) { this.nextRow = i; this.inArc = best; return true; }
        count = 0;
      }
    }
    this.nextRow = i;
    if (best < 0) return false;
    this.inArc = best;
    return true;
  }

  findJoinNode(): void {
    const i = Math.floor(this.inArc / this.m);
    let u = i, v = this.n + this.inArc - i * this.m;
    const { succNum, parent } = this;
    while (u !== v) {
      if ((succNum[u] as number) < (succNum[v] as number)) u = parent[u] as number;
      else v = parent[v] as number;
    }
    this.join = u;
  }

  /** Cunningham's rule: the last blocking arc on the cycle oriented along the entering arc. */
  findLeavingArc(): void {
    const { parent, predDir, flow, join } = this;
    const i = Math.floor(this.inArc / this.m);
    const first = i, second = this.n + this.inArc - i * this.m;
    let delta = Infinity, result = 0, uOut = -1;
    for (let u = first; u !== join; u = parent[u] as number) {
      if (predDir[u] === UP) {
        const d = flow[u] as number;
        if (d < delta) { delta = d; uOut = u; result = 1; }
      }
    }
    for (let u = second; u !== join; u = parent[u] as number) {
      if (predDir[u] === DOWN) {
        const d = flow[u] as number;
        if (d <= delta) { delta = d; uOut = u; result = 2; }
      }
    }
    // a cycle without blocking arc would be unbounded, impossible with costs bounded below
    // and the root's arcs all pointing to it
    this.delta = delta; this.uOut = uOut;
    if (result === 1) { this.uIn = first; this.vIn = second; } else { this.uIn = second; this.vIn = first; }
  }

  changeFlow(): void {
    const { parent, predDir, flow, join, delta } = this;
    if (!(delta > 0)) return;
    const i = Math.floor(this.inArc / this.m);
    for (let u = i; u !== join; u = parent[u] as number) flow[u] = (flow[u] as number) - (predDir[u] as number) * delta;
    for (let u = this.n + this.inArc - i * this.m; u !== join; u = parent[u] as number) {
      flow[u] = (flow[u] as number) + (predDir[u] as number) * delta;
    }
  }

  /** LEMON's tree update: re-hangs the subtree cut off by the leaving arc below the entering arc. */
  updateTreeStructure(): void {
    const { parent, pred, predDir, thread, revThread, succNum, lastSucc, flow, dirty } = this;
    const { uIn, vIn, uOut, join, inArc } = this;
    const oldRevThread = revThread[uOut] as number;
    const oldSuccNum = succNum[uOut] as number;
    const oldLastSucc = lastSucc[uOut] as number;
    const vOut = parent[uOut] as number;
    const inDir = uIn < this.n ? UP : DOWN;
    if (uIn === uOut) {
      parent[uIn] = vIn; pred[uIn] = inArc; predDir[uIn] = inDir; flow[uIn] = this.delta;
      if (thread[vIn] !== uOut) {
        let after = thread[oldLastSucc] as number;
        thread[oldRevThread] = after; revThread[after] = oldRevThread;
        after = thread[vIn] as number;
        thread[vIn] = uOut; revThread[uOut] = vIn;
        thread[oldLastSucc] = after; revThread[after] = oldLastSucc;
      }
    } else {
      const threadContinue = oldRevThread === vIn ? (thread[oldLastSucc] as number) : (thread[vIn] as number);
      let stem = uIn, parStem = vIn, last = lastSucc[uIn] as number, after = thread[last] as number;
      let dirtyCount = 0;
      thread[vIn] = uIn;
      dirty[dirtyCount++] = vIn;
      while (stem !== uOut) {
        const nextStem = parent[stem] as number;
        thread[last] = nextStem;
        dirty[dirtyCount++] = last;
        const before = revThread[stem] as number;
        thread[before] = after; revThread[after] = before;
        parent[stem] = parStem;
        parStem = stem;
        stem = nextStem;
        last = lastSucc[stem] === lastSucc[parStem] ? (revThread[parStem] as number) : (lastSucc[stem] as number);
        after = thread[last] as number;
      }
      parent[uOut] = parStem;
      thread[last] = threadContinue; revThread[threadContinue] = last;
      lastSucc[uOut] = last;
      if (oldRevThread !== vIn) { thread[oldRevThread] = after; revThread[after] = oldRevThread; }
      for (let k = 0; k < dirtyCount; k++) { const u = dirty[k] as number; revThread[thread[u] as number] = u; }
      let tmpSc = 0;
      const tmpLs = lastSucc[uOut] as number;
      for (let u = uOut, p = parent[u] as number; u !== uIn; u = p, p = parent[u] as number) {
        pred[u] = pred[p] as number;
        predDir[u] = -(predDir[p] as number);
        flow[u] = flow[p] as number;
        tmpSc += (succNum[u] as number) - (succNum[p] as number);
        succNum[u] = tmpSc;
        lastSucc[p] = tmpLs;
      }
      pred[uIn] = inArc; predDir[uIn] = inDir; flow[uIn] = this.delta;
      succNum[uIn] = oldSuccNum;
    }
    const upLimitOut = lastSucc[join] === vIn ? join : -1;
    const lastSuccOut = lastSucc[uOut] as number;
    for (let u = vIn; u !== -1 && lastSucc[u] === vIn; u = parent[u] as number) lastSucc[u] = lastSuccOut;
    if (join !== oldRevThread && vIn !== oldRevThread) {
      for (let u = vOut; u !== upLimitOut && lastSucc[u] === oldLastSucc; u = parent[u] as number) lastSucc[u] = oldRevThread;
    } else if (lastSuccOut !== oldLastSucc) {
      for (let u = vOut; u !== upLimitOut && lastSucc[u] === oldLastSucc; u = parent[u] as number) lastSucc[u] = lastSuccOut;
    }
    for (let u = vIn; u !== join; u = parent[u] as number) succNum[u] = (succNum[u] as number) + oldSuccNum;
    for (let u = vOut; u !== join; u = parent[u] as number) succNum[u] = (succNum[u] as number) - oldSuccNum;
  }

  /** Shifts the potentials of the re-hung subtree so that the entering arc has zero reduced cost. */
  updatePotential(): void {
    const { pi, thread, uIn, vIn } = this;
    const c = this.C[this.inArc] as number;
    const sigma = (pi[vIn] as number) - (pi[uIn] as number) - (this.predDir[uIn] as number) * c;
    const end = thread[this.lastSucc[uIn] as number] as number;
    for (let u = uIn; u !== end; u = thread[u] as number) pi[u] = (pi[u] as number) + sigma;
  }

  /**
   * The rounding bound of reduced costs on potentials just recomputed from the tree: 4 (n + m)
   * eps max |C_e| over the tree's real arcs. Each pi is a sum along a tree path of at most n + m
   * of those costs, so |pi_i - pi_j| <= (n + m) max |C_e|; an arc with C_ij above that has a
   * positive reduced cost whatever the rounding, and below it C_ij + pi_i - pi_j rounds within the
   * bound. Costs far above the tree's (an outlier the optimal plan avoids) no longer loosen the
   * certificate, as the global max |C| of the pivoting tolerance would.
   */
  treeTolerance(): number {
    const { pred, C, nodes } = this;
    let max = 0;
    for (let u = 0; u < nodes; u++) {
      const e = pred[u] as number;
      if (e >= 0) max = Math.max(max, Math.abs(C[e] as number));
    }
    return 4 * (this.n + this.m) * 2.220446049250313e-16 * max;
  }

  /** pi from the tree along the thread (preorder): tree arcs get zero reduced cost exactly. */
  recomputePotentials(): void {
    const { pi, thread, parent, pred, predDir, root, C, artificial } = this;
    pi[root] = 0;
    for (let u = thread[root] as number; u !== root; u = thread[u] as number) {
      const e = pred[u] as number, p = pi[parent[u] as number] as number;
      // arc u -> parent (UP): C + pi_u - pi_p = 0; parent -> u (DOWN): C + pi_p - pi_u = 0
      pi[u] = e < 0 ? (artificial === null ? p : p + (artificial[u] as number))
        : predDir[u] === UP ? p - (C[e] as number) : p + (C[e] as number);
    }
  }

  /** Tree flows from the supplies, children before parents (reverse preorder). */
  recomputeFlows(): void {
    const { flow, supply, revThread, parent, predDir, root } = this;
    const net = Float64Array.from(supply);
    for (let u = revThread[root] as number; u !== root; u = revThread[u] as number) {
      const s = net[u] as number;
      flow[u] = predDir[u] === UP ? s : -s;
      const p = parent[u] as number;
      net[p] = (net[p] as number) + s;
    }
  }
}

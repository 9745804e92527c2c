import type { SimplexState } from "./network-simplex.js";
import { DOWN, UP, isPermutationStart } from "./network-simplex-start.js";

/**
 * The network simplex's start for assignment-shaped problems (n = m, every supply equal to
 * every demand): an ε-scaling Gauss–Seidel auction (Bertsekas 1988; min-cost form: row i bids for
 * j1 = argmin_j (c_ij - v_j), lowering v_j1 by the margin to the second best plus ε) on float32
 * copies of the costs, shifted and scaled to [0, 1], in WebAssembly SIMD (simplex-f64.wat, two
 * free rows scanned at once on the same prices). It ends with a permutation x and prices v in ε-complementary slackness: c_ix_i - v_x_i <= min_j
 * (c_ij - v_j) + ε. The tree is that permutation hung from the root, each row by an artificial
 * zero-flow arc whose potential makes the tree's potentials the auction's duals
 * (v_j = price / scale, u_i = C_ix_i - v_x_i), so every arc starts with a reduced cost above
 * about -ε and the simplex needs few pivots (8 Gaussians -> moons: 194 / 481 / 1394 pivots at
 * n = 256 / 512 / 1024 against 934 / 2416 / 7908 from the greedy start with 2-opt, means of five
 * batches). Only the start
 * changes: the simplex prices every arc in float64 and certifies optimality on exact potentials
 * as before.
 *
 * Returns false (nothing changed) where it does not apply: no WebAssembly SIMD, n < 16,
 * unequal supplies, all costs equal, or the auction ran past its bid limit (then the greedy
 * start runs).
 * @internal
 */
export function auctionStart(s: SimplexState): boolean {
  const kernel = s.kernel;
  const n = s.n;
  if (kernel === null || kernel.auction === null || s.costStats === null || n < AUCTION_MIN_SIZE || !isPermutationStart(s)) return false;
  const { max, min, sum } = s.costStats;
  const range = max - min, spread = sum / (n * n) - min;
  // all costs equal, or a range or sum past the float64 range: the greedy start
  if (!(range > 0) || !(spread > 0) || !Number.isFinite(range) || !Number.isFinite(spread)) return false;
  const A = kernel.auction;
  const scale = 1 / range;
  A.demote(min, scale);
  A.v.fill(0);
  // ε in units of the scaled costs (range 1): from START_EPS down by FACTOR at most per phase to FINAL_EPS
  // of the mean scaled cost, never below MIN_EPS (prices stay within a few units of 0, where a
  // float32 step of MIN_EPS is tens of ulps, so every bid moves a price; the bid limit ends the
  // auction otherwise)
  const finalEps = Math.max(FINAL_EPS * spread * scale, MIN_EPS);
  // equal steps of at most FACTOR: a last phase of a small step would cost a full round of bids
  const startEps = Math.max(START_EPS, finalEps);
  const phases = 1 + Math.ceil(Math.log(startEps / finalEps) / Math.log(FACTOR) - 1e-9);
  const step = phases > 1 ? (startEps / finalEps) ** (1 / (phases - 1)) : 1;
  let budget = MAX_BIDS_PER_ROW * n;
  for (let p = 0; p < phases; p++) {
    const eps = p === phases - 1 ? finalEps : startEps / step ** p;
    A.x.fill(-1); A.y.fill(-1);
    for (let i = 0; i < n; i++) A.stack[i] = n - 1 - i;
    const bids = A.phase(n, eps, budget);
    if (bids < 0) return false;
    budget -= bids;
  }
  hangPermutation(s, A.x, A.v, scale);
  return true;
}

/** Smallest n for the auction start (below it the greedy start and 2-opt are cheaper). */
const AUCTION_MIN_SIZE = 16;
/**
 * First ε, as a fraction of the cost range; ε shrinks in equal steps of at most FACTOR per phase
 * down to FINAL_EPS of the mean cost above the least. Chosen by the total solve time (auction and
 * pivots) over 8 Gaussians -> moons, N(0, I) -> moons, N(0, I) -> N(0, I), circles ->
 * checkerboard and N(0, I_8) -> N(0, I_8) at n = 256 and 1024: START_EPS in {0.02, 0.05, 0.1},
 * FACTOR in {4, 6, 8, 10}, FINAL_EPS in {3e-5, 1e-4, 3e-4}; the best settings lie within 5% of
 * each other, and FINAL_EPS = 1e-4 takes a quarter fewer pivots than 3e-4.
 */
const START_EPS = 0.05;
/** Largest reduction of ε per phase. */
const FACTOR = 8;
/** Last ε, as a fraction of the mean cost above the least. */
const FINAL_EPS = 1e-4;
/** Least ε in scaled units. */
const MIN_EPS = 1e-5;
/** Bid limit of the whole auction, per row (measured: 20-35 on geometric minibatches). */
const MAX_BIDS_PER_ROW = 400;

/**
 * The tree of the permutation x with the auction's duals: row r under the root by an artificial
 * arc (zero flow, potential -u_r), its column under it by the arc r -> x_r with the row's supply.
 */
function hangPermutation(s: SimplexState, x: Int32Array, price: Float32Array, scale: number): void {
  const { n, C, m, root, parent, pred, predDir, thread, revThread, succNum, lastSucc, flow, pi, supply } = s;
  const artificial = new Float64Array(n + m + 1);
  parent[root] = -1; pred[root] = -2; predDir[root] = 0; pi[root] = 0; flow[root] = 0;
  let prev = root;
  for (let r = 0; r < n; r++) {
    const j = x[r] as number, col = n + j, arc = r * m + j;
    const c = C[arc] as number;
    // u_r = C_rj - v_j with v_j = price_j / scale: the row's potential is -u_r
    const piRow = (price[j] as number) / scale - c;
    artificial[r] = piRow;
    parent[r] = root; pred[r] = -1; predDir[r] = UP; flow[r] = 0; pi[r] = piRow;
    parent[col] = r; pred[col] = arc; predDir[col] = DOWN; flow[col] = supply[r] as number; pi[col] = piRow + c;
    thread[prev] = r; revThread[r] = prev; thread[r] = col; revThread[col] = r; prev = col;
    succNum[r] = 2; lastSucc[r] = col; succNum[col] = 1; lastSucc[col] = col;
  }
  thread[prev] = root; revThread[root] = prev;
  succNum[root] = 2 * n + 1; lastSucc[root] = prev;
  s.artificial = artificial;
}

import { SIMPLEX_F64 } from "./wasm/modules.js";
import { compileModule, ensureBytes, instantiate } from "./wasm/load.js";

interface SimplexKernel {
  memory: WebAssembly.Memory;
  price: (c: number, pi: number, n: number, m: number, start: number, block: number, tol: number, next: number, limit: number) => number;
  phase: (cost: number, v: number, x: number, y: number, stack: number, top: number, n: number, eps: number, maxBids: number) => number;
  stats: (src: number, count: number, out: number) => void;
  demote: (src: number, dst: number, count: number, shift: number, scale: number) => void;
  cost2: (x: number, y0: number, n: number, m: number, c: number, out: number) => number;
}

/**
 * The network simplex's costs and node potentials in WebAssembly memory, with the SIMD block
 * search of simplex-f64.wat over them (internal). `C` and `pi` are views of that memory: the
 * simplex reads and writes them as plain arrays, and `price` scans the rows as the scalar
 * pricing does (same comparisons in the same order, so the same arc).
 */
export interface SimplexMemory {
  /** The [n, m] costs, row-major. */
  C: Float64Array;
  /** The n + m + 1 node potentials (rows, columns, root), zeroed. */
  pi: Float64Array;
  /**
   * Block search from row `start` over at most `limit` rows, `block` rows per block, arcs with
   * reduced cost above -tol counting as non-negative: the entering arc i m + j, or -1 when no arc
   * of those rows is negative. `next()` is then the row after the block that gave it, or after the
   * `limit` rows.
   */
  price(start: number, block: number, tol: number, limit: number): number;
  next(): number;
  /**
   * max C_ij, min C_ij and sum C_ij (the sum in two interleaved halves). The first call on costs
   * from {@link squaredDistances2} (even m) returns what that pass computed, the same bits.
   */
  stats(): { max: number; min: number; sum: number };
  /** The auction's state for square problems (n = m), else null. */
  auction: AuctionMemory | null;
}

/**
 * Float32 costs, prices and assignment of the Gauss–Seidel auction of simplex-f64.wat (internal).
 */
export interface AuctionMemory {
  /** Column prices v_j (row i bids for argmin_j cost_ij - v_j). */
  v: Float32Array;
  /** Row -> column, -1 when free. */
  x: Int32Array;
  /** Column -> row, -1 when free. */
  y: Int32Array;
  /** The free rows, as a stack: `phase` starts from the first `top`. */
  stack: Int32Array;
  /** cost_ij = float32((C_ij - shift) scale). */
  demote(shift: number, scale: number): void;
  /**
   * Bids until no row is free: row i (popped from the stack) takes the column j1 of least
   * cost_ij - v_j, whose price drops by the margin to the second least plus eps; the row it
   * displaces is pushed. Returns the bids, or -1 when `maxBids` were made first.
   */
  phase(top: number, eps: number, maxBids: number): number;
}

/** The compiled module, or null without WebAssembly SIMD (internal). */
const simplexModule = compileModule(SIMPLEX_F64);

/** Largest memory kept between solves (bytes): n = m = 2048 and below reuse one instance. */
const KEEP_BYTES = 2 ** 26;
/** Largest memory of one solve (bytes); larger problems price in JavaScript. */
const MAX_BYTES = 2 ** 30;

let kept: SimplexKernel | null = null;

/**
 * The view {@link squaredDistances2} last returned and its stats (from the same pass, for even m),
 * which {@link simplexMemory} then need not recompute.
 */
let fused: { C: Float64Array; stats: { max: number; min: number; sum: number } } | null = null;

/** Byte offsets of one solve's arrays in a kernel's memory (internal). */
interface Layout { c: number; pi: number; f32: number; v: number; x: number; y: number; stack: number; points: number; bytes: number }

/** Every array starts on a 16-byte boundary. */
function layout(n: number, m: number): Layout {
  const square = n === m, up = (b: number): number => Math.ceil(b / 16) * 16;
  const c = 32, pi = up(c + 8 * n * m), f32 = up(pi + 8 * (n + m + 1));
  const v = up(f32 + (square ? 4 * n * n : 0)), x = up(v + (square ? 4 * n : 0)), y = up(x + (square ? 4 * n : 0));
  const stack = up(y + (square ? 4 * n : 0)), points = up(stack + (square ? 4 * n : 0));
  return { c, pi, f32, v, x, y, stack, points, bytes: points + 16 * (n + m) };
}

/**
 * Memory for a simplex of n rows and m columns with `C` copied in (and the auction's float32
 * state when n = m), or null where WebAssembly SIMD is missing or the problem passes 1 GiB
 * (internal). One instance is reused while its memory stays below 64 MiB; the views are valid
 * until the next call. A `C` that is already that instance's cost region (from
 * {@link squaredDistances2}) is used in place.
 */
export function simplexMemory(C: Float64Array, n: number, m: number): SimplexMemory | null {
  if (simplexModule === null) return null;
  const L = layout(n, m), square = n === m;
  if (L.bytes > MAX_BYTES) return null;
  let kernel: SimplexKernel;
  if (L.bytes <= KEEP_BYTES) {
    kept ??= instantiate<SimplexKernel>(simplexModule);
    kernel = kept;
  } else {
    kernel = instantiate<SimplexKernel>(simplexModule);
  }
  ensureBytes(kernel.memory, L.bytes);
  const buffer = kernel.memory.buffer;
  const costs = new Float64Array(buffer, L.c, n * m);
  const inPlace = C.buffer === buffer && C.byteOffset === L.c && C.length === n * m;
  if (!inPlace) costs.set(C);
  // the fused pass's stats serve the first stats() call only (the caller may rescale C after it)
  let known = inPlace && fused !== null && fused.C === C ? fused.stats : null;
  fused = null;
  const pi = new Float64Array(buffer, L.pi, n + m + 1).fill(0);
  const word = new Int32Array(buffer, 0, 1), out = new Float64Array(buffer, 8, 3);
  const { price, phase, stats, demote } = kernel;
  const auction: AuctionMemory | null = square ? {
    v: new Float32Array(buffer, L.v, n), x: new Int32Array(buffer, L.x, n),
    y: new Int32Array(buffer, L.y, n), stack: new Int32Array(buffer, L.stack, n),
    demote: (shift, scale) => demote(L.c, L.f32, n * n, shift, scale),
    phase: (top, eps, maxBids) => phase(L.f32, L.v, L.x, L.y, L.stack, top, n, eps, maxBids),
  } : null;
  return {
    C: costs, pi, auction,
    price: (start, block, tol, limit) => price(L.c, L.pi, n, m, start, block, tol, 0, limit),
    next: () => word[0] as number,
    stats: () => {
      if (known !== null) {
        const k = known;
        known = null;
        return k;
      }
      stats(L.c, n * m, 8);
      return { max: out[0] as number, min: out[1] as number, sum: out[2] as number };
    },
  };
}

/**
 * The squared distances C_ij = (x_i0 - y_j0)^2 + (x_i1 - y_j1)^2 of 2-D points (the sums and
 * order of pairwiseCost's 2-D loop, so the same bits), computed on WebAssembly SIMD straight into
 * the cost region that {@link simplexMemory} then uses in place (internal). Null where the kernel is
 * missing or the problem is past the reused instance's 64 MiB. The view is valid until the next
 * call into this module; an entry is +Infinity where a distance overflowed (`overflow`).
 */
export function squaredDistances2(xs: Float64Array, ys: Float64Array, n: number, m: number): { C: Float64Array; overflow: boolean } | null {
  if (simplexModule === null) return null;
  const L = layout(n, m);
  if (L.bytes > KEEP_BYTES) return null;
  kept ??= instantiate<SimplexKernel>(simplexModule);
  ensureBytes(kept.memory, L.bytes);
  const buffer = kept.memory.buffer;
  new Float64Array(buffer, L.points, 2 * n).set(xs.subarray(0, 2 * n));
  const y = new Float64Array(buffer, L.points + 16 * n, 2 * m);
  for (let j = 0; j < m; j++) { y[j] = ys[2 * j] as number; y[m + j] = ys[2 * j + 1] as number; }
  const max = kept.cost2(L.points, L.points + 16 * n, n, m, L.c, 8);
  const C = new Float64Array(buffer, L.c, n * m);
  const out = new Float64Array(buffer, 8, 3);
  // for even m the pass summed C in stats' order: the same bits, kept for the solve that uses C in place
  fused = m % 2 === 0 ? { C, stats: { max: out[0] as number, min: out[1] as number, sum: out[2] as number } } : null;
  return { C, overflow: !(max < Infinity) };
}

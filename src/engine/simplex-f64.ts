import { SIMPLEX_F64 } from "./wasm/modules.js";
import { compileModule, ensureBytes, instantiate } from "./wasm/load.js";

interface SimplexKernel {
  memory: WebAssembly.Memory;
  price: (c: number, pi: number, n: number, m: number, start: number, block: number, tol: number, next: number) => number;
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
   * Block search from row `start`, `block` rows per block, arcs with reduced cost above -tol
   * count as non-negative: the entering arc i m + j, or -1 when no arc is negative.
   * `next()` is then the row after the block that gave it (`start` after a full scan).
   */
  price(start: number, block: number, tol: number): number;
  next(): number;
}

/** The compiled module, or null without WebAssembly SIMD (internal). */
const simplexModule = compileModule(SIMPLEX_F64);

/** Largest memory kept between solves (bytes): n = m = 2048 and below reuse one instance. */
const KEEP_BYTES = 2 ** 26;
/** Largest memory of one solve (bytes); larger problems price in JavaScript. */
const MAX_BYTES = 2 ** 30;

let kept: SimplexKernel | null = null;

/**
 * Memory for a simplex of n rows and m columns with `C` copied in, or null where WebAssembly
 * SIMD is missing or the problem passes 1 GiB (internal). One instance is reused while its memory
 * stays below 64 MiB; the views are valid until the next call.
 */
export function simplexMemory(C: Float64Array, n: number, m: number): SimplexMemory | null {
  if (simplexModule === null) return null;
  const cOffset = 16, piOffset = cOffset + 8 * n * m, bytes = piOffset + 8 * (n + m + 1);
  if (bytes > MAX_BYTES) return null;
  let kernel: SimplexKernel;
  if (bytes <= KEEP_BYTES) {
    kept ??= instantiate<SimplexKernel>(simplexModule);
    kernel = kept;
  } else {
    kernel = instantiate<SimplexKernel>(simplexModule);
  }
  ensureBytes(kernel.memory, bytes);
  const buffer = kernel.memory.buffer;
  const costs = new Float64Array(buffer, cOffset, n * m);
  costs.set(C);
  const pi = new Float64Array(buffer, piOffset, n + m + 1).fill(0);
  const word = new Int32Array(buffer, 0, 1);
  const price = kernel.price;
  return {
    C: costs, pi,
    price: (start, block, tol) => {
      word[0] = start;
      return price(cOffset, piOffset, n, m, start, block, tol, 0);
    },
    next: () => word[0] as number,
  };
}

import { GEMM_F64 } from "../engine/wasm/modules.js";
import { instantiateBase64 } from "../engine/wasm/load.js";
import { gemmWith, type GemmExports } from "../engine/mlp-chunks.js";

/**
 * WebAssembly SIMD (f64x2) dense kernel C = op(A) op(B) (+ bias or + C), float64, with
 * op(A) = A or A^T read in place by strides, so backward needs no transposes. The module
 * (~760 bytes, source in src/engine/wasm/gemm-f64.wat, compiled by scripts/build-wasm.mjs) computes 4 x 4
 * tiles, broadcasting entries of A against rows of B; operands are copied into its memory
 * with rows of A and columns of B padded to multiples of 4, B packed by groups of 4 columns
 * (so a tile streams contiguous memory). Null where WebAssembly SIMD is
 * missing; then the scalar kernels of matmul.ts run. The packing and unpacking around the
 * kernel is the engine's `gemmWith`, the same code its worker threads run.
 *
 * @internal
 */

const kernel = instantiateBase64<GemmExports>(GEMM_F64);

/**
 * C [m, p] = op(A) op(B) (+ bias per column) (+ C when `accumulate`): op(A) is [m, k], stored
 * [m, k] (aT false) or [k, m] (aT true); op(B) is [k, p], stored [k, p] (bT false) or [p, k]
 * (bT true). All row-major float64. With \`scale\` ([m, p]) the result is multiplied entrywise
 * by it on the way out (backward's delta W times f'(z)).
 *
 * @internal
 */
export const simdGemm = kernel === null ? null : (
  a: Float64Array, aT: boolean, b: Float64Array, bT: boolean, c: Float64Array,
  m: number, k: number, p: number, bias: Float64Array | null, accumulate: boolean,
  scale: Float64Array | null = null,
): void => gemmWith(kernel, a, aT, b, bT, c, m, k, p, bias, accumulate, scale);

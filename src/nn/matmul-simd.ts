import { simdGemm } from "./gemm-simd.js";

/**
 * C = A B^T (+ bias per column) (+ C when `accumulate`) by the SIMD module of gemm-simd.ts;
 * same contract as the scalar `matmulNT`. Null where WebAssembly SIMD is missing.
 *
 * @internal
 */
export const simdMatmul = simdGemm === null ? null : (
  a: Float64Array, b: Float64Array, c: Float64Array,
  m: number, k: number, p: number,
  bias: Float64Array | null, accumulate: boolean,
): void => simdGemm!(a, false, b, true, c, m, k, p, bias, accumulate);

import { GEMM_F64 } from "../engine/wasm/modules.js";
import { instantiateBase64 } from "../engine/wasm/load.js";

/**
 * WebAssembly SIMD (f64x2) dense kernel C = op(A) op(B) (+ bias or + C), float64, with
 * op(A) = A or A^T read in place by strides, so backward needs no transposes. The module
 * (~760 bytes, source in src/engine/wasm/gemm-f64.wat, compiled by scripts/build-wasm.mjs) computes 4 x 4
 * tiles, broadcasting entries of A against rows of B; operands are copied into its memory
 * with rows of A and columns of B padded to multiples of 4. Null where WebAssembly SIMD is
 * missing; then the scalar kernels of matmul.ts run.
 *
 * @internal
 */

interface GemmKernel {
  memory: WebAssembly.Memory;
  gemm: (a: number, rs: number, cs: number, b: number, c: number, m: number, k: number, p: number, init: number, bias: number, scale: number) => void;
}

const kernel = instantiateBase64<GemmKernel>(GEMM_F64);
let view = kernel === null ? new Float64Array(0) : new Float64Array(kernel.memory.buffer);

function ensureDoubles(count: number): Float64Array {
  const k = kernel as GemmKernel;
  if (view.length < count) {
    k.memory.grow(Math.ceil((count * 8 - k.memory.buffer.byteLength) / 65536));
    view = new Float64Array(k.memory.buffer);
  }
  return view;
}

/** Copies the row-major [rows, cols] matrix src into mem at offset as [paddedRows, paddedCols], zero padded. */
function pack(mem: Float64Array, offset: number, src: Float64Array, rows: number, cols: number, paddedRows: number, paddedCols: number): void {
  if (paddedCols === cols) mem.set(src.subarray(0, rows * cols), offset);
  else {
    // narrow rows (the 2- and 3-column inputs and outputs): element loops, no subarray views
    for (let r = 0; r < rows; r++) {
      const at = offset + r * paddedCols, from = r * cols;
      for (let j = 0; j < cols; j++) mem[at + j] = src[from + j] as number;
      for (let j = cols; j < paddedCols; j++) mem[at + j] = 0;
    }
  }
  mem.fill(0, offset + rows * paddedCols, offset + paddedRows * paddedCols);
}

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
): void => {
  const m4 = (m + 3) & ~3, p4 = (p + 3) & ~3;
  const aOff = 0, bOff = aOff + m4 * k, cOff = bOff + k * p4, biasOff = cOff + m4 * p4;
  const scaleOff = biasOff + p4;
  const mem = ensureDoubles(scaleOff + (scale === null ? 0 : m4 * p4));
  if (aT) pack(mem, aOff, a, k, m, k, m4);
  else pack(mem, aOff, a, m, k, m4, k);
  if (bT) {
    for (let i = 0; i < k; i++) {
      const at = bOff + i * p4;
      for (let o = 0; o < p; o++) mem[at + o] = b[o * k + i] as number;
      for (let o = p; o < p4; o++) mem[at + o] = 0;
    }
  } else pack(mem, bOff, b, k, p, k, p4);
  if (accumulate) pack(mem, cOff, c, m, p, m4, p4);
  if (bias === null || accumulate) mem.fill(0, biasOff, biasOff + p4);
  else { mem.set(bias.subarray(0, p), biasOff); mem.fill(0, biasOff + p, biasOff + p4); }
  const scaled = scale !== null && !(accumulate && bias !== null);
  if (scaled) pack(mem, scaleOff, scale, m, p, m4, p4);
  (kernel as GemmKernel).gemm(aOff * 8, aT ? 8 : 8 * k, aT ? 8 * m4 : 8, bOff * 8, cOff * 8, m4, k, p4, (accumulate ? 1 : 0) | (scaled ? 2 : 0), biasOff * 8, scaleOff * 8);
  if (accumulate && bias !== null) {
    for (let r = 0; r < m; r++) {
      const src = cOff + r * p4, dst = r * p;
      for (let o = 0; o < p; o++) c[dst + o] = (mem[src + o] as number) + (bias[o] as number);
    }
    return;
  }
  if (p4 === p) { c.set(mem.subarray(cOff, cOff + m * p)); return; }
  for (let r = 0; r < m; r++) {
    const src = cOff + r * p4, dst = r * p;
    for (let o = 0; o < p; o++) c[dst + o] = mem[src + o] as number;
  }
};

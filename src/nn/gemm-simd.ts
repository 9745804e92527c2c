/**
 * WebAssembly SIMD (f64x2) dense kernel C = op(A) op(B) (+ bias or + C), float64, with
 * op(A) = A or A^T read in place by strides, so backward needs no transposes. The module
 * (613 bytes, source in gemm-f64.wat beside this file, assembled with wabt) computes 4 x 4
 * tiles, broadcasting entries of A against rows of B; operands are copied into its memory
 * with rows of A and columns of B padded to multiples of 4. Null where WebAssembly SIMD is
 * missing; then the scalar kernels of matmul.ts run.
 *
 * @internal
 */
const MODULE_BASE64 = "AGFzbQEAAAABDgFgCn9/f39/f39/f38AAwIBAAUDAQABBxECBm1lbW9yeQIABGdlbW0AAAquBAGrBAILfwt7IAdBA3QhEiABQQF0IRMgEyABaiEUQQAhCgJAA0AgCiAFTw0BIAAgCiABbGohDSAEIAogEmxqIQ5BACELAkADQCALIBJPDQEgCEUEQCAJIAtq/QAEACEYIAkgC2r9AAQQIRkgGCEaIBkhGyAYIRwgGSEdIBghHiAZIR8FIA4gC2ohDCAM/QAEACEYIAz9AAQQIRkgDCASaiEMIAz9AAQAIRogDP0ABBAhGyAMIBJqIQwgDP0ABAAhHCAM/QAEECEdIAwgEmohDCAM/QAEACEeIAz9AAQQIR8LIAMgC2ohDyANIRAgDSAGIAJsaiERAkADQCAQIBFPDQEgD/0ABAAhFSAP/QAEECEWIBD9CgMAIRcgGCAXIBX98gH98AEhGCAZIBcgFv3yAf3wASEZIBAgAWr9CgMAIRcgGiAXIBX98gH98AEhGiAbIBcgFv3yAf3wASEbIBAgE2r9CgMAIRcgHCAXIBX98gH98AEhHCAdIBcgFv3yAf3wASEdIBAgFGr9CgMAIRcgHiAXIBX98gH98AEhHiAfIBcgFv3yAf3wASEfIBAgAmohECAPIBJqIQ8MAAsLIA4gC2ohDCAMIBj9CwQAIAwgGf0LBBAgDCASaiEMIAwgGv0LBAAgDCAb/QsEECAMIBJqIQwgDCAc/QsEACAMIB39CwQQIAwgEmohDCAMIB79CwQAIAwgH/0LBBAgC0EgaiELDAALCyAKQQRqIQoMAAsLCw==";

interface GemmKernel {
  memory: WebAssembly.Memory;
  gemm: (a: number, rs: number, cs: number, b: number, c: number, m: number, k: number, p: number, init: number, bias: number) => void;
}

function instantiate(): GemmKernel | null {
  try {
    if (typeof WebAssembly !== "object" || typeof atob !== "function") return null;
    const binary = atob(MODULE_BASE64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as GemmKernel;
  } catch {
    return null;
  }
}

const kernel = instantiate();
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
    for (let r = 0; r < rows; r++) {
      const at = offset + r * paddedCols;
      mem.set(src.subarray(r * cols, (r + 1) * cols), at);
      mem.fill(0, at + cols, at + paddedCols);
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
  const mem = ensureDoubles(biasOff + p4);
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
  if (bias === null) mem.fill(0, biasOff, biasOff + p4);
  else { mem.set(bias.subarray(0, p), biasOff); mem.fill(0, biasOff + p, biasOff + p4); }
  let add = 0;
  if (accumulate && bias !== null) add = 1;
  (kernel as GemmKernel).gemm(aOff * 8, aT ? 8 : 8 * k, aT ? 8 * m4 : 8, bOff * 8, cOff * 8, m4, k, p4, accumulate ? 1 : 0, biasOff * 8);
  if (scale !== null && add === 0) {
    for (let r = 0; r < m; r++) {
      const src = cOff + r * p4, dst = r * p;
      for (let o = 0; o < p; o++) c[dst + o] = (mem[src + o] as number) * (scale[dst + o] as number);
    }
    return;
  }
  if (p4 === p && add === 0) { c.set(mem.subarray(cOff, cOff + m * p)); return; }
  for (let r = 0; r < m; r++) {
    const src = cOff + r * p4, dst = r * p;
    if (add === 0) for (let o = 0; o < p; o++) c[dst + o] = mem[src + o] as number;
    else for (let o = 0; o < p; o++) c[dst + o] = (mem[src + o] as number) + (bias as Float64Array)[o]!;
  }
};

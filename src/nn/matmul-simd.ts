/**
 * WebAssembly SIMD (f64x2) version of the dense kernel C = A B^T, still float64. The
 * module (697 bytes, source in matmul-simd.wat beside this file, assembled with wabt's
 * wat2wasm) computes 2 x 4 tiles with two doubles per instruction; operands are copied
 * into its memory padded to an even k, rows to a multiple of 2 and B rows to a multiple
 * of 4, so the module has no remainder loops. Where WebAssembly SIMD is missing,
 * {@link simdMatmul} is null and the scalar kernel runs.
 *
 * @internal
 */
const MODULE_BASE64 = "AGFzbQEAAAABCgFgBn9/f39/fwADAgEABQMBAAEHDwIGbWVtb3J5AgACbW0AAAqIBQGFBQILfwt7IARBA3QhCUEAIQYCQANAIAYgA08NASAAIAYgCWxqIQogCiAJaiELQQAhBwJAA0AgByAFTw0BIAEgByAJbGohDCAMIAlqIQ0gDSAJaiEOIA4gCWohD/0MAAAAAAAAAAAAAAAAAAAAACEU/QwAAAAAAAAAAAAAAAAAAAAAIRX9DAAAAAAAAAAAAAAAAAAAAAAhFv0MAAAAAAAAAAAAAAAAAAAAACEX/QwAAAAAAAAAAAAAAAAAAAAAIRj9DAAAAAAAAAAAAAAAAAAAAAAhGf0MAAAAAAAAAAAAAAAAAAAAACEa/QwAAAAAAAAAAAAAAAAAAAAAIRtBACEIAkADQCAIIAlPDQEgCiAIav0ABAAhESALIAhq/QAEACESIAwgCGr9AAQAIRMgFCARIBP98gH98AEhFCAYIBIgE/3yAf3wASEYIA0gCGr9AAQAIRMgFSARIBP98gH98AEhFSAZIBIgE/3yAf3wASEZIA4gCGr9AAQAIRMgFiARIBP98gH98AEhFiAaIBIgE/3yAf3wASEaIA8gCGr9AAQAIRMgFyARIBP98gH98AEhFyAbIBIgE/3yAf3wASEbIAhBEGohCAwACwsgAiAGIAVsIAdqQQN0aiEQIBAgFP0hACAU/SEBoDkDACAQIBX9IQAgFf0hAaA5AwggECAW/SEAIBb9IQGgOQMQIBAgF/0hACAX/SEBoDkDGCAQIAVBA3RqIBj9IQAgGP0hAaA5AwAgECAFQQN0aiAZ/SEAIBn9IQGgOQMIIBAgBUEDdGogGv0hACAa/SEBoDkDECAQIAVBA3RqIBv9IQAgG/0hAaA5AxggB0EEaiEHDAALCyAGQQJqIQYMAAsLCw==";

interface SimdKernel {
  memory: WebAssembly.Memory;
  mm: (a: number, b: number, c: number, m: number, k: number, p: number) => void;
}

function instantiate(): SimdKernel | null {
  try {
    if (typeof WebAssembly !== "object" || typeof atob !== "function") return null;
    const binary = atob(MODULE_BASE64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const exports = instance.exports as unknown as SimdKernel;
    return { memory: exports.memory, mm: exports.mm };
  } catch {
    return null;
  }
}

const kernel = instantiate();
let view = kernel === null ? new Float64Array(0) : new Float64Array(kernel.memory.buffer);

function ensureDoubles(count: number): Float64Array {
  const k = kernel as SimdKernel;
  if (view.length < count) {
    const pages = Math.ceil((count * 8 - k.memory.buffer.byteLength) / 65536);
    k.memory.grow(pages);
    view = new Float64Array(k.memory.buffer);
  }
  return view;
}

/** Copies a [rows, cols] matrix into `mem` at `offset` as [paddedRows, paddedCols] with zero padding. */
function pack(mem: Float64Array, offset: number, src: Float64Array, rows: number, cols: number, paddedRows: number, paddedCols: number): void {
  if (paddedCols === cols) mem.set(src.subarray(0, rows * cols), offset);
  else {
    for (let r = 0; r < rows; r++) {
      const at = offset + r * paddedCols;
      mem.set(src.subarray(r * cols, (r + 1) * cols), at);
      for (let c = cols; c < paddedCols; c++) mem[at + c] = 0;
    }
  }
  mem.fill(0, offset + rows * paddedCols, offset + paddedRows * paddedCols);
}

/**
 * C = A B^T (+ bias per column) (+ C when `accumulate`) by the SIMD module; same contract
 * as the scalar `matmulNT`.
 *
 * @internal
 */
export const simdMatmul = kernel === null ? null : (
  a: Float64Array, b: Float64Array, c: Float64Array,
  m: number, k: number, p: number,
  bias: Float64Array | null, accumulate: boolean,
): void => {
  const kp = k + (k & 1);
  const mp = m + (m & 1);
  const pp = (p + 3) & ~3;
  const aOff = 0, bOff = mp * kp, cOff = bOff + pp * kp;
  const mem = ensureDoubles(cOff + mp * pp);
  pack(mem, aOff, a, m, k, mp, kp);
  pack(mem, bOff, b, p, k, pp, kp);
  (kernel as SimdKernel).mm(aOff * 8, bOff * 8, cOff * 8, mp, kp, pp);
  for (let r = 0; r < m; r++) {
    const src = cOff + r * pp, dst = r * p;
    if (bias === null && !accumulate) {
      for (let o = 0; o < p; o++) c[dst + o] = mem[src + o] as number;
    } else {
      for (let o = 0; o < p; o++) {
        let s = mem[src + o] as number;
        if (bias !== null) s += bias[o] as number;
        if (accumulate) s += c[dst + o] as number;
        c[dst + o] = s;
      }
    }
  }
};

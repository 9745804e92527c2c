import { simdGemm } from "./gemm-simd.js";

/**
 * Dense float64 kernels of the MLP. One kernel does the work: C = A B^T (+ bias or + C),
 * with A of shape [m, k] and B of shape [p, k], both row-major, so every inner loop is a
 * dot product of two contiguous rows. The kernel works on 2 x 4 register tiles (8
 * accumulators and 6 loads per step fit in the 16 float registers of x64 and arm64,
 * so V8 keeps them out of memory); remainders fall back to narrower tiles. Larger
 * products go to the WebAssembly SIMD kernel of gemm-simd.ts when the platform has it.
 *
 * @internal
 */
export function matmulNT(
  a: Float64Array, b: Float64Array, c: Float64Array,
  m: number, k: number, p: number,
  bias: Float64Array | null, accumulate: boolean,
): void {
  if (simdGemm !== null && useSimd && m * k * p >= SIMD_THRESHOLD) simdGemm(a, false, b, true, c, m, k, p, bias, accumulate);
  else matmulScalar(a, b, c, m, k, p, bias, accumulate);
}

/** Products smaller than this many multiply-adds stay in JavaScript (the copies and padding would dominate). */
const SIMD_THRESHOLD = 4096;
let useSimd = true;

/**
 * Switches the WebAssembly SIMD kernel on or off (tests compare both); returns whether
 * it is available.
 *
 * @internal
 */
export function setSimd(enabled: boolean): boolean {
  useSimd = enabled;
  return simdGemm !== null;
}

/**
 * Whether the WebAssembly SIMD kernels are switched on (see {@link setSimd}).
 *
 * @internal
 */
export function simdEnabled(): boolean {
  return useSimd;
}

/**
 * C [m, p] = (A B) * S entrywise with A [m, k], B [k, p] and S [m, p] row-major: the
 * backward product (delta W) * f'(z), with no transpose of W.
 *
 * @internal
 */
export function matmulNN(a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, p: number, scale: Float64Array): void {
  if (simdGemm !== null && useSimd && m * k * p >= SIMD_THRESHOLD) { simdGemm(a, false, b, false, c, m, k, p, null, false, scale); return; }
  for (let r = 0; r < m; r++) {
    const c0 = r * p, a0 = r * k;
    c.fill(0, c0, c0 + p);
    for (let i = 0; i < k; i++) {
      const s = a[a0 + i] as number, b0 = i * p;
      for (let o = 0; o < p; o++) c[c0 + o] = (c[c0 + o] as number) + s * (b[b0 + o] as number);
    }
    for (let o = 0; o < p; o++) c[c0 + o] = (c[c0 + o] as number) * (scale[c0 + o] as number);
  }
}

/**
 * C [m, p] = A^T B (+ C when `accumulate`) with A stored [k, m] and B [k, p] row-major:
 * the weight gradient delta^T a, with no transposes.
 *
 * @internal
 */
export function matmulTN(a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, p: number, accumulate: boolean): void {
  if (simdGemm !== null && useSimd && m * k * p >= SIMD_THRESHOLD) { simdGemm(a, true, b, false, c, m, k, p, null, accumulate); return; }
  if (!accumulate) c.fill(0, 0, m * p);
  for (let i = 0; i < k; i++) {
    const a0 = i * m, b0 = i * p;
    for (let r = 0; r < m; r++) {
      const s = a[a0 + r] as number, c0 = r * p;
      for (let o = 0; o < p; o++) c[c0 + o] = (c[c0 + o] as number) + s * (b[b0 + o] as number);
    }
  }
}

/**
 * The scalar kernel: C = A B^T on 2 x 4 register tiles.
 *
 * @internal
 */
export function matmulScalar(
  a: Float64Array, b: Float64Array, c: Float64Array,
  m: number, k: number, p: number,
  bias: Float64Array | null, accumulate: boolean,
): void {
  const m2 = m - (m % 2);
  const p4 = p - (p % 4);
  for (let r = 0; r < m2; r += 2) {
    const a0 = r * k;
    const a1 = a0 + k;
    const c0 = r * p;
    const c1 = c0 + p;
    let o = 0;
    for (; o < p4; o += 4) {
      const b0 = o * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let i = 0; i < k; i++) {
        const x0 = a[a0 + i] as number;
        const x1 = a[a1 + i] as number;
        const w0 = b[b0 + i] as number;
        const w1 = b[b1 + i] as number;
        const w2 = b[b2 + i] as number;
        const w3 = b[b3 + i] as number;
        s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
        s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
      }
      if (bias !== null) {
        const q0 = bias[o] as number, q1 = bias[o + 1] as number, q2 = bias[o + 2] as number, q3 = bias[o + 3] as number;
        s00 += q0; s01 += q1; s02 += q2; s03 += q3;
        s10 += q0; s11 += q1; s12 += q2; s13 += q3;
      }
      if (accumulate) {
        c[c0 + o] = (c[c0 + o] as number) + s00; c[c0 + o + 1] = (c[c0 + o + 1] as number) + s01;
        c[c0 + o + 2] = (c[c0 + o + 2] as number) + s02; c[c0 + o + 3] = (c[c0 + o + 3] as number) + s03;
        c[c1 + o] = (c[c1 + o] as number) + s10; c[c1 + o + 1] = (c[c1 + o + 1] as number) + s11;
        c[c1 + o + 2] = (c[c1 + o + 2] as number) + s12; c[c1 + o + 3] = (c[c1 + o + 3] as number) + s13;
      } else {
        c[c0 + o] = s00; c[c0 + o + 1] = s01; c[c0 + o + 2] = s02; c[c0 + o + 3] = s03;
        c[c1 + o] = s10; c[c1 + o + 1] = s11; c[c1 + o + 2] = s12; c[c1 + o + 3] = s13;
      }
    }
    for (; o < p; o++) {
      const b0 = o * k;
      let s0 = 0, s1 = 0;
      for (let i = 0; i < k; i++) {
        const w = b[b0 + i] as number;
        s0 += (a[a0 + i] as number) * w;
        s1 += (a[a1 + i] as number) * w;
      }
      if (bias !== null) { s0 += bias[o] as number; s1 += bias[o] as number; }
      if (accumulate) { s0 += c[c0 + o] as number; s1 += c[c1 + o] as number; }
      c[c0 + o] = s0;
      c[c1 + o] = s1;
    }
  }
  for (let r = m2; r < m; r++) {
    const a0 = r * k;
    const c0 = r * p;
    for (let o = 0; o < p; o++) {
      const b0 = o * k;
      let s0 = 0, s1 = 0;
      let i = 0;
      for (; i + 1 < k; i += 2) {
        s0 += (a[a0 + i] as number) * (b[b0 + i] as number);
        s1 += (a[a0 + i + 1] as number) * (b[b0 + i + 1] as number);
      }
      if (i < k) s0 += (a[a0 + i] as number) * (b[b0 + i] as number);
      let s = s0 + s1;
      if (bias !== null) s += bias[o] as number;
      if (accumulate) s += c[c0 + o] as number;
      c[c0 + o] = s;
    }
  }
}

import type { MarginalKernel } from "./marginal-f64.js";
import { marginalF64Module } from "./marginal-f64.js";
import { ensureBytes, instantiate } from "./wasm/load.js";

/** Largest WebAssembly memory of the GEMM form (bytes). */
const MAX_BYTES = 2 ** 29;
/** Rows per GEMM block. */
const BLOCK = 64;
/** Relative error allowed in an entry of the GEMM form (else the difference form). */
export const COST_TOLERANCE = 2 ** -40;

/** |x - y|^2 of the d-vectors at offsets xo of xs and yo of ys: the difference form, one left-to-right sum (internal). */
export function squaredDistance(xs: Float64Array, xo: number, ys: Float64Array, yo: number, d: number): number {
  let s = 0;
  for (let l = 0; l < d; l++) {
    const t = (xs[xo + l] as number) - (ys[yo + l] as number);
    s += t * t;
  }
  return s;
}

/**
 * Squared Euclidean distances C_ij = |x_i - y_j|^2 as one float64 GEMM (internal), on the
 * WebAssembly kernel of marginal-f64.ts. Both sets are centred by the mean mu of all n + m points
 * (x' = x - mu, y' = y - mu: the same differences up to the rounding of the subtraction), and
 * C_ij = [-2 x'_i, |x'_i|^2, 1] . [y'_j, 1, |y'_j|^2], one left-to-right sum per entry.
 *
 * Error analysis (u = 2^-52): the d + 2 products and their sum round to within
 * gamma_(d+2) (2 |x'_i| |y'_j| + |x'_i|^2 + |y'_j|^2) (1 + gamma_d) + gamma_d (|x'_i|^2 + |y'_j|^2),
 * and the centring moves each coordinate of x - y by at most u (|x'| + |y'|), which changes C by at
 * most u (C + (|x'_i| + |y'_j|)^2); in all, |C^ - C| <= E_ij + u C with
 * E_ij = (2 d + 5) u (|x'_i| + |y'_j|)^2. An entry is kept when E_ij <= 2^-40 (C^_ij - E_ij), so every
 * kept entry is within (2^-40 + 2^-52) (1 + 2^-40) C_ij of the exact distance; the others (points
 * close to each other relative to their distance from the centre: cancellation) are recomputed by
 * the difference form, exactly as the loop computes them. Entries of the result depend on their
 * own pair only. Returns false (nothing written) where WebAssembly SIMD is missing or the
 * buffers would pass 512 MB.
 */
export function squaredDistancesGemm(xs: Float64Array, ys: Float64Array, n: number, m: number, d: number, out: Float64Array): boolean {
  if (marginalF64Module === null) return false;
  const k1 = d + 2, p = (m + 3) & ~3;
  // offsets in doubles
  const bt = 0, a = bt + k1 * p, c = a + BLOCK * k1, bytes = 8 * (c + BLOCK * p);
  if (bytes > MAX_BYTES) return false;
  const kernel = instantiate<MarginalKernel>(marginalF64Module);
  ensureBytes(kernel.memory, bytes);
  const mem = new Float64Array(kernel.memory.buffer);
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let l = 0; l < d; l++) mu[l] = (mu[l] as number) + (xs[i * d + l] as number);
  for (let j = 0; j < m; j++) for (let l = 0; l < d; l++) mu[l] = (mu[l] as number) + (ys[j * d + l] as number);
  for (let l = 0; l < d; l++) mu[l] = (mu[l] as number) / (n + m);
  const ry = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let l = 0; l < d; l++) {
      const v = (ys[j * d + l] as number) - (mu[l] as number);
      // B packed by groups of 4 columns (marginal-f64.wat's logits): B[l, j] at 4 k1 (j >> 2) + 4 l + (j & 3)
      mem[bt + 4 * k1 * (j >> 2) + 4 * l + (j & 3)] = v;
      s += v * v;
    }
    mem[bt + 4 * k1 * (j >> 2) + 4 * d + (j & 3)] = 1;
    mem[bt + 4 * k1 * (j >> 2) + 4 * (d + 1) + (j & 3)] = s;
    ry[j] = Math.sqrt(s);
  }
  const gamma = (2 * d + 5) * 2 ** -52;
  const rx = new Float64Array(BLOCK);
  for (let r0 = 0; r0 < n; r0 += BLOCK) {
    const rows = Math.min(BLOCK, n - r0), rows4 = (rows + 3) & ~3;
    mem.fill(0, a, a + rows4 * k1);
    for (let i = 0; i < rows; i++) {
      const row = a + i * k1;
      let s = 0;
      for (let l = 0; l < d; l++) {
        const v = (xs[(r0 + i) * d + l] as number) - (mu[l] as number);
        mem[row + l] = -2 * v;
        s += v * v;
      }
      mem[row + d] = s;
      mem[row + d + 1] = 1;
      rx[i] = Math.sqrt(s);
    }
    kernel.logits(8 * a, 8 * bt, 8 * c, rows4, k1, p, 256);
    for (let i = 0; i < rows; i++) {
      const ri = rx[i] as number, src = c + i * p, xo = (r0 + i) * d, ro = (r0 + i) * m;
      for (let j = 0; j < m; j++) {
        const sum = ri + (ry[j] as number), e = gamma * sum * sum, v = mem[src + j] as number;
        if (e <= COST_TOLERANCE * (v - e)) {
          out[ro + j] = v;
          continue;
        }
        out[ro + j] = squaredDistance(xs, xo, ys, j * d, d);
      }
    }
  }
  return true;
}

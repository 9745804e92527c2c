import { MARGINAL_F64 } from "./wasm/modules.js";
import { compileModule, ensureBytes, instantiate } from "./wasm/load.js";

/**
 * The empirical marginal field as a blocked GEMM (internal). With data points y_k, centred by
 * their mean (y'_k = y_k - mean, x' = x - alpha mean, which changes no distance), the logits are
 *
 *   -|x - alpha y_k|^2 / (2 sigma^2) = c (x' . y'_k - (alpha / 2) |y'_k|^2) + (a term of x alone),
 *   c = alpha / sigma^2,
 *
 * so one GEMM of the augmented rows [x', -alpha/2] against the columns [y'_k; |y'_k|^2] gives every
 * logit of a block of rows; a SIMD exp turns a row's logits into weights (max, then exp, keeping
 * the nonzero ones and their indices), and a gather sums w_k y'_k over those, 16 coordinates at a
 * time in registers. Weights below e^-46 (1e-20) of the largest are dropped
 * (their sum is below K 1e-20 of the total).
 *
 * Accuracy guard: the GEMM form rounds x' . y'_k, an error of at most (d + 4) 2^-52 |c| (|x'| Y +
 * |alpha| Y2 / 2) in a logit (Y = max |y'_k|, Y2 = max |y'_k|^2), which grows like 1 / sigma^2 as
 * t -> 1 where the difference form |x - alpha y_k| / sigma does not. Rows whose bound exceeds
 * 2^-36 (weights then relative-accurate to 1e-11), and the singular rows sigma <= 2^-52 alpha, run
 * the difference form (`direct`, marginal-direct.ts) instead.
 *
 * Every logit depends on its own row and data point only and every row's sums run in a fixed
 * order, so a row's result does not depend on the block or thread that computes it.
 */
export interface MarginalKernel {
  memory: WebAssembly.Memory;
  logits: (a: number, b: number, c: number, m: number, k: number, p: number, panel: number) => void;
  weights: (s: number, n: number, c: number, cut: number, w: number, idx: number, cnt: number) => number;
  gather: (y: number, e: number, w: number, idx: number, count: number, acc: number) => void;
}

/** The compiled module, or null without WebAssembly SIMD (internal). */
export const marginalF64Module = compileModule(MARGINAL_F64);

/**
 * Where the data and the buffers of one block of rows sit in a module instance (byte offsets),
 * with the data's mean and norms (internal). A plain object, so it can be posted to workers.
 */
export interface MarginalPlan {
  d: number;
  K: number;
  /** d + 1: the augmented row length. */
  k1: number;
  /** K padded to a multiple of 4 (GEMM columns). */
  p: number;
  /** K padded to a multiple of 2 (softmax lanes). */
  n2: number;
  /** d padded to a multiple of 2. */
  e: number;
  /** Rows per block (a multiple of 4). */
  block: number;
  /** GEMM columns per panel. */
  panel: number;
  /** Logits below max + cut are dropped. */
  cut: number;
  /** Largest logit error bound for the GEMM form. */
  tolerance: number;
  mean: number[];
  yMax: number;
  y2Max: number;
  /** [y'; |y'|^2] as [k1, p], packed by groups of 4 columns (marginal-f64.wat's logits). */
  bt: number;
  /** y' as [n2, e]. */
  y: number;
  /** augmented rows [block, k1]. */
  a: number;
  /** logits [block, p]. */
  s: number;
  /** e doubles: the weighted sum of one row. */
  acc: number;
  /** n2 + 2 doubles: a row's nonzero weights. */
  w: number;
  /** n2 + 2 int32: their data indices. */
  idx: number;
  /** one int32: their count. */
  cnt: number;
  bytes: number;
}

/** The plan for K data points of dimension d (internal). */
export function marginalPlan(y: Float64Array, K: number, d: number): MarginalPlan {
  const mean = new Array<number>(d).fill(0);
  for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (y[k * d + j] as number);
  for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / K;
  let y2Max = 0;
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let j = 0; j < d; j++) { const v = (y[k * d + j] as number) - (mean[j] as number); s += v * v; }
    if (s > y2Max) y2Max = s;
  }
  const k1 = d + 1, p = (K + 3) & ~3, n2 = (K + 1) & ~1, e = (d + 1) & ~1, block = 32;
  const bt = 0;
  const yOff = bt + 8 * k1 * p;
  const a = yOff + 8 * n2 * e;
  const s = a + 8 * block * k1;
  const acc = s + 8 * block * p;
  const w = acc + 8 * e;
  const idx = w + 8 * (n2 + 2);
  const cnt = idx + 4 * (n2 + 2);
  return { d, K, k1, p, n2, e, block, panel: 256, cut: -46, tolerance: 2 ** -36, mean, yMax: Math.sqrt(y2Max), y2Max, bt, y: yOff, a, s, acc, w, idx, cnt, bytes: cnt + 16 };
}

/** A module instance holding the centred data of `plan` (internal). */
export function loadMarginal(module: WebAssembly.Module, y: Float64Array, plan: MarginalPlan): MarginalKernel {
  const kernel = instantiate<MarginalKernel>(module);
  ensureBytes(kernel.memory, plan.bytes);
  const mem = new Float64Array(kernel.memory.buffer);
  const { d, K, k1, p, e, mean } = plan;
  mem.fill(0, 0, plan.bytes / 8);
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = (y[k * d + j] as number) - (mean[j] as number);
      // B packed by groups of 4 columns (marginal-f64.wat's logits): B[j, k] at 4 k1 (k >> 2) + 4 j + (k & 3)
      mem[plan.bt / 8 + 4 * k1 * (k >> 2) + 4 * j + (k & 3)] = v;
      mem[plan.y / 8 + k * e + j] = v;
      s += v * v;
    }
    mem[plan.bt / 8 + 4 * k1 * (k >> 2) + 4 * (k1 - 1) + (k & 3)] = s;
  }
  return kernel;
}

/**
 * Velocities of rows first..first+count-1 (internal): `coef` holds [alpha, sigma, alpha', sigma']
 * per row (row r at 4 r), `x` and `out` rows of d. Rows the GEMM form cannot take accurately go
 * to `direct(row)`. Self-contained (no outer references): worker threads receive its source text.
 */
export function marginalRows(kernel: MarginalKernel, plan: MarginalPlan, x: ArrayLike<number>, coef: ArrayLike<number>, first: number, count: number, out: Float64Array, direct: (row: number) => void): void {
  const d = plan.d, k1 = plan.k1, p = plan.p, K = plan.K, mean = plan.mean;
  const eps = 2 ** -52;
  const scale = new Float64Array(plan.block);
  const fast = new Uint8Array(plan.block);
  const A = plan.a / 8, acc = plan.acc / 8;
  for (let r0 = first; r0 < first + count; r0 += plan.block) {
    const m = Math.min(plan.block, first + count - r0);
    const mem = new Float64Array(kernel.memory.buffer);
    let any = false;
    for (let i = 0; i < m; i++) {
      const r = r0 + i;
      const alpha = coef[4 * r] as number, sigma = coef[4 * r + 1] as number;
      const row = A + i * k1;
      let nx = 0;
      for (let j = 0; j < d; j++) {
        const v = (x[r * d + j] as number) - alpha * (mean[j] as number);
        mem[row + j] = v;
        nx += v * v;
      }
      mem[row + d] = -0.5 * alpha;
      const c = alpha / (sigma * sigma);
      const bound = (d + 4) * eps * Math.abs(c) * (Math.sqrt(nx) * plan.yMax + 0.5 * Math.abs(alpha) * plan.y2Max);
      // singular rows (sigma <= 2^-52 alpha) and rows where the GEMM form is not accurate enough
      const ok = sigma > eps * alpha && bound <= plan.tolerance;
      fast[i] = ok ? 1 : 0;
      scale[i] = c;
      any ||= ok;
    }
    if (!any) {
      for (let i = 0; i < m; i++) direct(r0 + i);
      continue;
    }
    const m4 = (m + 3) & ~3;
    mem.fill(0, A + m * k1, A + m4 * k1);
    kernel.logits(plan.a, plan.bt, plan.s, m4, k1, p, plan.panel);
    for (let i = 0; i < m; i++) {
      const r = r0 + i;
      if (fast[i] === 0) {
        direct(r);
        continue;
      }
      const c = scale[i] as number;
      // the pad lane of an odd K: c s = -inf, so its weight is 0
      if (plan.n2 > K) mem[plan.s / 8 + i * p + K] = c > 0 ? -Infinity : Infinity;
      const total = kernel.weights(plan.s + 8 * i * p, plan.n2, c, plan.cut, plan.w, plan.idx, plan.cnt);
      kernel.gather(plan.y, plan.e, plan.w, plan.idx, new Int32Array(kernel.memory.buffer, plan.cnt, 1)[0] as number, plan.acc);
      const alpha = coef[4 * r] as number, sigma = coef[4 * r + 1] as number, dAlpha = coef[4 * r + 2] as number, dSigma = coef[4 * r + 3] as number;
      const row = A + i * k1;
      for (let j = 0; j < d; j++) {
        const yHat = (mem[acc + j] as number) / total;
        out[r * d + j] = dAlpha * (yHat + (mean[j] as number)) + (dSigma * ((mem[row + j] as number) - alpha * yHat)) / sigma;
      }
    }
  }
}

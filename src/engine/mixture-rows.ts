import type { MarginalKernel } from "./marginal-f64.js";

/**
 * The Gaussian-mixture marginal field as a blocked GEMM (internal). Components N(m_k, diag s_k^2)
 * with weights pi_k; at one time (alpha, sigma, alpha', sigma') component k makes x_t Gaussian with
 * variances v_kj = alpha^2 s_kj^2 + sigma^2, and with the means centred (m'_k = m_k - mbar,
 * x' = x - alpha mbar, which changes no difference x - alpha m_k) the logits are
 *
 *   l_k = log pi_k - sum_j log(v_kj) / 2 - sum_j (x'_j - alpha m'_kj)^2 / (2 v_kj)
 *       = b_k + sum_j x'_j (alpha m'_kj / v_kj) - sum_j x'_j^2 / (2 v_kj),
 *   b_k = log pi_k - sum_j log(v_kj) / 2 - alpha^2 sum_j m'_kj^2 / (2 v_kj),
 *
 * one GEMM of the rows [x', x'^2, 1] against the columns [alpha m'_k / v_k; -1 / (2 v_k); b_k]
 * (the x'^2 rows are left out when every component has the same variances: that term is then the
 * same for every k and cancels in the softmax). The value u = sum_k w_k u_k with
 * u_kj = alpha' mbar_j + a_kj + c_kj x'_j, c_kj = (alpha' alpha s_kj^2 + sigma' sigma) / v_kj,
 * a_kj = (alpha' - c_kj alpha) m'_kj, is one gather of the rows [a_k, c_k] with the weights.
 *
 * Accuracy guard: the GEMM form rounds each product and sum, an error in a logit of at most
 * (k1 + 4) 2^-52 (|x'| P + |x'|^2 Q + B) with P = max_k |alpha m'_k / v_k|, Q = max_kj 1 / (2 v_kj)
 * (0 when the x'^2 rows are left out) and B = max_k (|log pi_k| + sum_j |log v_kj| / 2 +
 * alpha^2 sum_j m'_kj^2 / (2 v_kj)), where the difference form's error scales with the logit itself.
 * Rows whose bound exceeds 2^-30 (weights then relative-accurate to 2^-29, about 2e-9), and every
 * row of a call whose rows do not share one time, run the difference form ({@link mixtureDirectRows}).
 * The threshold is looser than the empirical field's 2^-36: mixture logits carry the log-variance
 * and x^2 terms, and at d = 64 the bound of typical rows is 2^-36 to 2^-31 (t = 0.5 to 1, stds in
 * [0.1, 1], means in [-4, 4]^64), so 2^-36 would send nearly every row back to the loop; the
 * difference form's own logit rounding there is (d + 3) 2^-52 |l_k|, about 2^-38 for |l_k| ~ 300.
 *
 * Every logit depends on its row and the call's columns only and every sum runs in a fixed
 * order, so a row's result does not depend on the block or thread that computes it.
 */
export interface MixturePlan {
  d: number;
  K: number;
  /** True when every component has the variances of component 0. */
  shared: boolean;
  /** Augmented row length: d + 1 (shared) or 2 d + 1. */
  k1: number;
  p: number;
  n2: number;
  /** Gather row length 2 d. */
  e: number;
  block: number;
  panel: number;
  cut: number;
  tolerance: number;
  /** The mean of the component means. */
  mean: number[];
  /** Byte offsets: columns [k1, p] (packed by groups of 4, as the logits kernel reads them), gather rows [n2, e], augmented rows, logits, acc, w, idx, cnt. */
  bt: number;
  g: number;
  a: number;
  s: number;
  acc: number;
  w: number;
  idx: number;
  cnt: number;
  bytes: number;
}

/** The plan for K components of dimension d (internal). */
export function mixturePlan(means: Float64Array, variances: Float64Array, K: number, d: number): MixturePlan {
  const mean = new Array<number>(d).fill(0);
  for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (means[k * d + j] as number);
  for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / K;
  let shared = true;
  for (let i = d; i < K * d && shared; i++) shared = variances[i] === variances[i % d];
  const k1 = shared ? d + 1 : 2 * d + 1, p = (K + 3) & ~3, n2 = (K + 1) & ~1, e = 2 * d, block = 32;
  const bt = 0, g = bt + 8 * k1 * p, a = g + 8 * n2 * e, s = a + 8 * block * k1;
  const acc = s + 8 * block * p, w = acc + 8 * e, idx = w + 8 * (n2 + 2), cnt = idx + 4 * (n2 + 2);
  return { d, K, shared, k1, p, n2, e, block, panel: 256, cut: -46, tolerance: 2 ** -30, mean, bt, g, a, s, acc, w, idx, cnt, bytes: cnt + 16 };
}

/**
 * The call's columns and gather rows into `mem` (doubles at plan.bt / 8 and plan.g / 8) and the
 * guard's constants [P, Q, B] as the result, or null when some v_kj is not positive and finite
 * (internal).
 */
export function mixtureColumns(plan: MixturePlan, means: Float64Array, variances: Float64Array, logWeights: Float64Array, alpha: number, sigma: number, dAlpha: number, dSigma: number, mem: Float64Array): [number, number, number] | null {
  const { d, K, k1, p, e, mean, shared } = plan;
  const bt = plan.bt / 8, g = plan.g / 8;
  mem.fill(0, bt, g + plan.n2 * e);
  let P = 0, Q = 0, B = 0;
  for (let k = 0; k < K; k++) {
    let b = logWeights[k] as number, absB = Math.abs(b), quad = 0, p2 = 0;
    for (let j = 0; j < d; j++) {
      const s2 = variances[k * d + j] as number, m = (means[k * d + j] as number) - (mean[j] as number);
      const v = alpha * alpha * s2 + sigma * sigma;
      if (!(v > 0) || !Number.isFinite(v)) return null;
      const lv = Math.log(v), q = (alpha * m) / v;
      b -= 0.5 * lv;
      absB += 0.5 * Math.abs(lv);
      quad += m * m / v;
      p2 += q * q;
      // B packed by groups of 4 columns (marginal-f64.wat's logits): B[j, k] at 4 k1 (k >> 2) + 4 j + (k & 3)
      mem[bt + 4 * k1 * (k >> 2) + 4 * j + (k & 3)] = q;
      if (!shared) mem[bt + 4 * k1 * (k >> 2) + 4 * (d + j) + (k & 3)] = -0.5 / v;
      if (0.5 / v > Q) Q = 0.5 / v;
      const c = (dAlpha * alpha * s2 + dSigma * sigma) / v;
      mem[g + k * e + j] = (dAlpha - c * alpha) * m;
      mem[g + k * e + d + j] = c;
    }
    b -= 0.5 * alpha * alpha * quad;
    absB += 0.5 * alpha * alpha * quad;
    mem[bt + 4 * k1 * (k >> 2) + 4 * (k1 - 1) + (k & 3)] = b;
    if (Math.sqrt(p2) > P) P = Math.sqrt(p2);
    if (absB > B) B = absB;
  }
  return [P, shared ? 0 : Q, B];
}

/**
 * Velocities of rows first..first+count-1 at the one time of `call` = [alpha, sigma, alpha', sigma',
 * P, Q, B] (internal), the columns of {@link mixtureColumns} already in the kernel's memory. Rows
 * the GEMM form cannot take accurately go to `direct(row)`. Self-contained (worker threads receive
 * its source text).
 */
export function mixtureGemmRows(kernel: MarginalKernel, plan: MixturePlan, call: ArrayLike<number>, x: ArrayLike<number>, first: number, count: number, out: Float64Array, direct: (row: number) => void): void {
  const d = plan.d, k1 = plan.k1, p = plan.p, K = plan.K, e = plan.e, mean = plan.mean, shared = plan.shared;
  const alpha = call[0] as number, dAlpha = call[2] as number, P = call[4] as number, Q = call[5] as number, B = call[6] as number;
  const gamma = (k1 + 4) * 2 ** -52;
  const fast = new Uint8Array(plan.block);
  const A = plan.a / 8, acc = plan.acc / 8;
  for (let r0 = first; r0 < first + count; r0 += plan.block) {
    const m = Math.min(plan.block, first + count - r0);
    const mem = new Float64Array(kernel.memory.buffer);
    let any = false;
    for (let i = 0; i < m; i++) {
      const r = r0 + i, row = A + i * k1;
      let nx = 0;
      for (let j = 0; j < d; j++) {
        const v = (x[r * d + j] as number) - alpha * (mean[j] as number);
        mem[row + j] = v;
        if (!shared) mem[row + d + j] = v * v;
        nx += v * v;
      }
      mem[row + k1 - 1] = 1;
      const bound = gamma * (Math.sqrt(nx) * P + nx * Q + B);
      const ok = bound <= plan.tolerance;
      fast[i] = ok ? 1 : 0;
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
      if (plan.n2 > K) mem[plan.s / 8 + i * p + K] = -Infinity;
      const total = kernel.weights(plan.s + 8 * i * p, plan.n2, 1, plan.cut, plan.w, plan.idx, plan.cnt);
      kernel.gather(plan.g, e, plan.w, plan.idx, new Int32Array(kernel.memory.buffer, plan.cnt, 1)[0] as number, plan.acc);
      const row = A + i * k1;
      for (let j = 0; j < d; j++) {
        out[r * d + j] = dAlpha * (mean[j] as number) + ((mem[acc + j] as number) + (mem[acc + d + j] as number) * (mem[row + j] as number)) / total;
      }
    }
  }
}

/**
 * Values of the diagonal Gaussian-mixture marginal field by the difference form, the same
 * operations in the same order as velocity/marginal-kernels.ts's mixtureRow (so the same bits),
 * at rows first..first+count-1 with per-row [alpha, sigma, alpha', sigma'] in `coef` (internal).
 * A row where every component has zero density gets NaN (the caller reports it).
 * Self-contained (worker threads receive its source text).
 */
export function mixtureDirectRows(means: Float64Array, variances: Float64Array, logWeights: Float64Array, d: number, K: number, x: ArrayLike<number>, coef: ArrayLike<number>, first: number, count: number, logits: Float64Array, w: Float64Array, out: Float64Array): void {
  for (let r = first; r < first + count; r++) {
    const alpha = coef[4 * r] as number, sigma = coef[4 * r + 1] as number, dAlpha = coef[4 * r + 2] as number, dSigma = coef[4 * r + 3] as number;
    const xo = r * d;
    let max = -Infinity;
    for (let k = 0; k < K; k++) {
      let s = logWeights[k] as number;
      for (let j = 0; j < d; j++) {
        const vk = alpha * alpha * (variances[k * d + j] as number) + sigma * sigma;
        const ek = (x[xo + j] as number) - alpha * (means[k * d + j] as number);
        s -= (0.5 * ek * ek) / vk + 0.5 * Math.log(vk);
      }
      logits[k] = s;
      if (s > max) max = s;
    }
    if (!Number.isFinite(max)) {
      for (let j = 0; j < d; j++) out[xo + j] = NaN;
      continue;
    }
    let total = 0;
    for (let k = 0; k < K; k++) { const ek = Math.exp((logits[k] as number) - max); w[k] = ek; total += ek; }
    for (let k = 0; k < K; k++) w[k] = (w[k] as number) / total;
    for (let j = 0; j < d; j++) out[xo + j] = 0;
    for (let k = 0; k < K; k++) {
      const wk = w[k] as number;
      for (let j = 0; j < d; j++) {
        const i = k * d + j;
        const vk = alpha * alpha * (variances[i] as number) + sigma * sigma;
        const c = (dAlpha * alpha * (variances[i] as number) + dSigma * sigma) / vk;
        const ek = (x[xo + j] as number) - alpha * (means[i] as number);
        out[xo + j] = (out[xo + j] as number) + wk * (dAlpha * (means[i] as number) + c * ek);
      }
    }
  }
}

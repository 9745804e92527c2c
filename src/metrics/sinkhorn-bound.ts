import ndarray from "ndarray";
import { emd } from "../couplings/emd.js";

/** Subsample size of the warm start (rows and columns). */
const WARM = 200;

/**
 * The default estimate of `wasserstein(x, y, { method: 'sinkhorn' })`: the optimal transport
 * cost between uniform measures from below, by epsilon-scaled Sinkhorn on a truncated
 * kernel (Schmitzer 2019, "Stabilized sparse scaling algorithms for entropy regularized
 * transport problems": absorbed log-domain potentials F, G, kernel entries
 * `exp((F_i + G_j - C_ij) / eps)` kept only where the reduced cost `r_ij = C_ij - F_i - G_j`
 * is at most `10 eps`; each stage iterates until the L1 column error is below 1e-2 of the
 * mass, at most 100 times; scalings that leave [1e-100, 1e100] are absorbed into the potentials
 * and the kernel entries, and a scaling whose update would be 0 or infinite keeps its last value,
 * so the potentials stay finite).
 *
 * After each stage the potentials are turned into a feasible dual by two c-transforms,
 * `f_i = min_j (C_ij - G_j)`, `g_j = min_i (C_ij - f_i)`, whose value `L = mean f + mean g`
 * is a lower bound of the exact cost (weak duality) whatever the truncation or the stage's
 * accuracy, and tends to it as eps -> 0. The minima run over the kernel's entries only, each
 * capped by a bound on the entries left out (their reduced cost exceeded the cut when the
 * kernel was built), so the dual stays feasible. The next stage's kernel is filtered from the
 * current one when the potentials rose too little for a left-out entry to pass the new cut
 * (else it is rebuilt from all of C): late stages cost O(nnz), not O(n m).
 *
 * Warm start (n, m > 200): the exact dual (network simplex) between every (n/200)-th row and
 * every (m/200)-th column, extended to all rows by a c-transform over those columns and made
 * feasible by two dense c-transforms; its value L1 and the subsample's optimal cost U1 set
 * the first eps to `max(U1 - L, (mean - L) / 100)` (L the best bound so far, `mean` the
 * mean cost): the dense stages at eps of the order of the cost range are skipped. Without
 * the warm start (small n or m), eps starts at a quarter of the gap between the mean cost
 * (independent coupling, an upper bound) and the first dual bound. Stages divide eps by 4;
 * the run stops once L rose by at most `rise` (relative) over a stage, or at eps = 1e-9 of
 * the cost range. The best L is returned.
 * @internal
 */
export function sinkhornLowerBound(C: Float64Array, n: number, m: number, rise: number): SinkhornBound {
  const a = 1 / n, b = 1 / m;
  let lo = Infinity, hi = -Infinity, mean = 0;
  for (let k = 0; k < C.length; k++) { const x = C[k] as number; if (x < lo) lo = x; if (x > hi) hi = x; mean += x; }
  mean /= C.length;
  const F = new Float64Array(n), G = new Float64Array(m), f = new Float64Array(n), g = new Float64Array(m);
  // F_i = min_j C_ij, G_j = min_i (C_ij - F_i): a feasible dual
  const L0 = denseCTransform(C, n, m, new Float64Array(m), F, G, a, b);
  let L = L0;
  if (!(hi > lo)) return { lower: L, iterations: 0, stages: 0 };
  let eps0 = Math.max((mean - L0) / 4, 1e-9 * (hi - lo));
  if (n > WARM && m > WARM) {
    const [L1, U1] = warmStart(C, n, m, WARM, f, g, a, b);
    if (L1 > L) { L = L1; F.set(f); G.set(g); }
    eps0 = Math.min(eps0, Math.max(U1 - L, 0.01 * (mean - L)));
  }
  const theta = 10;
  const rowPtr = new Int32Array(n + 1);
  let col = new Int32Array(Math.min(n * m, 64 * (n + m))), val = new Float64Array(col.length);
  const u = new Float64Array(n), v = new Float64Array(m), s = new Float64Array(m);
  // the potentials the kernel was built (or filtered) at: the bounds on left-out entries refer to them
  const Fb = new Float64Array(n), Gb = new Float64Array(m);
  const epsMin = 1e-9 * (hi - lo);
  let eps = eps0, iterations = 0, stages = 0, previous = -Infinity;
  let cut = 0, dense = true, riseF = 0, riseG = 0;
  for (;;) {
    stages++;
    const inv = 1 / eps, newCut = theta * eps;
    // kernel at the current potentials; invariant: every left-out entry has r > cut at build time
    let nnz = 0;
    if (dense || cut - riseF - riseG < newCut) {
      for (let i = 0; i < n; i++) {
        rowPtr[i] = nnz;
        const o = i * m, fi = F[i] as number;
        if (nnz + m > col.length) {
          const size = Math.min(n * m, Math.max(2 * col.length, nnz + m));
          const c2 = new Int32Array(size); c2.set(col.subarray(0, nnz)); col = c2;
          const v2 = new Float64Array(size); v2.set(val.subarray(0, nnz)); val = v2;
        }
        for (let j = 0; j < m; j++) {
          const r = (C[o + j] as number) - fi - (G[j] as number);
          if (r <= newCut) { col[nnz] = j; val[nnz] = Math.exp(-r * inv); nnz++; }
        }
      }
    } else {
      // left-out entries had r > cut and r fell by at most riseF + riseG: still above newCut
      for (let i = 0, k = 0; i < n; i++) {
        const end = rowPtr[i + 1] as number, o = i * m, fi = F[i] as number;
        rowPtr[i] = nnz;
        for (; k < end; k++) {
          const j = col[k] as number, r = (C[o + j] as number) - fi - (G[j] as number);
          if (r <= newCut) { col[nnz] = j; val[nnz] = Math.exp(-r * inv); nnz++; }
        }
      }
    }
    rowPtr[n] = nnz;
    cut = newCut; dense = false;
    Fb.set(F); Gb.set(G);
    u.fill(1); v.fill(1);
    // Sinkhorn with reference measure a (x) b: P_ij = a b u_i K_ij v_j
    for (let it = 0; it < 100; it++) {
      s.fill(0);
      for (let i = 0; i < n; i++) {
        const ui = a * (u[i] as number), end = rowPtr[i + 1] as number;
        for (let k = rowPtr[i] as number; k < end; k++) { const j = col[k] as number; s[j] = (s[j] as number) + (val[k] as number) * ui; }
      }
      let err = 0, wide = false;
      for (let j = 0; j < m; j++) {
        const sj = s[j] as number, vj = 1 / sj;
        err += Math.abs((v[j] as number) * sj - 1);
        // a scaling stays finite and positive (an empty or underflowed column keeps its last one)
        if (vj > 0 && vj < Infinity) { v[j] = vj; if (vj > BIG || vj < SMALL) wide = true; }
      }
      iterations++;
      if (b * err <= 1e-2) break;
      for (let i = 0; i < n; i++) {
        let r = 0;
        const end = rowPtr[i + 1] as number;
        for (let k = rowPtr[i] as number; k < end; k++) r += (val[k] as number) * (v[col[k] as number] as number);
        const ui = 1 / (b * r);
        if (ui > 0 && ui < Infinity) { u[i] = ui; if (ui > BIG || ui < SMALL) wide = true; }
      }
      // scalings far from 1 (potentials far from this eps's fixed point) go into the potentials and the
      // kernel entries before they overflow: K_ij <- u_i K_ij v_j, F_i += eps ln u_i, G_j += eps ln v_j
      if (wide) absorb(rowPtr, col, val, u, v, F, G, eps, n, m);
    }
    // c-transforms over the kernel's entries, capped by the left-out entries' bound
    riseF = -Infinity; riseG = -Infinity;
    for (let j = 0; j < m; j++) {
      s[j] = (G[j] as number) + eps * Math.log(v[j] as number);
      riseG = Math.max(riseG, (s[j] as number) - (Gb[j] as number));
    }
    for (let i = 0; i < n; i++) {
      const o = i * m, end = rowPtr[i + 1] as number;
      // left out (r measured at the build potentials Fb, Gb): C_ij - G'_j = r + Fb_i + Gb_j - G'_j > cut + Fb_i - riseG
      let min = cut + (Fb[i] as number) - riseG;
      for (let k = rowPtr[i] as number; k < end; k++) {
        const j = col[k] as number, h = (C[o + j] as number) - (s[j] as number);
        if (h < min) min = h;
      }
      f[i] = min;
    }
    let drop = Infinity;
    for (let i = 0; i < n; i++) drop = Math.min(drop, (Fb[i] as number) - (f[i] as number));
    // left out: C_ij - f_i = r + Fb_i + Gb_j - f_i > cut + Gb_j + min_i (Fb_i - f_i)
    for (let j = 0; j < m; j++) g[j] = cut + (Gb[j] as number) + drop;
    for (let i = 0; i < n; i++) {
      const o = i * m, end = rowPtr[i + 1] as number, fi = f[i] as number;
      for (let k = rowPtr[i] as number; k < end; k++) {
        const j = col[k] as number, h = (C[o + j] as number) - fi;
        if (h < (g[j] as number)) g[j] = h;
      }
    }
    let next = 0;
    for (let i = 0; i < n; i++) next += a * (f[i] as number);
    for (let j = 0; j < m; j++) next += b * (g[j] as number);
    // absorb the scalings into the potentials
    for (let i = 0; i < n; i++) {
      F[i] = (F[i] as number) + eps * Math.log(u[i] as number);
      riseF = Math.max(riseF, (F[i] as number) - (Fb[i] as number));
    }
    G.set(s);
    // a stage's bound below the previous one's means eps is still too large to tell
    const done = (next >= previous && next - previous <= rise * Math.abs(next)) || eps <= epsMin;
    previous = next;
    L = Math.max(L, next);
    if (done) return { lower: L, iterations, stages };
    eps = Math.max(eps / 4, epsMin);
  }
}

/** Scalings outside [SMALL, BIG] are absorbed into the potentials. */
const BIG = 1e100, SMALL = 1e-100;

/**
 * K_ij <- u_i K_ij v_j over the kernel's entries (in logs: the product of a scaling near 1e300 and an
 * entry must not overflow on the way), F_i += eps ln u_i, G_j += eps ln v_j, then u = v = 1: the same plan.
 */
function absorb(rowPtr: Int32Array, col: Int32Array, val: Float64Array, u: Float64Array, v: Float64Array, F: Float64Array, G: Float64Array,
  eps: number, n: number, m: number): void {
  for (let j = 0; j < m; j++) {
    const lv = Math.log(v[j] as number);
    v[j] = lv;
    G[j] = (G[j] as number) + eps * lv;
  }
  for (let i = 0; i < n; i++) {
    const lu = Math.log(u[i] as number), end = rowPtr[i + 1] as number;
    for (let k = rowPtr[i] as number; k < end; k++) val[k] = Math.exp(Math.log(val[k] as number) + lu + (v[col[k] as number] as number));
    F[i] = (F[i] as number) + eps * lu;
  }
  u.fill(1); v.fill(1);
}

/** Result of {@link sinkhornLowerBound}. @internal */
export interface SinkhornBound {
  /** A lower bound of the exact transport cost (dual value of a feasible dual). */
  lower: number;
  /** Sinkhorn iterations over all stages. */
  iterations: number;
  /** Epsilon stages run. */
  stages: number;
}

/** f_i = min_j (C_ij - G_j), g_j = min_i (C_ij - f_i) over all of C; returns the dual value mean f + mean g. */
function denseCTransform(C: Float64Array, n: number, m: number, G: Float64Array, f: Float64Array, g: Float64Array, a: number, b: number): number {
  for (let i = 0; i < n; i++) {
    const o = i * m;
    let min = Infinity;
    for (let j = 0; j < m; j++) { const h = (C[o + j] as number) - (G[j] as number); if (h < min) min = h; }
    f[i] = min;
  }
  g.fill(Infinity);
  for (let i = 0; i < n; i++) {
    const o = i * m, fi = f[i] as number;
    for (let j = 0; j < m; j++) { const h = (C[o + j] as number) - fi; if (h < (g[j] as number)) g[j] = h; }
  }
  let value = 0;
  for (let i = 0; i < n; i++) value += a * (f[i] as number);
  for (let j = 0; j < m; j++) value += b * (g[j] as number);
  return value;
}

/**
 * Warm start from a subsample: the exact dual of the problem between every (n/K)-th row and
 * every (m/K)-th column (network simplex), extended to all rows by a c-transform over the
 * subsampled columns, then two dense c-transforms; writes the feasible dual into f, g and
 * returns its value.
 */
function warmStart(C: Float64Array, n: number, m: number, K: number, f: Float64Array, g: Float64Array, a: number, b: number): [number, number] {
  const ri = new Int32Array(K), cj = new Int32Array(K);
  for (let I = 0; I < K; I++) { ri[I] = Math.floor((I * n) / K); cj[I] = Math.floor((I * m) / K); }
  const sub = new Float64Array(K * K);
  for (let I = 0; I < K; I++) { const o = (ri[I] as number) * m; for (let J = 0; J < K; J++) sub[I * K + J] = C[o + (cj[J] as number)] as number; }
  const r = emd(null, null, ndarray(sub, [K, K])), v = r.v;
  for (let i = 0; i < n; i++) {
    const o = i * m;
    let min = Infinity;
    for (let J = 0; J < K; J++) { const h = (C[o + (cj[J] as number)] as number) - (v[J] as number); if (h < min) min = h; }
    f[i] = min;
  }
  g.fill(Infinity);
  for (let i = 0; i < n; i++) {
    const o = i * m, fi = f[i] as number;
    for (let j = 0; j < m; j++) { const h = (C[o + j] as number) - fi; if (h < (g[j] as number)) g[j] = h; }
  }
  return [denseCTransform(C, n, m, g, f, g, a, b), r.cost];
}

import { pow } from "../core/pow.js";

/**
 * The Sinkhorn iteration shared by {@link sinkhorn} and {@link sinkhornUnbalanced}: log-domain
 * potentials absorbed into a kernel (Schmitzer 2019, "Stabilized sparse scaling algorithms
 * for entropy regularized transport problems", Alg. 2 with absorption) so that an iteration
 * is two matrix-vector products instead of 2 n m exponentials.
 *
 * Total potentials are `F_i = f_i + reg ln u_i`, `G_j = g_j + reg ln v_j`, the kernel is
 * `K_ij = exp((f_i + g_j - C_ij) / reg)` and the plan `P_ij = K_ij u_i v_j`
 * `= exp((F_i + G_j - C_ij) / reg)`. Updates (exponent `phi = 1` balanced,
 * `rho / (rho + reg)` for a KL marginal penalty rho):
 *   v_j = (b_j / (K^T u)_j)^phi exp(-(1 - phi) g_j / reg),  u_i likewise with a and K v.
 * Exactness: f and g start at the c-transforms (row minima, then column minima of C - f), so
 * every row and column of K holds a 1; scalings are absorbed into f, g as soon as one leaves
 * [1e-100, 1e100]; a row or column whose sum falls below 1e-150 is updated by an exact
 * log-sum-exp instead. Kernel entries that underflow (below 2^-1022) then contribute less
 * than 1e-55 relative to their sums, so the iterates equal those of the textbook log-domain
 * iteration to float64 rounding.
 *
 * @internal
 */
export interface EngineInput {
  a: Float64Array;
  b: Float64Array;
  cost: Float64Array;
  n: number;
  m: number;
  reg: number;
  /** exponent of the row update (1 for a hard marginal constraint) */
  phiA: number;
  /** exponent of the column update */
  phiB: number;
  maxIterations: number;
  /** stop when the error is <= tolerance */
  tolerance: number;
  /** "marginal": L1 column marginal error after a row update; "potential": max |change of F| per iteration */
  criterion: "marginal" | "potential";
  /** warm-start potentials (total F and G); default the c-transforms of C */
  f0?: Float64Array;
  g0?: Float64Array;
  /** over-relaxation weight omega in [1, 2): F <- (1 - omega) F + omega F_sinkhorn (1: plain Sinkhorn) */
  omega: number;
}

/** @internal */
export interface EngineOutput {
  plan: Float64Array;
  f: Float64Array;
  g: Float64Array;
  iterations: number;
  converged: boolean;
  error: number;
}

const BIG = 1e100;
const SMALL = 1e-100;
const TINY_SUM = 1e-150;

/** Runs the iteration; never more than `maxIterations` iterations. @internal */
export function runSinkhorn(p: EngineInput): EngineOutput {
  const { a, b, cost: C, n, m, reg, phiA, phiB, maxIterations, tolerance, criterion } = p;
  let omega = p.omega, best = Infinity;
  const f = new Float64Array(n), g = new Float64Array(m);
  const u = new Float64Array(n).fill(1), v = new Float64Array(m).fill(1);
  const s = new Float64Array(m);
  const K = new Float64Array(n * m);
  if (p.f0 && p.g0) { f.set(p.f0); g.set(p.g0); } else cTransforms(C, f, g, n, m);
  const invReg = 1 / reg;
  fillKernel(K, C, f, g, n, m, invReg);
  let iterations = 0, converged = false, error = Infinity, rowError = 0;
  columnSums(K, u, s, n, m);
  for (let it = 1; it <= maxIterations + 1; it++) {
    if (criterion === "marginal" && it > 1) {
      // rows are exact after a plain row update (rowError = 0); over-relaxed ones are not
      let e = rowError;
      for (let j = 0; j < m; j++) e += Math.abs((v[j] as number) * (s[j] as number) - (b[j] as number));
      error = e;
      if (e <= tolerance) { converged = true; break; }
      if (omega !== 1 && e > 10 * best) omega = 1; // safeguard: over-relaxation is only locally convergent
      best = Math.min(best, e);
    }
    if (it > maxIterations) break;
    iterations = it;
    // column update from s = K^T u
    for (let j = 0; j < m; j++) {
      const sj = s[j] as number;
      if (sj < TINY_SUM) { exactColumn(p, K, f, g, u, v, j); continue; }
      let vj = (b[j] as number) / sj;
      if (phiB !== 1) vj = pow(vj, phiB) * Math.exp(-(1 - phiB) * (g[j] as number) * invReg);
      if (omega !== 1) vj = pow(vj, omega) * pow(v[j] as number, 1 - omega);
      // a relaxed marginal can ask for a scaling beyond float64 (exp(-(1 - phi) g / reg) with g / reg
      // near 1e17 underflows to 0): the log-domain update gives the same potential, finite
      if (!(vj > 0 && vj < Infinity)) { exactColumn(p, K, f, g, u, v, j); continue; }
      v[j] = vj;
    }
    // row update fused with the next column sums: each row of K is read once per iteration
    s.fill(0);
    let change = 0;
    rowError = 0;
    for (let i = 0; i < n; i++) {
      const o = i * m;
      const r = rowDot(K, o, v, m);
      const old = u[i] as number;
      if (r < TINY_SUM) {
        const F = (f[i] as number) + reg * Math.log(old);
        exactRow(p, K, f, g, u, v, i);
        if (criterion === "potential") change = Math.max(change, Math.abs((f[i] as number) - F));
      } else {
        let ui = (a[i] as number) / r;
        if (phiA !== 1) ui = pow(ui, phiA) * Math.exp(-(1 - phiA) * (f[i] as number) * invReg);
        if (omega !== 1) ui = pow(ui, omega) * pow(old, 1 - omega);
        if (!(ui > 0 && ui < Infinity)) {
          // as for the columns: the log-domain update when the scaling leaves float64
          const F = (f[i] as number) + reg * Math.log(old);
          exactRow(p, K, f, g, u, v, i);
          if (criterion === "potential") change = Math.max(change, Math.abs((f[i] as number) - F));
        } else {
          if (omega !== 1) rowError += Math.abs(ui * r - (a[i] as number));
          u[i] = ui;
          if (criterion === "potential") change = Math.max(change, reg * Math.abs(Math.log(ui / old)));
        }
      }
      axpy(K, o, u[i] as number, s, m);
    }
    if (criterion === "potential") {
      error = change;
      if (change <= tolerance) { converged = true; break; }
      if (omega !== 1 && change > 10 * best) omega = 1;
      best = Math.min(best, change);
    }
    if (outside(u) || outside(v)) {
      for (let i = 0; i < n; i++) { f[i] = (f[i] as number) + reg * Math.log(u[i] as number); u[i] = 1; }
      for (let j = 0; j < m; j++) { g[j] = (g[j] as number) + reg * Math.log(v[j] as number); v[j] = 1; }
      fillKernel(K, C, f, g, n, m, invReg);
      columnSums(K, u, s, n, m);
    }
  }
  // plan P = diag(u) K diag(v) in place; potentials F = f + reg ln u, G = g + reg ln v
  for (let i = 0; i < n; i++) {
    const ui = u[i] as number, o = i * m;
    for (let j = 0; j < m; j++) K[o + j] = (K[o + j] as number) * ui * (v[j] as number);
    f[i] = (f[i] as number) + reg * Math.log(ui);
  }
  for (let j = 0; j < m; j++) g[j] = (g[j] as number) + reg * Math.log(v[j] as number);
  return { plan: K, f, g, iterations, converged, error };
}

function fillKernel(K: Float64Array, C: Float64Array, f: Float64Array, g: Float64Array, n: number, m: number, invReg: number): void {
  for (let i = 0; i < n; i++) {
    const o = i * m, fi = f[i] as number;
    for (let j = 0; j < m; j++) K[o + j] = Math.exp((fi + (g[j] as number) - (C[o + j] as number)) * invReg);
  }
}

function outside(x: Float64Array): boolean {
  for (let k = 0; k < x.length; k++) {
    const t = x[k] as number;
    if (!(t < BIG && t > SMALL)) return true;
  }
  return false;
}

/** Exact log-domain update of row i: F_i = phi (reg ln a_i - reg LSE_j((G_j - C_ij)/reg)); refreshes K's row. */
function exactRow(p: EngineInput, K: Float64Array, f: Float64Array, g: Float64Array, u: Float64Array, v: Float64Array, i: number): void {
  const { cost: C, m, reg, a, phiA } = p, o = i * m;
  let max = -Infinity;
  for (let j = 0; j < m; j++) max = Math.max(max, ((g[j] as number) + reg * Math.log(v[j] as number) - (C[o + j] as number)) / reg);
  let sum = 0;
  for (let j = 0; j < m; j++) sum += Math.exp(((g[j] as number) + reg * Math.log(v[j] as number) - (C[o + j] as number)) / reg - max);
  const F = phiA * reg * (Math.log(a[i] as number) - max - Math.log(sum));
  f[i] = F;
  u[i] = 1;
  for (let j = 0; j < m; j++) K[o + j] = Math.exp((F + (g[j] as number) - (C[o + j] as number)) / reg);
}

/** Exact log-domain update of column j, as {@link exactRow}. */
function exactColumn(p: EngineInput, K: Float64Array, f: Float64Array, g: Float64Array, u: Float64Array, v: Float64Array, j: number): void {
  const { cost: C, n, m, reg, b, phiB } = p;
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, ((f[i] as number) + reg * Math.log(u[i] as number) - (C[i * m + j] as number)) / reg);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(((f[i] as number) + reg * Math.log(u[i] as number) - (C[i * m + j] as number)) / reg - max);
  const G = phiB * reg * (Math.log(b[j] as number) - max - Math.log(sum));
  g[j] = G;
  v[j] = 1;
  for (let i = 0; i < n; i++) K[i * m + j] = Math.exp(((f[i] as number) + G - (C[i * m + j] as number)) / reg);
}

/** s = K^T u. */
function columnSums(K: Float64Array, u: Float64Array, s: Float64Array, n: number, m: number): void {
  s.fill(0);
  for (let i = 0; i < n; i++) axpy(K, i * m, u[i] as number, s, m);
}

/** sum_j K[o + j] v_j with four accumulators (breaks the add latency chain). */
function rowDot(K: Float64Array, o: number, v: Float64Array, m: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, j = 0;
  for (; j + 3 < m; j += 4) {
    s0 += (K[o + j] as number) * (v[j] as number);
    s1 += (K[o + j + 1] as number) * (v[j + 1] as number);
    s2 += (K[o + j + 2] as number) * (v[j + 2] as number);
    s3 += (K[o + j + 3] as number) * (v[j + 3] as number);
  }
  for (; j < m; j++) s0 += (K[o + j] as number) * (v[j] as number);
  return (s0 + s1) + (s2 + s3);
}

/** s_j += alpha K[o + j]. */
function axpy(K: Float64Array, o: number, alpha: number, s: Float64Array, m: number): void {
  let j = 0;
  for (; j + 3 < m; j += 4) {
    s[j] = (s[j] as number) + (K[o + j] as number) * alpha;
    s[j + 1] = (s[j + 1] as number) + (K[o + j + 1] as number) * alpha;
    s[j + 2] = (s[j + 2] as number) + (K[o + j + 2] as number) * alpha;
    s[j + 3] = (s[j + 3] as number) + (K[o + j + 3] as number) * alpha;
  }
  for (; j < m; j++) s[j] = (s[j] as number) + (K[o + j] as number) * alpha;
}

/** c-transform start: f_i = min_j C_ij, g_j = min_i (C_ij - f_i) >= 0, so K has a 1 in every row and column. */
function cTransforms(C: Float64Array, f: Float64Array, g: Float64Array, n: number, m: number): void {
  for (let i = 0; i < n; i++) {
    let min = Infinity;
    const o = i * m;
    for (let j = 0; j < m; j++) min = Math.min(min, C[o + j] as number);
    f[i] = min;
  }
  g.fill(Infinity);
  for (let i = 0; i < n; i++) {
    const o = i * m, fi = f[i] as number;
    for (let j = 0; j < m; j++) {
      const h = (C[o + j] as number) - fi;
      if (h < (g[j] as number)) g[j] = h;
    }
  }
}

/* Test helpers: rooted trees for Runge-Kutta order conditions, reference problems and fields. */
import ndarray from "ndarray";
import type { Batch } from "../../src/core/batch.js";
import type { VelocityField } from "../../src/core/interfaces.js";
import type { Time } from "../../src/core/time.js";
import { timeAt } from "../../src/core/time.js";

/** A rooted tree: its order, its children (indices into the list) and gamma. */
export interface Tree { order: number; children: number[]; gamma: number }

/** All rooted trees of order <= p (1, 1, 2, 4, 9, 20, 48, 115 of orders 1..8). */
export function rootedTrees(p: number): Tree[] {
  const trees: Tree[] = [{ order: 1, children: [], gamma: 1 }];
  for (let n = 2; n <= p; n++) {
    const existing = trees.length;
    // children: multisets (non-increasing indices) of earlier trees whose orders sum to n - 1
    const rec = (rest: number, maxIdx: number, acc: number[]): void => {
      if (rest === 0) {
        let gamma = n;
        for (const c of acc) gamma *= (trees[c] as Tree).gamma;
        trees.push({ order: n, children: [...acc], gamma });
        return;
      }
      for (let k = Math.min(maxIdx, existing - 1); k >= 0; k--) {
        const o = (trees[k] as Tree).order;
        if (o <= rest) rec(rest - o, k, [...acc, k]);
      }
    };
    rec(n - 1, existing - 1, []);
  }
  return trees;
}

/** Largest |b . Phi(tree) - 1/gamma(tree)| over the trees of each order 1..p (index = order). */
export function orderResiduals(a: readonly (readonly number[])[], b: readonly number[], p: number): number[] {
  const s = b.length;
  const trees = rootedTrees(p);
  const phi: Float64Array[] = [];
  const res = new Array<number>(p + 1).fill(0);
  for (const tree of trees) {
    const g = new Float64Array(s).fill(1);
    for (const c of tree.children) {
      const child = phi[c] as Float64Array;
      for (let i = 0; i < s; i++) {
        let acc = 0;
        const row = a[i] ?? [];
        for (let j = 0; j < row.length; j++) acc += (row[j] as number) * (child[j] as number);
        g[i] = (g[i] as number) * acc;
      }
    }
    phi.push(g);
    let dot = 0;
    for (let i = 0; i < s; i++) dot += (b[i] as number) * (g[i] as number);
    res[tree.order] = Math.max(res[tree.order] as number, Math.abs(dot - 1 / tree.gamma));
  }
  return res;
}

export const ARENSTORF_T = 17.0652165601579625588917206249;
export const ARENSTORF_Y0 = [0.994, 0, 0, -2.00158510637908252240537862224];

/** Arenstorf restricted three-body problem (Hairer, Norsett, Wanner I, eq. 0.1), 4 columns per row. */
export function arenstorf(_t: Time, y: Batch, out: Batch): void {
  const mu = 0.012277471;
  const mp = 1 - mu;
  const a = y.data;
  const o = out.data;
  const n = y.shape[0] as number;
  for (let i = 0; i < n; i++) {
    const y1 = a[4 * i] as number, y2 = a[4 * i + 1] as number, v1 = a[4 * i + 2] as number, v2 = a[4 * i + 3] as number;
    const D1 = ((y1 + mu) ** 2 + y2 ** 2) ** 1.5;
    const D2 = ((y1 - mp) ** 2 + y2 ** 2) ** 1.5;
    o[4 * i] = v1;
    o[4 * i + 1] = v2;
    o[4 * i + 2] = y1 + 2 * v2 - (mp * (y1 + mu)) / D1 - (mu * (y1 - mp)) / D2;
    o[4 * i + 3] = y2 - 2 * v1 - (mp * y2) / D1 - (mu * y2) / D2;
  }
}

/** Max-abs error of row `row` of a 4-column batch against the Arenstorf initial state. */
export function arenstorfError(y: Batch, row = 0): number {
  let e = 0;
  for (let j = 0; j < 4; j++) e = Math.max(e, Math.abs((y.data[row * 4 + j] as number) - (ARENSTORF_Y0[j] as number)));
  return e;
}

/**
 * The closed-form marginal field of the condOT path from N(0, I) to N(mu, diag s^2) with
 * independent coupling (REFERENCES.md): u_i = mu_i + (t s_i^2 - (1 - t)) / v_i (x_i - t mu_i),
 * v_i = (1 - t)^2 + t^2 s_i^2, with its exact divergence and Jacobian-vector product.
 */
export function gaussianToGaussianField(mu: readonly number[], s: readonly number[], withDivergence = true): VelocityField {
  const d = mu.length;
  const coef = (t: number, i: number): number => {
    const si = s[i] as number;
    return (t * si * si - (1 - t)) / ((1 - t) ** 2 + t * t * si * si);
  };
  const field: VelocityField = {
    dim: d,
    evaluate(x, t, out) {
      const n = x.shape[0] as number;
      const o = out ?? ndarray(new Float64Array(n * d), [n, d]);
      for (let r = 0; r < n; r++) {
        const tr = timeAt(t, r);
        for (let i = 0; i < d; i++) {
          const m = mu[i] as number;
          o.data[r * d + i] = m + coef(tr, i) * ((x.data[r * d + i] as number) - tr * m);
        }
      }
      return o;
    },
    jvp(x, t, v, out) {
      const n = x.shape[0] as number;
      const o = out ?? ndarray(new Float64Array(n * d), [n, d]);
      for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) o.data[r * d + i] = coef(timeAt(t, r), i) * (v.data[r * d + i] as number);
      return o;
    },
  };
  if (withDivergence) {
    field.divergence = (x, t, out) => {
      const n = x.shape[0] as number;
      const o = out ?? new Float64Array(n);
      for (let r = 0; r < n; r++) {
        let acc = 0;
        for (let i = 0; i < d; i++) acc += coef(timeAt(t, r), i);
        o[r] = acc;
      }
      return o;
    };
  }
  return field;
}

/** The linear field u = A x (A row-major d x d), with a JVP unless `jvp` is false. */
export function linearField(A: readonly number[], d: number, jvp = true): VelocityField {
  const apply = (x: Batch, out: Batch | undefined): Batch => {
    const n = x.shape[0] as number;
    const o = out ?? ndarray(new Float64Array(n * d), [n, d]);
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < d; i++) {
        let acc = 0;
        for (let j = 0; j < d; j++) acc += (A[i * d + j] as number) * (x.data[r * d + j] as number);
        o.data[r * d + i] = acc;
      }
    }
    return o;
  };
  const field: VelocityField = { dim: d, evaluate: (x, _t, out) => apply(x, out) };
  if (jvp) field.jvp = (_x, _t, v, out) => apply(v, out);
  return field;
}

/** expm(M) by scaling and squaring with a degree-18 Taylor polynomial (M row-major d x d). */
export function expm(M: readonly number[], d: number): number[] {
  let norm = 0;
  for (let i = 0; i < d; i++) {
    let row = 0;
    for (let j = 0; j < d; j++) row += Math.abs(M[i * d + j] as number);
    norm = Math.max(norm, row);
  }
  const s = Math.max(0, Math.ceil(Math.log2(norm / 0.25)));
  const scaled = M.map((v) => v / 2 ** s);
  const mul = (P: number[], Q: readonly number[]): number[] => {
    const R = new Array<number>(d * d).fill(0);
    for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) R[i * d + j] = (R[i * d + j] as number) + (P[i * d + k] as number) * (Q[k * d + j] as number);
    return R;
  };
  let result = new Array<number>(d * d).fill(0);
  let term = new Array<number>(d * d).fill(0);
  for (let i = 0; i < d; i++) { result[i * d + i] = 1; term[i * d + i] = 1; }
  for (let k = 1; k <= 18; k++) {
    term = mul(term, scaled).map((v) => v / k);
    result = result.map((v, i) => v + (term[i] as number));
  }
  for (let k = 0; k < s; k++) result = mul(result, result);
  return result;
}

import type { Activation } from "../nn/spec.js";

/** gpu.js kernel sources of the MLP layers (internal). Loop bounds are constants, never arguments. */

/** Statements computing `y = act(s)` and, with `slope`, `return act'(s) * ds`. */
function activation(act: Activation | "linear", slope: boolean): string {
  switch (act) {
    case "linear": return slope ? "return ds;" : "return s;";
    case "silu": return `const g = 1 / (1 + Math.exp(-Math.max(s, -80))); ${slope ? "return g * (1 + s * (1 - g)) * ds;" : "return s * g;"}`;
    case "tanh": return `const y = Math.tanh(Math.min(Math.max(s, -15), 15)); ${slope ? "return (1 - y * y) * ds;" : "return y;"}`;
    case "relu": return slope ? "if (s > 0) { return ds; } return 0;" : "return Math.max(s, 0);";
    case "selu": return slope
      ? "if (s > 0) { return 1.0507009873554805 * ds; } return 1.7580993408473766 * Math.exp(s) * ds;"
      : "if (s > 0) { return 1.0507009873554805 * s; } return 1.7580993408473766 * (Math.exp(s) - 1);";
    case "gelu": return `const y = Math.tanh(Math.min(Math.max(0.7978845608028654 * (s + 0.044715 * s * s * s), -15), 15)); ${slope
      ? "return (0.5 * (1 + y) + 0.5 * s * (1 - y * y) * 0.7978845608028654 * (1 + 0.134145 * s * s)) * ds;"
      : "return 0.5 * s * (1 + y);"}`;
  }
}

/** Dense layer act(W h + b): output [outputs, rows]; constant K = inputs. */
export function layerSource(act: Activation | "linear"): string {
  return `function(h, w, b) {
  let s = b[this.thread.x];
  for (let i = 0; i < this.constants.K; i++) {
    s += w[this.thread.x * this.constants.K + i] * h[this.thread.y][i];
  }
  ${activation(act, false)}
}`;
}

/** Tangent of a dense layer: act'(W h + b) (W dh), dh with KT leading columns (the rest zero). */
export function tangentSource(act: Activation | "linear"): string {
  const primal = act === "linear" ? "" : `let s = b[this.thread.x];
  for (let i = 0; i < this.constants.K; i++) {
    s += w[this.thread.x * this.constants.K + i] * h[this.thread.y][i];
  }`;
  return `function(h, dh, w, b) {
  ${primal}
  let ds = 0;
  for (let j = 0; j < this.constants.KT; j++) {
    ds += w[this.thread.x * this.constants.K + j] * dh[this.thread.y][j];
  }
  ${activation(act, true)}
}`;
}

/** Scaled logits of the empirical marginal field: -|x sx - y sa|^2 / 2, output [tile, rows]; constant D. */
export const LOGITS_SOURCE = `function(x, y, sx, sa) {
  let q = 0;
  for (let c = 0; c < this.constants.D; c++) {
    const e = x[this.thread.y][c] * sx[this.thread.y] - y[this.thread.x][c] * sa[this.thread.y];
    q += e * e;
  }
  return -0.5 * q;
}`;

/** Row maximum of the logits over a data tile of N points, output [rows]. */
export const ROWMAX_SOURCE = `function(l) {
  let m = l[this.thread.x][0];
  for (let i = 1; i < this.constants.N; i++) {
    m = Math.max(m, l[this.thread.x][i]);
  }
  return m;
}`;

/** exp(logit - row max), output [tile, rows]. */
export const WEIGHTS_SOURCE = `function(l, m) {
  return Math.exp(l[this.thread.y][this.thread.x] - m[this.thread.y]);
}`;

/** Weighted sums: column c < D gives sum_i p_i y_ic, column D gives sum_i p_i; output [D + 1, rows]. */
export const ACCUMULATE_SOURCE = `function(p, y) {
  let s = 0;
  if (this.thread.x < this.constants.D) {
    for (let i = 0; i < this.constants.N; i++) {
      s += p[this.thread.y][i] * y[i][this.thread.x];
    }
  } else {
    for (let i = 0; i < this.constants.N; i++) {
      s += p[this.thread.y][i];
    }
  }
  return s;
}`;

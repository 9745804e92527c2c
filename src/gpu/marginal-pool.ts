import type { ThreadSupport } from "../engine/threads.js";
import { RowPool } from "../engine/threads.js";
import { empiricalValueRows, nearest, softmax } from "../velocity/marginal-kernels.js";

/** The source text of the empirical marginal kernel's worker side (see {@link MarginalPool}). */
function marginalSource(): string {
  return `${softmax.toString()}
${nearest.toString()}
const empiricalValueRows = ${empiricalValueRows.toString()};
function setup(data) {
  return { y: new Float64Array(data.means), d: data.d, K: data.K, x: new Float64Array(data.x), coef: new Float64Array(data.coef), out: new Float64Array(data.out), logits: new Float64Array(data.K), w: new Float64Array(data.K), yHat: new Float64Array(data.d) };
}
function runRange(st, first, count) {
  empiricalValueRows(st.y, st.d, st.K, st.x, st.coef, first, count, st.logits, st.w, st.yHat, st.out);
}`;
}

/**
 * A pool for the float64 empirical marginal field (internal): the data points copied once into
 * shared memory, query rows `x`, per-row scheduler values `coef` ([alpha, sigma, alpha', sigma'])
 * and outputs in shared float64 buffers of `capacity` rows. Every thread runs the code of the
 * CPU field (`empiricalValueRows`), so results are bit-identical to it.
 */
export class MarginalPool extends RowPool {
  /** Query rows [capacity, d], written by the caller before {@link RowPool.run}. */
  readonly x: Float64Array;
  /** [alpha, sigma, alpha', sigma'] per row, written by the caller. */
  readonly coef: Float64Array;
  /** Velocities [capacity, d]. */
  readonly out: Float64Array;

  constructor(means: Float64Array, d: number, K: number, workers: number, readonly capacity: number, support: ThreadSupport, hooks: { stallMs?: number; source?: string } = {}) {
    const shared = (n: number) => new Float64Array(new SharedArrayBuffer(8 * n));
    const y = shared(K * d);
    y.set(means.subarray(0, K * d));
    const x = shared(capacity * d);
    const coef = shared(capacity * 4);
    const out = shared(capacity * d);
    const logits = new Float64Array(K), w = new Float64Array(K), yHat = new Float64Array(d);
    super({
      name: "flow-matching marginal",
      source: marginalSource(),
      data: { means: y.buffer, d, K, x: x.buffer, coef: coef.buffer, out: out.buffer },
      blockRows: 16,
      local: (first, count) => empiricalValueRows(y, d, K, x, coef, first, count, logits, w, yHat, out),
    }, workers, support, hooks);
    this.x = x;
    this.coef = coef;
    this.out = out;
  }
}


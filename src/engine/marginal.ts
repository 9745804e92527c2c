import { empiricalValueRows, nearest, softmax } from "./marginal-direct.js";
import type { MarginalKernel, MarginalPlan } from "./marginal-f64.js";
import { loadMarginal, marginalF64Module, marginalPlan, marginalRows } from "./marginal-f64.js";
import type { EngineOptions } from "./options.js";
import type { ThreadSupport } from "./threads.js";
import { RowPool, ThreadFailure, poolThreads, threadSupport } from "./threads.js";
import { rowParts, runRowTiles } from "./row-tiles.js";

/** Largest WebAssembly memory of the GEMM form (bytes). */
const MAX_BYTES = 2 ** 29;

/**
 * The empirical marginal field's values on the engine (internal): the GEMM form of
 * marginal-f64.ts (the difference form where WebAssembly SIMD is missing), rows split over the
 * calling thread and worker threads when the call is large enough. A row's result is the same
 * bits whatever the thread count (see marginal-f64.ts), and the same as the difference form
 * wherever the GEMM form is not used.
 */
export class MarginalEngine {
  protected readonly plan: MarginalPlan | null;
  private readonly kernel: MarginalKernel | null;
  private readonly support: ThreadSupport | null;
  /** Threads of a large call (1 after a thread failure). */
  threads: number;
  private readonly tileRows: number;
  /** Thread failures (a failed call's rows are recomputed here and later calls stay on this thread). */
  readonly failure = new ThreadFailure();
  protected pool: MarginalF64Pool | null = null;
  private readonly logits: Float64Array;
  private readonly w: Float64Array;
  private readonly yHat: Float64Array;

  constructor(protected readonly y: Float64Array, private readonly K: number, private readonly d: number, options: EngineOptions, private readonly fn: string) {
    // the GEMM form keeps the data twice in WebAssembly memory (and once more per worker): past
    // MAX_BYTES (K d above about 32 million) the difference form runs instead
    const plan = marginalF64Module === null ? null : marginalPlan(y, K, d);
    // overflowing norms: the GEMM form cannot be bounded, every row goes to the direct form
    this.plan = plan !== null && plan.bytes <= MAX_BYTES && Number.isFinite(plan.y2Max) ? plan : null;
    this.kernel = this.plan === null ? null : loadMarginal(marginalF64Module as WebAssembly.Module, y, this.plan);
    this.support = threadSupport();
    this.threads = poolThreads(options.threads, this.support);
    this.tileRows = options.tileRows ?? 16384;
    this.logits = new Float64Array(K);
    this.w = new Float64Array(K);
    this.yHat = new Float64Array(d);
  }

  /** Velocities of n rows of `x` with per-row [alpha, sigma, alpha', sigma'] in `coef`, into `out`. */
  evaluate(x: Float64Array, coef: Float64Array, n: number, out: Float64Array): void {
    const parts = rowParts(this.threads, n, this.K, this.d);
    if (parts <= 1 || this.support === null) {
      this.local(x, coef, 0, n, out);
      return;
    }
    const pool = (this.pool ??= new MarginalF64Pool(this.y, this.K, this.d, this.plan, this.threads - 1, Math.min(this.tileRows, n), this.support));
    if (!runRowTiles(pool, this.failure, this.fn, x, coef, n, this.d, parts, out, (xs, cs, count, o) => this.local(xs, cs, 0, count, o))) {
      this.pool = null;
      this.threads = 1;
    }
  }

  /** Stops the worker threads (a later large call starts new ones). */
  dispose(): void {
    this.pool?.dispose();
    this.pool = null;
  }

  private local(x: Float64Array, coef: Float64Array, first: number, count: number, out: Float64Array): void {
    const { y, K, d, logits, w, yHat } = this;
    const direct = (row: number) => empiricalValueRows(y, d, K, x, coef, row, 1, logits, w, yHat, out);
    if (this.kernel === null || this.plan === null) empiricalValueRows(y, d, K, x, coef, first, count, logits, w, yHat, out);
    else marginalRows(this.kernel, this.plan, x, coef, first, count, out, direct);
  }
}

/** The worker side of {@link MarginalF64Pool}: the GEMM rows, the difference form for the rows it cannot take. */
function poolSource(): string {
  return `${softmax.toString()}
${nearest.toString()}
const empiricalValueRows = ${empiricalValueRows.toString()};
const marginalRows = ${marginalRows.toString()};
function setup(data) {
  const st = { y: new Float64Array(data.y), d: data.d, K: data.K, plan: data.plan, x: new Float64Array(data.x), coef: new Float64Array(data.coef), out: new Float64Array(data.out), logits: new Float64Array(data.K), w: new Float64Array(data.K), yHat: new Float64Array(data.d) };
  if (data.plan !== null) {
    st.kernel = new WebAssembly.Instance(data.module, {}).exports;
    const have = st.kernel.memory.buffer.byteLength;
    if (data.plan.bytes > have) st.kernel.memory.grow(Math.ceil((data.plan.bytes - have) / 65536));
    new Float64Array(st.kernel.memory.buffer).set(new Float64Array(data.packed));
  }
  st.direct = (row) => empiricalValueRows(st.y, st.d, st.K, st.x, st.coef, row, 1, st.logits, st.w, st.yHat, st.out);
  return st;
}
function runRange(st, first, count) {
  if (st.plan === null) empiricalValueRows(st.y, st.d, st.K, st.x, st.coef, first, count, st.logits, st.w, st.yHat, st.out);
  else marginalRows(st.kernel, st.plan, st.x, st.coef, first, count, st.out, st.direct);
}`;
}

/**
 * The worker pool of {@link MarginalEngine} (internal): the data copied once into shared memory
 * and into every worker's module instance; query rows, per-row scheduler values and outputs in
 * shared buffers of `capacity` rows.
 */
export class MarginalF64Pool extends RowPool {
  readonly x: Float64Array;
  readonly coef: Float64Array;
  readonly out: Float64Array;

  /** @param hooks - for tests: a replacement worker source, the stall limit */
  constructor(means: Float64Array, K: number, d: number, plan: MarginalPlan | null, workers: number, readonly capacity: number, support: ThreadSupport, hooks: { stallMs?: number; source?: string } = {}) {
    const shared = (n: number) => new Float64Array(new SharedArrayBuffer(8 * n));
    const y = shared(K * d);
    y.set(means.subarray(0, K * d));
    const x = shared(capacity * d);
    const coef = shared(capacity * 4);
    const out = shared(capacity * d);
    let packed: Float64Array | null = null;
    let kernel: MarginalKernel | null = null;
    if (plan !== null) {
      kernel = loadMarginal(marginalF64Module as WebAssembly.Module, means, plan);
      packed = new Float64Array(kernel.memory.buffer, 0, plan.y / 8 + plan.n2 * plan.e).slice();
    }
    const logits = new Float64Array(K), w = new Float64Array(K), yHat = new Float64Array(d);
    const direct = (row: number) => empiricalValueRows(y, d, K, x, coef, row, 1, logits, w, yHat, out);
    super({
      name: "flow-matching marginal",
      source: poolSource(),
      data: { y: y.buffer, d, K, plan, module: marginalF64Module, packed, x: x.buffer, coef: coef.buffer, out: out.buffer },
      blockRows: 32,
      local: (first, count) => {
        if (kernel === null || plan === null) empiricalValueRows(y, d, K, x, coef, first, count, logits, w, yHat, out);
        else marginalRows(kernel, plan, x, coef, first, count, out, direct);
      },
    }, workers, support, hooks);
    this.x = x;
    this.coef = coef;
    this.out = out;
  }
}

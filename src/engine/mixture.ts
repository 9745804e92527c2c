import type { MarginalKernel } from "./marginal-f64.js";
import { marginalF64Module } from "./marginal-f64.js";
import { ensureBytes, instantiate } from "./wasm/load.js";
import type { MixturePlan } from "./mixture-rows.js";
import { mixtureColumns, mixtureDirectRows, mixtureGemmRows, mixturePlan } from "./mixture-rows.js";
import type { EngineOptions } from "./options.js";
import type { ThreadSupport } from "./threads.js";
import { RowPool, ThreadFailure, poolThreads, threadSupport } from "./threads.js";
import { rowParts, runRowTiles } from "./row-tiles.js";

/** Largest WebAssembly memory of the GEMM form (bytes). */
const MAX_BYTES = 2 ** 29;
/** Call header: generation, mode (1: GEMM at one time), alpha, sigma, alpha', sigma', P, Q, B. */
const HEADER = 9;

/**
 * The diagonal Gaussian-mixture marginal field's values on the engine (internal): the GEMM form of
 * mixture-rows.ts when every row of a call shares one time (the difference form otherwise, or
 * where WebAssembly SIMD is missing), rows split over the calling thread and worker threads when
 * the call is large enough. A row's result is the same bits whatever the thread count.
 */
export class MixtureEngine {
  private readonly plan: MixturePlan | null;
  private readonly kernel: MarginalKernel | null;
  private readonly support: ThreadSupport | null;
  /** Threads of a large call (1 after a thread failure). */
  threads: number;
  private readonly tileRows: number;
  readonly failure = new ThreadFailure();
  private pool: MixturePool | null = null;
  private readonly logits: Float64Array;
  private readonly w: Float64Array;
  private readonly call = new Float64Array(HEADER);

  constructor(private readonly means: Float64Array, private readonly variances: Float64Array, private readonly logWeights: Float64Array, private readonly K: number, private readonly d: number, options: EngineOptions, private readonly fn: string) {
    const plan = marginalF64Module === null ? null : mixturePlan(means, variances, K, d);
    this.plan = plan !== null && plan.bytes <= MAX_BYTES ? plan : null;
    this.kernel = this.plan === null ? null : instantiate<MarginalKernel>(marginalF64Module as WebAssembly.Module);
    if (this.kernel !== null && this.plan !== null) ensureBytes(this.kernel.memory, this.plan.bytes);
    this.support = threadSupport();
    this.threads = poolThreads(options.threads, this.support);
    this.tileRows = options.tileRows ?? 16384;
    this.logits = new Float64Array(K);
    this.w = new Float64Array(K);
  }

  /** Velocities of n rows of `x` with per-row [alpha, sigma, alpha', sigma'] in `coef`, into `out` (NaN rows: zero density under every component). */
  evaluate(x: Float64Array, coef: Float64Array, n: number, out: Float64Array): void {
    const call = this.call;
    call[0] = (call[0] as number) + 1;
    call[1] = 0;
    let same = n > 0;
    for (let i = 4; i < 4 * n && same; i++) same = coef[i] === coef[i % 4];
    if (same && this.plan !== null && this.kernel !== null) {
      const guard = mixtureColumns(this.plan, this.means, this.variances, this.logWeights, coef[0] as number, coef[1] as number, coef[2] as number, coef[3] as number, new Float64Array(this.kernel.memory.buffer));
      if (guard !== null) {
        call[1] = 1;
        call.set(coef.subarray(0, 4), 2);
        call.set(guard, 6);
      }
    }
    const parts = rowParts(this.threads, n, this.K, this.d);
    if (parts <= 1 || this.support === null) {
      this.local(x, coef, 0, n, out);
      return;
    }
    const pool = (this.pool ??= new MixturePool(this, this.plan, this.threads - 1, Math.min(this.tileRows, n), this.support));
    pool.call.set(call);
    if (call[1] === 1 && this.plan !== null && this.kernel !== null) pool.panel.set(new Float64Array(this.kernel.memory.buffer, this.plan.bt, pool.panel.length));
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

  /** The data the pool copies (internal). */
  get parameters(): { means: Float64Array; variances: Float64Array; logWeights: Float64Array; K: number; d: number } {
    return { means: this.means, variances: this.variances, logWeights: this.logWeights, K: this.K, d: this.d };
  }

  private local(x: Float64Array, coef: Float64Array, first: number, count: number, out: Float64Array): void {
    const { means, variances, logWeights, K, d, logits, w } = this;
    const direct = (row: number) => mixtureDirectRows(means, variances, logWeights, d, K, x, coef, row, 1, logits, w, out);
    if (this.call[1] !== 1 || this.kernel === null || this.plan === null) mixtureDirectRows(means, variances, logWeights, d, K, x, coef, first, count, logits, w, out);
    else mixtureGemmRows(this.kernel, this.plan, this.call.subarray(2), x, first, count, out, direct);
  }
}

/** The worker side of {@link MixturePool}: the call's columns copied in when its generation is new. */
function poolSource(): string {
  return `const mixtureDirectRows = ${mixtureDirectRows.toString()};
const mixtureGemmRows = ${mixtureGemmRows.toString()};
function setup(data) {
  const f = (b) => new Float64Array(b);
  const st = { means: f(data.means), variances: f(data.variances), logWeights: f(data.logWeights), d: data.d, K: data.K, plan: data.plan, x: f(data.x), coef: f(data.coef), out: f(data.out), call: f(data.call), panel: f(data.panel), gen: -1, logits: new Float64Array(data.K), w: new Float64Array(data.K) };
  if (data.plan !== null) {
    st.kernel = new WebAssembly.Instance(data.module, {}).exports;
    const have = st.kernel.memory.buffer.byteLength;
    if (data.plan.bytes > have) st.kernel.memory.grow(Math.ceil((data.plan.bytes - have) / 65536));
  }
  st.direct = (row) => mixtureDirectRows(st.means, st.variances, st.logWeights, st.d, st.K, st.x, st.coef, row, 1, st.logits, st.w, st.out);
  return st;
}
function runRange(st, first, count) {
  if (st.call[1] !== 1 || st.plan === null) {
    mixtureDirectRows(st.means, st.variances, st.logWeights, st.d, st.K, st.x, st.coef, first, count, st.logits, st.w, st.out);
    return;
  }
  if (st.call[0] !== st.gen) {
    new Float64Array(st.kernel.memory.buffer, st.plan.bt, st.panel.length).set(st.panel);
    st.gen = st.call[0];
  }
  mixtureGemmRows(st.kernel, st.plan, st.call.subarray(2), st.x, first, count, st.out, st.direct);
}`;
}

/**
 * The worker pool of {@link MixtureEngine} (internal): the mixture in shared memory; per call the
 * header and the columns and gather rows (`panel`), which a worker copies into its module
 * instance when the call's generation is new; rows, per-row times and outputs of `capacity` rows.
 */
export class MixturePool extends RowPool {
  readonly x: Float64Array;
  readonly coef: Float64Array;
  readonly out: Float64Array;
  readonly call: Float64Array;
  readonly panel: Float64Array;

  /** @param hooks - for tests: a replacement worker source, the stall limit */
  constructor(engine: MixtureEngine, plan: MixturePlan | null, workers: number, readonly capacity: number, support: ThreadSupport, hooks: { stallMs?: number; source?: string } = {}) {
    const { means, variances, logWeights, K, d } = engine.parameters;
    const shared = (src: Float64Array | number) => {
      const a = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, typeof src === "number" ? src : src.length)));
      if (typeof src !== "number") a.set(src);
      return a;
    };
    const x = shared(capacity * d), coef = shared(capacity * 4), out = shared(capacity * d), call = shared(HEADER);
    const panel = shared(plan === null ? 1 : (plan.g - plan.bt) / 8 + plan.n2 * plan.e);
    const m = shared(means), v = shared(variances), lw = shared(logWeights);
    let kernel: MarginalKernel | null = null;
    if (plan !== null) {
      kernel = instantiate<MarginalKernel>(marginalF64Module as WebAssembly.Module);
      ensureBytes(kernel.memory, plan.bytes);
    }
    const logits = new Float64Array(K), w = new Float64Array(K);
    let gen = -1;
    const direct = (row: number) => mixtureDirectRows(m, v, lw, d, K, x, coef, row, 1, logits, w, out);
    super({
      name: "flow-matching mixture",
      source: poolSource(),
      data: { means: m.buffer, variances: v.buffer, logWeights: lw.buffer, d, K, plan, module: marginalF64Module, x: x.buffer, coef: coef.buffer, out: out.buffer, call: call.buffer, panel: panel.buffer },
      blockRows: 32,
      local: (first, count) => {
        if (call[1] !== 1 || kernel === null || plan === null) {
          mixtureDirectRows(m, v, lw, d, K, x, coef, first, count, logits, w, out);
          return;
        }
        if (call[0] !== gen) {
          new Float64Array(kernel.memory.buffer, plan.bt, panel.length).set(panel);
          gen = call[0] as number;
        }
        mixtureGemmRows(kernel, plan, call.subarray(2), x, first, count, out, direct);
      },
    }, workers, support, hooks);
    this.x = x;
    this.coef = coef;
    this.out = out;
    this.call = call;
    this.panel = panel;
  }
}

import type { ActivationExports, ChunkBuffers, ChunkEnv, ChunkNet, GemmExports } from "./mlp-chunks.js";
import { activateWith, backwardChunks, forwardChunks, gemmWith, tangentChunks } from "./mlp-chunks.js";
import type { EngineOptions } from "./options.js";
import type { ThreadSupport } from "./threads.js";
import { RowPool, ThreadFailure, poolThreads, threadSupport } from "./threads.js";
import { ACTIVATION_F64, GEMM_F64 } from "./wasm/modules.js";
import { compileModule, instantiate } from "./wasm/load.js";
import { MlpF64Shared } from "./f64-shared.js";

/** Rows per chunk: the unit of work and of the gradient reduction (fixed, so results never depend on the thread count). */
export const MLP_CHUNK_ROWS = 256;

const gemmModule = compileModule(GEMM_F64);
const activationModule = compileModule(ACTIVATION_F64);

/** Jobs of the pool (P = 2 job + buffer set). */
const FORWARD = 0, BACKWARD = 1, TANGENT = 2;

/** Buffer sets: the training pass (forward kept for backward) and the others (evaluate, jvp, divergence). */
export type BufferSet = 0 | 1;

/**
 * The float64 MLP on the engine (internal): batches of at least two chunks run chunk by chunk
 * (mlp-chunks.ts) over the calling thread and worker threads, in shared buffers; the backward
 * pass adds the chunks' partial gradients in chunk order. Values, tangents and gradients are the
 * same bits for every thread count (1 included: the same chunks run on the calling thread).
 */
export class MlpThreads {
  /** Threads of a call (1 after a thread failure). */
  threads: number;
  readonly failure = new ThreadFailure();
  private readonly support: ThreadSupport | null;
  private readonly env: ChunkEnv;
  private capacity = 0;
  private params: Float64Array = new Float64Array(0);
  private sets: ChunkBuffers[] = [];
  private pool: RowPool | null = null;
  /** Set 1's forward and tangents on one shared WebAssembly memory (f64-shared.ts), where it runs here. */
  private shared: MlpF64Shared | null = null;
  /** Whether set 1's last forward ran on `shared`. */
  private sharedForward = false;
  /** Whether that forward kept the slopes (tangents need them). */
  private sharedSlopes = false;

  /** Whether the engine can run the MLP here (WebAssembly SIMD). */
  static available(): boolean {
    return gemmModule !== null;
  }

  /** The thread count asked for (undefined: the default). */
  readonly requested: number | undefined;

  constructor(private readonly net: ChunkNet, options: EngineOptions, private readonly fn: string) {
    this.requested = options.threads;
    this.support = threadSupport();
    this.threads = poolThreads(options.threads, this.support);
    if (MlpF64Shared.available()) this.shared = new MlpF64Shared(net, this.threads, this.support, fn, this.failure);
    this.env = { gemm: gemmWith, g: instantiate<GemmExports>(gemmModule as WebAssembly.Module), act: activateWith, h: activationModule === null ? null : instantiate<ActivationExports>(activationModule) };
  }

  /** Whether a batch of n rows goes to the engine: two chunks or more. */
  static takes(n: number): boolean {
    return gemmModule !== null && n >= 2 * MLP_CHUNK_ROWS;
  }

  /** The first-layer input buffer of a set, [n, inputs], for the caller to fill (grows the buffers to n rows). */
  input(set: BufferSet, n: number): Float64Array {
    this.ensure(n);
    return (this.sets[set] as ChunkBuffers).input;
  }

  /**
   * Forward pass of n rows of the set's inputs with `parameters`; the values go to `out` ([n, dim]).
   * `slopes` false (set 1 only): no tangents follow, so the activations' slopes may be skipped.
   */
  forward(set: BufferSet, n: number, parameters: Float64Array, out: Float64Array, slopes = true): void {
    if (set === 1) {
      this.sharedForward = this.shared !== null && this.shared.forward((this.sets[1] as ChunkBuffers).input, n, parameters, out, slopes);
      this.sharedSlopes = slopes;
      if (this.sharedForward) return;
    }
    this.params.set(parameters);
    this.run(2 * FORWARD + set, n);
    out.set((this.sets[set] as ChunkBuffers).out.subarray(0, n * this.net.dim));
  }

  /** Backward pass after a forward of set 0: gradient (+)= sum over chunks, in chunk order, of the chunks' gradients. */
  backward(n: number, gradOutput: Float64Array, gradient: Float64Array, accumulate: boolean): void {
    const buf = this.sets[0] as ChunkBuffers;
    buf.seed.set(gradOutput.subarray(0, n * this.net.dim));
    this.run(2 * BACKWARD, n);
    const P = this.net.parameterCount, chunks = Math.ceil(n / MLP_CHUNK_ROWS);
    const parts = buf.partials;
    if (!accumulate) gradient.set(parts.subarray(0, P));
    for (let c = accumulate ? 0 : 1; c < chunks; c++) {
      const at = c * P;
      for (let i = 0; i < P; i++) gradient[i] = (gradient[i] as number) + (parts[at + i] as number);
    }
  }

  /** Tangents after a forward of set 1: `seed` fills the zeroed input tangents [n, inputs]; (dv/dx) z goes to `out`. */
  tangent(n: number, seed: (input: Float64Array) => void, out: Float64Array): void {
    const buf = this.sets[1] as ChunkBuffers;
    buf.seed.fill(0, 0, n * this.net.inputs);
    seed(buf.seed);
    if (this.sharedForward) {
      if (!this.sharedSlopes) throw new Error("MlpThreads.tangent(): the forward pass kept no slopes (internal)");
      (this.shared as MlpF64Shared).tangent(n, buf.seed, out);
      return;
    }
    this.run(2 * TANGENT + 1, n);
    out.set(buf.out.subarray(0, n * this.net.dim));
  }

  /** Stops the worker threads. */
  dispose(): void {
    this.pool?.dispose();
    this.pool = null;
    this.shared?.dispose();
  }

  /** Runs a job over the chunks of n rows: on the pool when there are threads to share, else here. */
  private run(P: number, n: number): void {
    const chunks = Math.ceil(n / MLP_CHUNK_ROWS);
    const parts = Math.min(this.threads, chunks);
    if (parts > 1 && this.support !== null) {
      this.pool ??= this.startPool();
      if (this.failure.run(this.pool, this.fn, chunks, parts, P, n)) return;
      this.pool.dispose();
      this.pool = null;
      this.threads = 1;
    }
    this.local(0, chunks, P, n);
  }

  private local(first: number, count: number, P: number, n: number): void {
    const job = P >> 1, buf = this.sets[P & 1] as ChunkBuffers;
    if (job === FORWARD) forwardChunks(this.env, this.net, buf, first, count, n);
    else if (job === BACKWARD) backwardChunks(this.env, this.net, buf, first, count, n);
    else tangentChunks(this.env, this.net, buf, first, count, n);
  }

  /** Shared buffers for at least n rows (a larger batch restarts the pool with larger buffers). */
  private ensure(n: number): void {
    if (n <= this.capacity) return;
    this.pool?.dispose();
    this.pool = null;
    const cap = Math.ceil(n / MLP_CHUNK_ROWS) * MLP_CHUNK_ROWS;
    const shared = (count: number): Float64Array => (this.support === null ? new Float64Array(count) : new Float64Array(new SharedArrayBuffer(8 * count)));
    const net = this.net;
    const hidden = net.widths.slice(0, -1);
    const widest = Math.max(net.inputs, ...net.widths);
    this.params = shared(net.parameterCount);
    const scratch = [0, 1, 2].map(() => new Float64Array(MLP_CHUNK_ROWS * widest));
    this.sets = [0, 1].map((set) => ({
      params: this.params,
      input: shared(cap * net.inputs),
      act: hidden.map((w) => shared(cap * w)),
      slope: hidden.map((w) => shared(cap * w)),
      out: shared(cap * net.dim),
      seed: shared(cap * Math.max(net.inputs, net.dim)),
      partials: set === 0 ? shared((cap / MLP_CHUNK_ROWS) * net.parameterCount) : new Float64Array(0),
      scratch,
    }));
    this.capacity = cap;
  }

  private startPool(): RowPool {
    const net = this.net;
    const buffer = (a: Float64Array) => a.buffer;
    const data = {
      gemm: gemmModule, act: activationModule, net, widest: Math.max(net.inputs, ...net.widths), params: this.params.buffer,
      sets: this.sets.map((s) => ({ input: buffer(s.input), act: s.act.map(buffer), slope: s.slope.map(buffer), out: buffer(s.out), seed: buffer(s.seed), partials: s.partials.length > 0 ? buffer(s.partials) : null })),
    };
    return new RowPool({
      name: "flow-matching mlp",
      source: mlpSource(),
      data,
      blockRows: 1,
      local: (first, count, P, n) => this.local(first, count, P, n),
    }, this.threads - 1, this.support as ThreadSupport);
  }
}

/** The worker side: its own kernel instances, views of the shared buffers, the chunk functions. */
function mlpSource(): string {
  return `const gemmWith = (${gemmWith.toString()});
const activateWith = (${activateWith.toString()});
const forwardChunks = (${forwardChunks.toString()});
const backwardChunks = (${backwardChunks.toString()});
const tangentChunks = (${tangentChunks.toString()});
function setup(data) {
  const g = new WebAssembly.Instance(data.gemm, {}).exports;
  const h = data.act === null ? null : new WebAssembly.Instance(data.act, {}).exports;
  const env = { gemm: gemmWith, g, act: activateWith, h };
  const view = (b) => new Float64Array(b);
  const scratch = [0, 1, 2].map(() => new Float64Array(${MLP_CHUNK_ROWS} * data.widest));
  const params = view(data.params);
  const sets = data.sets.map((s) => ({ params, input: view(s.input), act: s.act.map(view), slope: s.slope.map(view), out: view(s.out), seed: view(s.seed), partials: s.partials === null ? new Float64Array(0) : view(s.partials), scratch }));
  return { env, net: data.net, sets };
}
function runRange(st, first, count, P, n) {
  const job = P >> 1, buf = st.sets[P & 1];
  if (job === ${FORWARD}) forwardChunks(st.env, st.net, buf, first, count, n);
  else if (job === ${BACKWARD}) backwardChunks(st.env, st.net, buf, first, count, n);
  else tangentChunks(st.env, st.net, buf, first, count, n);
}`;
}

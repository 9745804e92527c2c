import type { F64SharedPlan, MlpF64Kernel } from "./f64-shared-chunks.js";
import { activateShared, f64SharedPlan, forwardShared, tangentShared } from "./f64-shared-chunks.js";
import type { ChunkNet } from "./mlp-chunks.js";
import type { ThreadSupport } from "./threads.js";
import { RowPool, ThreadFailure } from "./threads.js";
import { MLP_F64 } from "./wasm/modules.js";
import { compileModule } from "./wasm/load.js";

/** A shared memory of `pages` 64 KiB pages, or null where shared WebAssembly memory (of this size) is missing. */
function sharedMemory(pages: number): WebAssembly.Memory | null {
  try {
    return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return null;
  }
}

/** mlp-f64.wat (null without SIMD or shared memory). */
const kernelModule = compileModule(MLP_F64, () => ({ env: { memory: sharedMemory(1) as WebAssembly.Memory } }));

/** Jobs of the pool. */
const FORWARD = 0, TANGENT = 1, VALUES = 2;

/**
 * The float64 forward pass and tangents of an MLP on one shared WebAssembly memory (internal; the
 * evaluation side of mlp-threads.ts, whose training forward and backward keep their own buffers):
 * the parameters are transposed into the memory once per forward (not at all when they are the same
 * bits as the last ones), the inputs padded into it once,
 * and the chunks of 256 rows run over the calling thread and the worker threads with no copies in
 * between. Values and tangents are the same bits as mlp-chunks.ts's, for every thread count.
 */
export class MlpF64Shared {
  private plan: F64SharedPlan | null = null;
  private memory: WebAssembly.Memory | null = null;
  private kernel: MlpF64Kernel | null = null;
  private pool: RowPool | null = null;
  /** The parameters last transposed into the memory (an ODE solve evaluates many times with the same ones). */
  private uploaded: Float64Array | null = null;

  /** Whether the kernel runs here (SIMD and shared WebAssembly memory). */
  static available(): boolean {
    return kernelModule !== null;
  }

  /**
   * @param net - the network's shape
   * @param threads - threads of a call (1: the calling thread only)
   * @param support - worker_threads, or null
   * @param fn - the public caller, for errors
   * @param failure - where thread failures are recorded (the owner's)
   */
  constructor(private readonly net: ChunkNet, public threads: number, private readonly support: ThreadSupport | null, private readonly fn: string, readonly failure: ThreadFailure = new ThreadFailure()) {}

  /** The pool's statistics (tests), or null before the first threaded call. */
  get stats(): RowPool["stats"] | null {
    return this.pool?.stats ?? null;
  }

  /**
   * Forward pass of n rows of `input` ([n, inputs]) with `parameters`; the values go to `out`
   * ([n, dim]); the slopes are kept for {@link MlpF64Shared.tangent} when `slopes`. Returns false
   * (nothing done) where the memory cannot be allocated.
   */
  forward(input: Float64Array, n: number, parameters: Float64Array, out: Float64Array, slopes: boolean): boolean {
    const plan = this.ensure(n);
    if (plan === null) return false;
    const mem = new Float64Array((this.memory as WebAssembly.Memory).buffer);
    this.upload(plan, mem, parameters);
    this.pad(mem, plan.input / 8, input, n);
    this.run(slopes ? FORWARD : VALUES, n);
    const d = this.net.dim, dP = plan.outsP[plan.layers - 1] as number, o = plan.out / 8;
    for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) out[r * d + j] = mem[o + r * dP + j] as number;
    return true;
  }

  /** Tangents after {@link MlpF64Shared.forward} of the same n rows: input tangents `seed` [n, inputs], (dv/dx) z to `out` [n, dim]. */
  tangent(n: number, seed: Float64Array, out: Float64Array): void {
    const plan = this.plan as F64SharedPlan;
    const mem = new Float64Array((this.memory as WebAssembly.Memory).buffer);
    this.pad(mem, plan.seed / 8, seed, n);
    this.run(TANGENT, n);
    const d = this.net.dim, dP = plan.outsP[plan.layers - 1] as number, o = plan.out / 8;
    for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) out[r * d + j] = mem[o + r * dP + j] as number;
  }

  /** Stops the worker threads. */
  dispose(): void {
    this.pool?.dispose();
    this.pool = null;
  }

  /** Rows [n, inputs] into the padded [n4, insP[0]] block at double offset `at` (padding zero). */
  private pad(mem: Float64Array, at: number, rows: Float64Array, n: number): void {
    const K = this.net.inputs, KP = (this.plan as F64SharedPlan).insP[0] as number;
    if (K === KP) mem.set(rows.subarray(0, n * K), at);
    else {
      for (let r = 0; r < n; r++) {
        const dst = at + r * KP;
        for (let j = 0; j < K; j++) mem[dst + j] = rows[r * K + j] as number;
        mem.fill(0, dst + K, dst + KP);
      }
    }
    mem.fill(0, at + n * KP, at + ((n + 3) & ~3) * KP);
  }

  /** The weights transposed into Wt [insP, outsP], packed by groups of 4 columns as mlp-f64.wat reads them, and the biases (padding stays zero); skipped when they equal the last ones. */
  private upload(plan: F64SharedPlan, mem: Float64Array, parameters: Float64Array): void {
    const last = this.uploaded;
    if (last !== null && last.length === parameters.length) {
      // bit for bit (a -0 for a 0 or another NaN uploads again)
      const a = new Uint32Array(last.buffer, 0, 2 * last.length), b = new Uint32Array(parameters.buffer, parameters.byteOffset, 2 * parameters.length);
      let i = 0;
      while (i < a.length && a[i] === b[i]) i++;
      if (i === a.length) return;
    }
    this.uploaded = parameters.slice();
    for (let l = 0; l < plan.layers; l++) {
      const ins = this.net.layerInputs[l] as number, outs = this.net.widths[l] as number;
      const at = this.net.offsets[l] as number, wt = (plan.wt[l] as number) / 8, b = (plan.b[l] as number) / 8;
      const group = 4 * (plan.insP[l] as number);
      for (let o = 0; o < outs; o++) {
        // packed by groups of 4 columns: Wt[i, o] at group (o >> 2), row i, lane o & 3
        const row = at + o * ins, to = wt + (o >> 2) * group + (o & 3);
        for (let i = 0; i < ins; i++) mem[to + 4 * i] = parameters[row + i] as number;
      }
      mem.set(parameters.subarray(at + outs * ins, at + outs * ins + outs), b);
    }
  }

  /** Runs a job over the chunks of n rows: on the pool when there are threads to share, else here. */
  private run(job: number, n: number): void {
    const chunks = Math.ceil(n / (this.plan as F64SharedPlan).chunk);
    const parts = Math.min(this.threads, chunks);
    if (parts > 1 && this.support !== null) {
      this.pool ??= this.startPool();
      if (this.failure.run(this.pool, this.fn, chunks, parts, job, n)) return;
      this.pool.dispose();
      this.pool = null;
      this.threads = 1;
    }
    this.local(0, chunks, job, n);
  }

  private local(first: number, count: number, job: number, n: number): void {
    const k = this.kernel as MlpF64Kernel, plan = this.plan as F64SharedPlan;
    if (job === TANGENT) tangentShared(k, plan, first, count, n);
    else forwardShared(k, new Float64Array((this.memory as WebAssembly.Memory).buffer), activateShared, plan, first, count, n, job === FORWARD);
  }

  /** A plan and memory for at least n rows (a larger batch starts a new memory and pool), or null where the memory cannot be had. */
  private ensure(n: number): F64SharedPlan | null {
    if (this.plan !== null && n <= this.plan.capacity) return this.plan;
    this.dispose();
    this.uploaded = null;
    const net = this.net, chunk = net.chunk;
    const plan = f64SharedPlan(net.layerInputs, net.widths, net.activation, chunk, Math.ceil(n / chunk) * chunk);
    const memory = kernelModule === null ? null : sharedMemory(Math.ceil(plan.bytes / 65536));
    if (memory === null) return null;
    this.kernel = new WebAssembly.Instance(kernelModule as WebAssembly.Module, { env: { memory } }).exports as unknown as MlpF64Kernel;
    this.plan = plan;
    this.memory = memory;
    return plan;
  }

  private startPool(): RowPool {
    return new RowPool({
      name: "flow-matching f64 forward",
      source: sharedSource(),
      data: { module: kernelModule, memory: this.memory, plan: this.plan },
      blockRows: 1,
      local: (first, count, job, n) => this.local(first, count, job, n),
    }, this.threads - 1, this.support as ThreadSupport);
  }
}

/** The worker side: an instance on the shared memory, the chunk functions. */
function sharedSource(): string {
  return `const activateShared = (${activateShared.toString()});
const forwardShared = (${forwardShared.toString()});
const tangentShared = (${tangentShared.toString()});
function setup(data) {
  const kernel = new WebAssembly.Instance(data.module, { env: { memory: data.memory } }).exports;
  return { kernel, mem: new Float64Array(data.memory.buffer), plan: data.plan };
}
function runRange(st, first, count, job, n) {
  if (job === ${TANGENT}) tangentShared(st.kernel, st.plan, first, count, n);
  else forwardShared(st.kernel, st.mem, activateShared, st.plan, first, count, n, job === ${FORWARD});
}`;
}

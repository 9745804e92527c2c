import { DomainError } from "../core/errors.js";
import { F32_ACT_CODES } from "./dense-f32.js";
import type { F32TrainPlan, GemmF32 } from "./f32-chunks.js";
import { backwardF32, forwardF32, reduceF32 } from "./f32-chunks.js";
import type { ChunkNet } from "./mlp-chunks.js";
import type { EngineOptions } from "./options.js";
import type { ThreadSupport } from "./threads.js";
import { RowPool, ThreadFailure, poolThreads, threadSupport } from "./threads.js";
import { GEMM_F32, GEMM_F32_RELAXED } from "./wasm/modules.js";
import { compileModule } from "./wasm/load.js";
import type { MlpSpec } from "../nn/spec.js";

/** Rows per chunk: the unit of work and of the gradient reduction (fixed, so results never depend on the thread count). */
export const F32_CHUNK_ROWS = 256;

/** A shared memory of `pages` 64 KiB pages, or null where shared WebAssembly memory is missing. */
function sharedMemory(pages: number): WebAssembly.Memory | null {
  try {
    return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return null;
  }
}

const probe = (): WebAssembly.Imports => ({ env: { memory: sharedMemory(1) as WebAssembly.Memory } });
/** gemm-f32.wat with SIMD128 (null without SIMD or shared memory). */
const simdModule = compileModule(GEMM_F32, probe);
/** Its relaxed-SIMD variant (null where relaxed SIMD is missing, as in Node 20). */
const relaxedModule = compileModule(GEMM_F32_RELAXED, probe);

/** The kernels of the float32 training engine: "relaxed" where asked for and available, else "simd", else null (then training stays float64). */
export function f32TrainKernel(relaxed: boolean): "relaxed" | "simd" | null {
  if (relaxed && relaxedModule !== null) return "relaxed";
  return simdModule !== null ? "simd" : null;
}

/** Jobs of the pool. */
const FORWARD = 0, BACKWARD = 1;

/** The memory plan of `net` for `capacity` rows (a multiple of F32_CHUNK_ROWS). */
function trainPlan(net: ChunkNet, capacity: number): F32TrainPlan {
  const pad = (v: number) => (v + 7) & ~7;
  const L = net.layers;
  const ins = [...net.layerInputs], outs = [...net.widths];
  const insP = ins.map(pad), outsP = outs.map(pad);
  const widest = Math.max(...insP, ...outsP);
  let at = 0;
  const take = (floats: number) => { const start = at; at += (4 * floats + 15) & ~15; return start; };
  const wt: number[] = [], w: number[] = [], b: number[] = [];
  for (let l = 0; l < L; l++) {
    wt.push(take((insP[l] as number) * (outsP[l] as number)));
    w.push(take((insP[l] as number) * (outsP[l] as number)));
    b.push(take(outsP[l] as number));
  }
  const zero = take(widest);
  const input = take(capacity * (insP[0] as number));
  const hidden: number[] = [], slope: number[] = [];
  for (let l = 0; l < L - 1; l++) { hidden.push(take(capacity * (outsP[l] as number))); slope.push(take(capacity * (outsP[l] as number))); }
  const out = take(capacity * (outsP[L - 1] as number));
  const seed = take(capacity * (outsP[L - 1] as number));
  const delta: [number, number] = [take(capacity * widest), take(capacity * widest)];
  const packed = take(capacity * widest);
  const pw: number[] = [], pb: number[] = [];
  let part = 0;
  for (let l = 0; l < L; l++) {
    pw.push(part); part += 4 * (insP[l] as number) * (outsP[l] as number);
    pb.push(part); part += 4 * (outsP[l] as number);
  }
  const partials = take((capacity / F32_CHUNK_ROWS) * (part / 4));
  const sum = take(part / 2);
  const act = F32_ACT_CODES[net.activation as MlpSpec["activation"]];
  return { layers: L, dim: net.dim, act, chunk: F32_CHUNK_ROWS, capacity, ins, outs, insP, outsP, wt, w, b, zero, widest, input, hidden, slope, out, seed, delta, packed, partials, partBytes: part, sum, pw, pb, bytes: at };
}

/**
 * The float32 training passes of an MLP on the engine (internal): forward (activations and
 * slopes kept) and backward (parameter gradient) in float32 WebAssembly SIMD on one shared memory,
 * chunks of 256 rows over the calling thread and worker threads, the chunks' float32 partial
 * gradients added in chunk order in float64. The float64 parameters are rounded to float32 at every
 * forward; the gradient is returned in float64. Same bits for every thread count; with the relaxed
 * kernel, same bits for every thread count on one machine (whether relaxed_madd fuses is the CPU's choice).
 */
export class MlpF32Train {
  threads: number;
  readonly failure = new ThreadFailure();
  private readonly support: ThreadSupport | null;
  private readonly module: WebAssembly.Module;
  private plan: F32TrainPlan | null = null;
  private memory: WebAssembly.Memory | null = null;
  private kernel: GemmF32 | null = null;
  private pool: RowPool | null = null;
  private rows = 0;
  /** The float64 layer offsets (W then b per layer). */
  private readonly offsets: number[];

  /** @param relaxed - use the relaxed-SIMD kernel where available */
  constructor(private readonly net: ChunkNet, options: EngineOptions, readonly relaxed: boolean, private readonly fn: string) {
    this.module = (relaxed ? relaxedModule ?? simdModule : simdModule) as WebAssembly.Module;
    this.support = threadSupport();
    this.threads = poolThreads(options.threads, this.support);
    this.offsets = net.offsets;
  }

  /**
   * Forward pass of n rows: `fill` writes the float64 first-layer inputs [n, inputs] into the
   * array it is given; the values go to `out` ([n, dim]).
   */
  forward(n: number, parameters: Float64Array, features: Float64Array, out: Float64Array): void {
    const plan = this.ensure(n);
    const mem = new Float32Array((this.memory as WebAssembly.Memory).buffer);
    this.upload(plan, mem, parameters);
    const K = this.net.inputs, KP = plan.insP[0] as number, at = plan.input / 4;
    for (let r = 0; r < n; r++) {
      const dst = at + r * KP;
      for (let j = 0; j < K; j++) mem[dst + j] = features[r * K + j] as number;
      mem.fill(0, dst + K, dst + KP);
    }
    mem.fill(0, at + n * KP, at + (((n + 3) & ~3) * KP));
    this.run(FORWARD, n);
    const d = this.net.dim, dP = plan.outsP[plan.layers - 1] as number, o = plan.out / 4;
    for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) out[r * d + j] = mem[o + r * dP + j] as number;
    this.rows = n;
  }

  /** Backward pass after {@link MlpF32Train.forward}: gradient (+)= dL/dtheta for dL/dv `gradOutput` [n, dim]. */
  backward(gradOutput: Float64Array, gradient: Float64Array, accumulate: boolean): void {
    const plan = this.plan as F32TrainPlan, n = this.rows;
    const mem = new Float32Array((this.memory as WebAssembly.Memory).buffer);
    const d = this.net.dim, dP = plan.outsP[plan.layers - 1] as number, s = plan.seed / 4;
    mem.fill(0, s, s + ((n + 3) & ~3) * dP);
    for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mem[s + r * dP + j] = gradOutput[r * d + j] as number;
    this.run(BACKWARD, n);
    reduceF32(this.kernel as GemmF32, mem.buffer, plan, Math.ceil(n / F32_CHUNK_ROWS), gradient, accumulate, this.offsets);
  }

  /** Stops the worker threads. */
  dispose(): void {
    this.pool?.dispose();
    this.pool = null;
  }

  /** Rounds the parameters to float32 into Wt, W (both packed for gemm-f32.wat) and bias (padding stays zero). */
  private upload(plan: F32TrainPlan, mem: Float32Array, parameters: Float64Array): void {
    for (let l = 0; l < plan.layers; l++) {
      const ins = plan.ins[l] as number, outs = plan.outs[l] as number, insP = plan.insP[l] as number, outsP = plan.outsP[l] as number;
      const at = this.offsets[l] as number, wt = (plan.wt[l] as number) / 4, w = (plan.w[l] as number) / 4, b = (plan.b[l] as number) / 4;
      for (let o = 0; o < outs; o++) {
        for (let i = 0; i < ins; i++) {
          const v = parameters[at + o * ins + i] as number;
          // packed by groups of 8 columns (gemm-f32.wat's B): W [outsP, insP] and Wt [insP, outsP]
          mem[w + (i >> 3) * 8 * outsP + 8 * o + (i & 7)] = v;
          mem[wt + (o >> 3) * 8 * insP + 8 * i + (o & 7)] = v;
        }
        mem[b + o] = parameters[at + outs * ins + o] as number;
      }
    }
  }

  /** Runs a job over the chunks of n rows: on the pool when there are threads to share, else here. */
  private run(job: number, n: number): void {
    const chunks = Math.ceil(n / F32_CHUNK_ROWS);
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
    if (job === FORWARD) forwardF32(this.kernel as GemmF32, this.plan as F32TrainPlan, first, count, n);
    else backwardF32(this.kernel as GemmF32, this.plan as F32TrainPlan, first, count, n);
  }

  /** A plan and memory for at least n rows (a larger batch starts a new memory and pool; the weights are uploaded at every forward). */
  private ensure(n: number): F32TrainPlan {
    if (this.plan !== null && n <= this.plan.capacity) return this.plan;
    this.dispose();
    const plan = trainPlan(this.net, Math.ceil(n / F32_CHUNK_ROWS) * F32_CHUNK_ROWS);
    const memory = sharedMemory(Math.ceil(plan.bytes / 65536));
    if (memory === null) throw new DomainError(this.fn, "precision", "be float64 where shared WebAssembly memory of this size cannot be allocated", `${plan.bytes} bytes`);
    this.kernel = new WebAssembly.Instance(this.module, { env: { memory } }).exports as unknown as GemmF32;
    this.plan = plan;
    this.memory = memory;
    return plan;
  }

  private startPool(): RowPool {
    return new RowPool({
      name: "flow-matching f32 training",
      source: f32TrainSource(),
      data: { module: this.module, memory: this.memory, plan: this.plan },
      blockRows: 1,
      local: (first, count, job, n) => this.local(first, count, job, n),
    }, this.threads - 1, this.support as ThreadSupport);
  }
}

/** The worker side: an instance on the shared memory, the chunk functions. */
function f32TrainSource(): string {
  return `const forwardF32 = (${forwardF32.toString()});
const backwardF32 = (${backwardF32.toString()});
function setup(data) {
  const kernel = new WebAssembly.Instance(data.module, { env: { memory: data.memory } }).exports;
  return { kernel, plan: data.plan };
}
function runRange(st, first, count, job, n) {
  if (job === ${FORWARD}) forwardF32(st.kernel, st.plan, first, count, n);
  else backwardF32(st.kernel, st.plan, first, count, n);
}`;
}

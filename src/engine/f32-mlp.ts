import type { Batch } from "../core/batch.js";
import { DomainError } from "../core/errors.js";
import type { Time } from "../core/time.js";
import type { DenseF32, F32Plan } from "./dense-f32.js";
import { denseF32Module, f32Plan, loadF32, packF32, runF32, runF32Tangents } from "./dense-f32.js";
import type { Labels } from "../nn/mlp.js";
import type { MlpSpec } from "../nn/spec.js";
import { mlpFeatures } from "./features.js";
import { F32Pool } from "./f32-pool.js";
import type { EngineOptions } from "./options.js";
import type { ThreadSupport } from "./threads.js";
import { ThreadFailure, poolThreads, threadSupport } from "./threads.js";

/** A tile's float32 buffers: features, values, directions and tangents. */
interface Buffers { input: Float32Array; output: Float32Array; dirsIn: Float32Array; dirsOut: Float32Array }

/** Fewest rows worth a thread of their own (one block of the float32 kernel). */
const ROWS_PER_THREAD = 256;

/** Whether the float32 MLP engine can run here: WebAssembly SIMD (internal). */
export function f32Available(): boolean {
  return denseF32Module !== null;
}

/**
 * The float32 MLP of the engine (internal): our float32 WebAssembly-SIMD kernel (the kernel of
 * `float32Inference`), rows split over the calling thread and worker threads; tangents (jvp,
 * divergence, Hutchinson) by float32 forward-mode passes that keep the slopes of one forward
 * pass per block of rows. Thread failures are recorded in {@link F32Mlp.failure}; the rows of a
 * failed call are recomputed on the calling thread, which then runs every later call alone.
 */
export class F32Mlp {
  protected readonly plan: F32Plan;
  protected readonly kernel: DenseF32;
  private readonly module: WebAssembly.Module;
  private readonly support: ThreadSupport | null;
  /** Threads of a call: the calling thread and the workers (1 after a failure). */
  threads: number;
  private readonly tileRows: number;
  /** The failures of the worker threads, for the owner to report. */
  readonly failure = new ThreadFailure();
  protected pool: F32Pool | null = null;
  private buffers: Buffers | null = null;
  /** Names of the kernels run so far ("dense-f32", "dense-f32 tangents"), in first-use order. */
  readonly ran: string[] = [];

  /**
   * @param fn - the public caller, for errors
   * @throws `DomainError` where WebAssembly SIMD is missing
   */
  constructor(protected spec: MlpSpec, options: EngineOptions, private readonly fn: string) {
    if (denseF32Module === null) throw new DomainError(fn, "options.backend", "name a backend available here (cpu-f32 needs WebAssembly SIMD)", "cpu-f32");
    this.module = denseF32Module;
    this.plan = f32Plan(spec, true);
    this.kernel = loadF32(this.module, spec, this.plan);
    this.support = threadSupport();
    this.threads = poolThreads(options.threads, this.support);
    this.tileRows = options.tileRows ?? 16384;
  }

  /** Values (into `values`, unless null) and the tangents (dv/dx) z of each direction of `dirs` (into `dirsOut`); inputs already validated. */
  evaluate(x: Batch, t: Time, labels: Labels, dirs: Float64Array[] | null, values: Float64Array | null, dirsOut: Float64Array[]): void {
    this.compute(x, t, labels, dirs ?? [], values, dirsOut);
  }

  /** Replaces the weights by those of `spec` (same architecture). */
  load(spec: MlpSpec): void {
    this.spec = spec;
    packF32(spec, this.plan, new Float32Array(this.kernel.memory.buffer));
    this.pool?.dispose();
    this.pool = null;
  }

  /** Stops the worker threads. */
  dispose(): void {
    this.pool?.dispose();
    this.pool = null;
  }

  /**
   * Values and the tangents of `dirs`, tile by tile: features (and directions, in float32) laid
   * out on the calling thread, the layers split over the threads. With P directions a tile has
   * capacity / P rows, so that the directions fit the tangent buffers.
   */
  private compute(x: Batch, t: Time, labels: Labels, dirs: Float64Array[], values: Float64Array | null, dirsOut: Float64Array[]): void {
    const n = x.shape[0] as number;
    const d = this.spec.dim;
    const P = dirs.length;
    this.record(P === 0 ? "dense-f32" : "dense-f32 tangents");
    const parts = Math.min(this.threads, Math.ceil(n / ROWS_PER_THREAD));
    let buffers: Buffers;
    let capacity: number;
    if (parts > 1) {
      // with P directions a tile has at least 256 rows per thread where the batch and tileRows allow
      // (the pool's direction buffers grow to fit), so that many directions still split over the threads
      const rows = P === 0 ? this.tileRows : Math.min(this.tileRows, n, Math.max(Math.floor(this.tileRows / P), ROWS_PER_THREAD * this.threads));
      const pool = this.threaded(rows * P * d);
      buffers = pool;
      capacity = P === 0 ? this.tileRows : Math.min(this.tileRows, Math.floor(pool.dirsIn.length / (d * P)));
    } else {
      buffers = this.single(Math.min(n, this.tileRows) * Math.max(P, 1));
      capacity = Math.floor(buffers.output.length / d / Math.max(P, 1));
    }
    if (capacity < 1) {
      // more directions than the pool's tile has rows (tileRows < P): one row at a time, here
      buffers = this.single(P);
      capacity = 1;
    }
    for (let start = 0; start < n; start += capacity) {
      const m = Math.min(capacity, n - start);
      mlpFeatures(this.spec, x, t, labels, start, m, buffers.input);
      for (let q = 0; q < P; q++) {
        const z = dirs[q] as Float64Array;
        for (let i = 0; i < m * d; i++) buffers.dirsIn[q * m * d + i] = z[start * d + i] as number;
      }
      if (this.pool !== null && buffers === this.pool) this.split(this.pool, m, parts, P);
      else this.local(buffers, m, P);
      const out = buffers.output;
      if (values !== null) for (let i = 0; i < m * d; i++) values[start * d + i] = out[i] as number;
      for (let q = 0; q < P; q++) {
        const jv = dirsOut[q] as Float64Array;
        for (let i = 0; i < m * d; i++) jv[start * d + i] = buffers.dirsOut[q * m * d + i] as number;
      }
    }
  }

  /** Records a kernel name once (thread failures are recorded by ThreadFailure). */
  private record(name: string): void {
    if (!this.ran.includes(name)) this.ran.push(name);
  }

  /** All m rows of a tile on the calling thread. */
  private local(buffers: Buffers, m: number, P: number): void {
    if (P === 0) runF32(this.kernel, this.plan, buffers.input, 0, m, buffers.output, 0);
    else runF32Tangents(this.kernel, this.plan, buffers.input, 0, m, m, P, buffers.dirsIn, buffers.output, buffers.dirsOut);
  }

  /** Runs m rows of the pool's tile over the threads; after a failure the rows are computed here and the engine stays on one thread. */
  private split(pool: F32Pool, m: number, parts: number, P: number): void {
    if (this.failure.run(pool, this.fn, m, Math.min(parts, Math.ceil(m / ROWS_PER_THREAD)), P)) return;
    pool.dispose();
    this.pool = null;
    this.threads = 1;
    this.local(pool, m, P);
  }

  /** The worker pool, started on first use, restarted when its direction buffers need more than `dirFloats` floats. */
  private threaded(dirFloats: number): F32Pool {
    if (this.pool !== null && this.pool.dirsIn.length < dirFloats) {
      this.pool.dispose();
      this.pool = null;
    }
    this.pool ??= new F32Pool(this.kernel, this.module, this.plan, this.threads - 1, this.tileRows, this.support as ThreadSupport, {}, dirFloats);
    return this.pool;
  }

  /** Calling-thread buffers of at least `rows` rows (of features, values and directions). */
  private single(rows: number): Buffers {
    const d = this.spec.dim;
    if (this.buffers === null || this.buffers.output.length < rows * d) {
      this.buffers = { input: new Float32Array(rows * this.plan.inputs), output: new Float32Array(rows * d), dirsIn: new Float32Array(rows * d), dirsOut: new Float32Array(rows * d) };
    }
    return this.buffers;
  }
}

import { GPU } from "gpu.js";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import type { Time } from "../core/time.js";
import { checkTime } from "../core/time.js";
import { isSoftwareRenderer } from "./select.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";

/**
 * A backend of the GPU fields: `webgl2`, `webgl`, `headlessgl` and `webgpu` run gpu.js kernels on a
 * graphics device; `webasm` is gpu.js's WebAssembly (f32x4 SIMD) on the CPU; `cpu` is gpu.js's
 * transpiled JavaScript; `cpu-f64` is no gpu.js at all but our own float64 CPU path (the
 * WebAssembly-SIMD `Mlp` of `src/nn`; for the marginal field the row code of `marginalVelocity`
 * of `src/velocity` with the rows split over `poolSize` threads, bit-identical to it);
 * `cpu-f32` (MLP field only) is our float32 WebAssembly-SIMD kernel (f32x4, the kernel of
 * `float32Inference`) with the rows split over the calling thread and `poolSize - 1` worker
 * threads (Node 20.16+; one thread in browsers), tangents (jvp, divergence, Hutchinson) by
 * float32 forward-mode passes on the same threads.
 *
 * @category GPU
 */
export type GpuBackend = "webgl2" | "webgl" | "headlessgl" | "webgpu" | "webasm" | "cpu" | "cpu-f64" | "cpu-f32";

/**
 * What to do when gpu.js silently replaces a kernel by its CPU kernel (kernel maps, texture
 * arguments, unsupported types): `"error"` throws a `DomainError`, `"warn"` calls
 * `console.warn` once per kernel, `"ignore"` only records it in the report.
 *
 * @category GPU
 */
export type FallbackPolicy = "error" | "warn" | "ignore";

/**
 * Backend options shared by the GPU fields.
 *
 * @category GPU
 */
export interface GpuOptions {
  /** Backend to use, or `"auto"` (default): a hardware WebGL2/WebGL context, else our CPU path (`cpu-f32` for the MLP field, `cpu-f64` for the marginal field; never a software renderer unless allowed); see {@link selectBackend} for the asynchronous choice that also considers WebGPU. */
  backend?: GpuBackend | "auto";
  /** Which contract the field is used under, recorded in the report: false (default) the synchronous methods, true the `*Async` methods; `calibrate` times the contract named here. The `*Async` methods always run gpu.js kernels in its `asyncMode` (threaded webasm, non-blocking readback) whatever this says. */
  async?: boolean;
  /** Silent CPU fallbacks: `"error"` (default), `"warn"` or `"ignore"`. */
  onFallback?: FallbackPolicy;
  /** Rows per kernel call (default 16384); larger batches are cut into tiles of this many rows. */
  tileRows?: number;
  /** Threads: of threaded webasm (default: gpu.js's, the number of cores), of `cpu-f32` and of the marginal field's `cpu-f64` (the calling thread plus `poolSize - 1` workers; default the number of cores, at most 8). */
  poolSize?: number;
  /** Allow a software renderer (SwiftShader, llvmpipe) in `"auto"` mode (default false: webasm is preferred to it). */
  allowSoftwareRenderer?: boolean;
}

/**
 * One kernel as it actually ran.
 *
 * @category GPU
 */
export interface KernelRecord {
  /** Name of the kernel (for example `"layer0"`). */
  name: string;
  /** Backend that was requested. */
  requested: GpuBackend;
  /** Backend that actually ran it (gpu.js's kernel class after any fallback). */
  ran: GpuBackend;
  /** gpu.js's fallback reason when it replaced the kernel by its CPU kernel, else null. */
  fallbackReason: string | null;
}

/**
 * The honest account of a GPU field's backend: what was asked, what was chosen and why, the
 * renderer string where a graphics context exists, and every kernel as it actually ran.
 *
 * @category GPU
 */
export interface GpuReport {
  /** Backend chosen for the kernels. */
  backend: GpuBackend;
  /** Whether kernels run under the asynchronous contract. */
  async: boolean;
  /** Why this backend was chosen. */
  reason: string;
  /** The graphics renderer (WEBGL_debug_renderer_info), or null where unknown or not a graphics backend. */
  renderer: string | null;
  /** True when `renderer` is a software rasteriser (SwiftShader, llvmpipe, softpipe, WARP). */
  software: boolean;
  /** Every kernel built so far, with the backend that ran it. */
  kernels: KernelRecord[];
  /** Calibration timings: median milliseconds per candidate on the calibrated shapes (`Infinity` for a candidate that failed), when calibration ran. */
  timings?: Record<string, number>;
  /** Threads sharing each call of our CPU paths with worker threads (`cpu-f32`, the marginal field's `cpu-f64`): the calling thread and the workers; absent for other backends. */
  threads?: number;
}

/**
 * Options of the fields' `calibrate(x, t, options)`.
 *
 * @category GPU
 */
export interface CalibrationOptions {
  /** Timed runs per candidate; the median counts (default 3). */
  repeats?: number;
  /** Untimed warm-up runs per candidate (kernel compilation, JIT; default 1). */
  warmup?: number;
  /** Only these candidates (default: every backend available here, see {@link GpuBackend}). */
  backends?: readonly GpuBackend[];
  /** MLP field only: time the likelihood workload `hutchinson(x, t, probes)` (values and one tangent pass per probe) instead of `evaluate(x, t)`. */
  probes?: readonly Batch[];
}

/** Minimal view of gpu.js's kernel objects used here. */
export interface RawKernel {
  (...args: unknown[]): unknown;
  kernel?: { fallbackReason?: string | null; constructor: { mode?: string; name?: string } } | null;
  destroy(removeCanvasReferences?: boolean): void;
}

/** Validated options (internal). */
export interface Settings {
  requested: GpuBackend | "auto";
  async: boolean;
  policy: FallbackPolicy;
  tileRows: number;
  poolSize: number | undefined;
  allowSoftware: boolean;
}

/** Validates {@link GpuOptions} (internal). */
export function checkOptions(fn: string, options: GpuOptions): Settings {
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object", describeValue(options));
  const requested = options.backend ?? "auto";
  const valid = ["auto", "webgl2", "webgl", "headlessgl", "webgpu", "webasm", "cpu", "cpu-f64", "cpu-f32"];
  if (!valid.includes(requested)) throw new DomainError(fn, "options.backend", `be one of ${valid.join(", ")}`, describeValue(requested));
  const policy = options.onFallback ?? "error";
  if (!["error", "warn", "ignore"].includes(policy)) throw new DomainError(fn, "options.onFallback", 'be "error", "warn" or "ignore"', describeValue(policy));
  const tileRows = options.tileRows ?? 16384;
  if (!Number.isInteger(tileRows) || tileRows < 1) throw new DomainError(fn, "options.tileRows", "be a positive integer", describeValue(tileRows));
  const poolSize = options.poolSize;
  if (poolSize !== undefined && (!Number.isInteger(poolSize) || poolSize < 1)) throw new DomainError(fn, "options.poolSize", "be a positive integer", describeValue(poolSize));
  return { requested, async: options.async ?? false, policy, tileRows, poolSize, allowSoftware: options.allowSoftwareRenderer ?? false };
}

/** A gpu.js instance on one resolved backend, and the kernel records (internal). */
export class Runtime {
  readonly gpu: GPU;
  readonly report: GpuReport;
  readonly policy: FallbackPolicy;
  readonly tileRows: number;
  private readonly kernels: { raw: RawKernel; record: KernelRecord | null; name: string }[] = [];
  private readonly poolSize: number | undefined;

  constructor(settings: Settings, choice: { backend: GpuBackend; reason: string; renderer: string | null }) {
    this.policy = settings.policy;
    this.tileRows = settings.tileRows;
    this.poolSize = settings.poolSize;
    this.gpu = new GPU({ mode: choice.backend } as ConstructorParameters<typeof GPU>[0]);
    this.report = { backend: choice.backend, async: settings.async, reason: choice.reason, renderer: choice.renderer, software: isSoftwareRenderer(choice.renderer), kernels: [] };
  }

  /** Creates a kernel from source; `pipeline` keeps its output on the device. */
  kernel(name: string, source: string, output: number[], constants: Record<string, number>, loop: number, pipeline: boolean, asyncMode: boolean, extra: Record<string, unknown> = {}): RawKernel {
    const settings: Record<string, unknown> = {
      output, constants, loopMaxIterations: Math.max(1000, loop + 1), pipeline, precision: "single",
      tactic: "precision", asyncMode, dynamicArguments: true,
    };
    if (this.poolSize !== undefined) settings.poolSize = this.poolSize;
    Object.assign(settings, extra);
    const raw = (this.gpu.createKernel as unknown as (s: string, o: object) => RawKernel)(source, settings);
    this.kernels.push({ raw, record: null, name });
    return raw;
  }

  /** Records (once) the backend that ran each kernel called so far and applies the fallback policy. */
  check(fn: string): void {
    for (const k of this.kernels) {
      if (k.record !== null || k.raw.kernel === undefined || k.raw.kernel === null) continue;
      const inner = k.raw.kernel;
      const ran = kernelBackend(inner.constructor);
      const reason = inner.fallbackReason ?? (ran !== this.report.backend ? `ran on ${ran}` : null);
      k.record = { name: k.name, requested: this.report.backend, ran, fallbackReason: reason };
      this.report.kernels.push(k.record);
      if (reason !== null) {
        const message = `${fn}(): kernel ${k.name} must run on ${this.report.backend}, got a fallback to ${ran} (${reason})`;
        if (this.policy === "error") throw new DomainError(fn, `kernel ${k.name}`, `run on ${this.report.backend}`, `a fallback to ${ran} (${reason})`);
        if (this.policy === "warn") console.warn(message);
      }
    }
  }

  /** Destroys every kernel and the gpu.js instance. */
  dispose(): void {
    for (const k of this.kernels) k.raw.destroy();
    this.kernels.length = 0;
    this.gpu.destroy();
  }
}

/** The backend of a gpu.js kernel class: its static `mode`, with the GL classes ("gpu") told apart by name. */
function kernelBackend(cls: { mode?: string; name?: string }): GpuBackend {
  const mode = cls.mode ?? "cpu";
  if (mode !== "gpu") return mode as GpuBackend;
  const name = cls.name ?? "";
  if (/headless/i.test(name)) return "headlessgl";
  return /webgl2/i.test(name) ? "webgl2" : "webgl";
}

/**
 * The checks every GPU field's method starts with (internal): not disposed, a synchronous
 * method not on `webgpu` (unless `anyContract`), x of shape [n, dim] (returned validated,
 * contiguous) and n times.
 */
export function checkCall(name: string, disposed: boolean, backend: GpuBackend, synchronous: boolean, x: Batch, t: Time, dim: number): Batch {
  if (disposed) throw new DomainError(name, "this", "not be disposed", "a disposed field");
  if (synchronous && backend === "webgpu") throw new DomainError(name, "backend", "allow synchronous readback (webgpu does not: use the Async methods)", "webgpu");
  const xb = asBatch(name, "x", x, { dim });
  checkTime(name, "t", t, xb.shape[0] as number);
  return xb;
}

/**
 * Reports a thread failure of our CPU paths once (internal): `threads` 1 and the reason
 * extended in every report given, a "worker threads" kernel record, then `"error"` throws a
 * `DomainError`, `"warn"` warns. The failing call's rows were computed on the calling thread
 * all the same, and so are later calls.
 */
export function reportThreadFailure(message: string | null, fn: string, policy: FallbackPolicy, backend: GpuBackend, reports: GpuReport[]): void {
  if (message === null) return;
  const note = `worker threads failed (${message}); ${backend} continues on the calling thread alone`;
  for (const r of new Set(reports)) {
    r.threads = 1;
    r.reason = `${r.reason}; ${note}`;
  }
  for (const kernels of new Set(reports.map((r) => r.kernels))) {
    kernels.push({ name: "worker threads", requested: backend, ran: backend, fallbackReason: `${message}; the calling thread ran the rows` });
  }
  if (policy === "error") throw new DomainError(fn, "worker threads", 'run their rows (onFallback: "error")', `${message}; later calls run on the calling thread`);
  if (policy === "warn") console.warn(`${fn}(): ${note}`);
}

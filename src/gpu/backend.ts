import { GPU } from "gpu.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";

/**
 * A gpu.js backend: `webgl2`, `webgl`, `headlessgl` and `webgpu` run on a graphics device;
 * `webasm` is WebAssembly (f32x4 SIMD) on the CPU; `cpu` is gpu.js's transpiled JavaScript.
 *
 * @category GPU
 */
export type GpuBackend = "webgl2" | "webgl" | "headlessgl" | "webgpu" | "webasm" | "cpu";

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
  /** Backend to use, or `"auto"` (default): the best non-software graphics backend, else `webasm`. */
  backend?: GpuBackend | "auto";
  /** Prefer the asynchronous methods in calibration and reports (the `*Async` methods always use gpu.js's `asyncMode`: threaded webasm, non-blocking webgl2 readback). Default false. */
  async?: boolean;
  /** Silent CPU fallbacks: `"error"` (default), `"warn"` or `"ignore"`. */
  onFallback?: FallbackPolicy;
  /** Rows per kernel call (default 16384); larger batches are cut into tiles of this many rows. */
  tileRows?: number;
  /** Worker pool size of threaded webasm (default: gpu.js's, the number of cores). */
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
  /** Calibration timings in milliseconds per candidate, when calibration ran. */
  timings?: Record<string, number>;
}

/**
 * Whether a renderer string names a software rasteriser: `/swiftshader|llvmpipe|softpipe|software|microsoft basic render|warp/i`.
 *
 * @param renderer - the UNMASKED_RENDERER_WEBGL string (or null)
 * @returns true for a software renderer
 * @example
 * ```ts
 * isSoftwareRenderer("ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)") // => true
 * ```
 * @category GPU
 */
export function isSoftwareRenderer(renderer: string | null): boolean {
  return renderer !== null && /swiftshader|llvmpipe|softpipe|software|microsoft basic render|warp/i.test(renderer);
}

/** Minimal view of gpu.js's kernel objects used here. */
export interface RawKernel {
  (...args: unknown[]): unknown;
  kernel?: { fallbackReason?: string | null; constructor: { mode?: string; name?: string } } | null;
  destroy(removeCanvasReferences?: boolean): void;
}

/** A gpu.js instance with its resolved backend, and the kernel records (internal). */
export class Runtime {
  readonly gpu: GPU;
  readonly report: GpuReport;
  readonly policy: FallbackPolicy;
  readonly tileRows: number;
  private readonly kernels: { raw: RawKernel; record: KernelRecord | null; name: string }[] = [];
  private readonly poolSize: number | undefined;

  constructor(fn: string, options: GpuOptions = {}) {
    if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object", describeValue(options));
    const requested = options.backend ?? "auto";
    const valid = ["auto", "webgl2", "webgl", "headlessgl", "webgpu", "webasm", "cpu"];
    if (!valid.includes(requested)) throw new DomainError(fn, "options.backend", `be one of ${valid.join(", ")}`, describeValue(requested));
    this.policy = options.onFallback ?? "error";
    if (!["error", "warn", "ignore"].includes(this.policy)) throw new DomainError(fn, "options.onFallback", 'be "error", "warn" or "ignore"', describeValue(this.policy));
    const tile = options.tileRows ?? 16384;
    if (!Number.isInteger(tile) || tile < 1) throw new DomainError(fn, "options.tileRows", "be a positive integer", describeValue(tile));
    this.tileRows = tile;
    this.poolSize = options.poolSize;
    const asyncMode = options.async ?? false;
    const choice = chooseBackend(requested, options.allowSoftwareRenderer ?? false);
    this.gpu = choice.gpu ?? new GPU({ mode: choice.backend });
    this.report = { backend: choice.backend, async: asyncMode, reason: choice.reason, renderer: choice.renderer, software: isSoftwareRenderer(choice.renderer), kernels: [] };
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

interface Choice { backend: GpuBackend; reason: string; renderer: string | null; gpu?: GPU }

function chooseBackend(requested: GpuBackend | "auto", allowSoftware: boolean): Choice {
  if (requested !== "auto") return { backend: requested, reason: "requested explicitly", renderer: requested === "webgl2" || requested === "webgl" ? probeRenderer(requested) : null };
  for (const gl of ["webgl2", "webgl"] as const) {
    const supported = gl === "webgl2" ? GPU.isWebGL2Supported : GPU.isWebGLSupported;
    if (!supported) continue;
    const renderer = probeRenderer(gl);
    if (isSoftwareRenderer(renderer) && !allowSoftware) {
      return { backend: "webasm", reason: `${gl} is available but its renderer "${renderer}" is software; webasm is faster than a software rasteriser`, renderer };
    }
    return { backend: gl, reason: `${gl} available (renderer ${renderer ?? "unknown"})`, renderer };
  }
  if (GPU.isHeadlessGLSupported) return { backend: "headlessgl", reason: "headless-gl available", renderer: null };
  if (GPU.isWebAssemblySupported) return { backend: "webasm", reason: "no graphics context; WebAssembly SIMD available", renderer: null };
  return { backend: "cpu", reason: "no graphics context and no WebAssembly", renderer: null };
}

/** The UNMASKED_RENDERER_WEBGL string of a fresh context, or null. */
function probeRenderer(kind: "webgl2" | "webgl"): string | null {
  try {
    const doc = (globalThis as { document?: { createElement(tag: string): unknown } }).document;
    if (doc === undefined) return null;
    const canvas = doc.createElement("canvas") as { getContext(k: string): unknown };
    const gl = canvas.getContext(kind) as { getExtension(n: string): { UNMASKED_RENDERER_WEBGL: number } | null; getParameter(p: number): unknown; RENDERER: number } | null;
    if (gl === null) return null;
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    return String(gl.getParameter(info !== null ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return null;
  }
}

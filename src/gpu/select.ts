import { GPU } from "gpu.js";
import type { GpuBackend, GpuOptions } from "./backend.js";
import { checkOptions } from "./backend.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import { f32Available } from "../engine/f32-mlp.js";

/**
 * Which field a backend is chosen for: `"mlp"` ({@link gpuMlpField}) or `"marginal"`
 * ({@link gpuMarginalVelocity}); their CPU paths differ.
 *
 * @category GPU
 */
export type GpuFieldKind = "mlp" | "marginal";

/**
 * A backend choice and the reason for it.
 *
 * @category GPU
 */
export interface BackendChoice {
  /** The backend chosen. */
  backend: GpuBackend;
  /** Why it was chosen (what was available, what was refused). */
  reason: string;
  /** The graphics renderer string where a graphics context was probed, else null. */
  renderer: string | null;
}

/**
 * Options of {@link selectBackend}.
 *
 * @category GPU
 */
export interface SelectOptions extends GpuOptions {
  /** The field the backend is for (default `"mlp"`): the CPU fallback is `cpu-f32` for the MLP field, `cpu-f64` for the marginal field. */
  field?: GpuFieldKind;
}

/**
 * Resolves `backend: "auto"` asynchronously, like the fields' synchronous choice but also
 * considering WebGPU: with `async: true` it awaits gpu.js's adapter request
 * (`GPU.isWebGPUAvailable()`) and picks `webgpu` only when an adapter answered; then a hardware
 * WebGL2/WebGL context; else our CPU path: `cpu-f32` for the MLP field (float32 SIMD over the
 * cores; `cpu-f64` where WebAssembly SIMD is missing), `cpu-f64` for the marginal field.
 * Software renderers (SwiftShader, llvmpipe) are never chosen unless `allowSoftwareRenderer`.
 * An explicit backend is returned as is.
 *
 * @param options - `backend`, `async`, `allowSoftwareRenderer` of {@link GpuOptions} and `field`
 * @returns the choice and its reason
 * @throws `DomainError` for bad options (`cpu-f32` for the marginal field among them)
 * @example
 * ```ts
 * (await selectBackend({ async: true })).backend // => "cpu-f32" in Node without a GPU
 * (await selectBackend({ field: "marginal" })).backend // => "cpu-f64" in Node without a GPU
 * ```
 * @category GPU
 */
export async function selectBackend(options: SelectOptions = {}): Promise<BackendChoice> {
  const settings = checkOptions("selectBackend", options);
  const field = options.field ?? "mlp";
  if (field !== "mlp" && field !== "marginal") throw new DomainError("selectBackend", "options.field", 'be "mlp" or "marginal"', describeValue(field));
  if (settings.requested === "auto" && settings.async && GPU.isWebGPUSupported) {
    if (await GPU.isWebGPUAvailable()) return { backend: "webgpu", reason: "WebGPU adapter available (asynchronous methods only)", renderer: null };
    const rest = chooseBackend("selectBackend", "auto", settings.allowSoftware, field);
    return { ...rest, reason: `navigator.gpu exists but no WebGPU adapter answered; ${rest.reason}` };
  }
  return chooseBackend("selectBackend", settings.requested, settings.allowSoftware, field);
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
  if (renderer !== null && typeof renderer !== "string") throw new DomainError("isSoftwareRenderer", "renderer", "be a string or null", typeof renderer);
  return renderer !== null && /swiftshader|llvmpipe|softpipe|software|microsoft basic render|warp/i.test(renderer);
}

/** Our CPU path for a field (internal): float32 SIMD over the cores for the MLP where WebAssembly SIMD exists, else float64. */
function cpuPath(field: GpuFieldKind): BackendChoice {
  const f32 = field === "mlp" && f32Available();
  const path = f32 ? "our float32 CPU path (WebAssembly SIMD over the cores)" : "our float64 CPU path";
  return { backend: f32 ? "cpu-f32" : "cpu-f64", reason: `${path} beats gpu.js's webasm and cpu kernels on CPU-only machines (call calibrate() to time them on your shapes)`, renderer: null };
}

/** The synchronous choice (internal): hardware WebGL2/WebGL, else our CPU path for the field. */
export function chooseBackend(fn: string, requested: GpuBackend | "auto", allowSoftware: boolean, field: GpuFieldKind): BackendChoice {
  if (requested === "cpu-f32" && field !== "mlp") throw new DomainError(fn, "options.backend", "name a backend of this field (cpu-f32 is the MLP field's)", requested);
  if (requested !== "auto") return { backend: requested, reason: "requested explicitly", renderer: requested === "webgl2" || requested === "webgl" ? probeRenderer(requested) : null };
  let refused = "";
  for (const gl of ["webgl2", "webgl"] as const) {
    const supported = gl === "webgl2" ? GPU.isWebGL2Supported : GPU.isWebGLSupported;
    if (!supported) continue;
    const renderer = probeRenderer(gl);
    if (isSoftwareRenderer(renderer) && !allowSoftware) {
      refused = `${gl} is available but its renderer "${renderer}" is software (slower than the CPU paths); `;
      break;
    }
    return { backend: gl, reason: `${gl} available (renderer ${renderer ?? "unknown"})`, renderer };
  }
  const none = refused === "" ? "no graphics context; " : refused;
  const cpu = cpuPath(field);
  return { ...cpu, reason: `${none}${cpu.reason}` };
}

/** Backends worth timing here (internal): every CPU path, hardware graphics backends, WebGPU after awaiting an adapter. */
export async function candidates(allowSoftware: boolean, async: boolean, field: GpuFieldKind): Promise<BackendChoice[]> {
  const list: BackendChoice[] = [{ backend: "cpu-f64", reason: "our float64 CPU path", renderer: null }];
  if (field === "mlp" && f32Available()) list.push({ backend: "cpu-f32", reason: "our float32 CPU path", renderer: null });
  if (async && GPU.isWebGPUSupported && (await GPU.isWebGPUAvailable())) list.push({ backend: "webgpu", reason: "WebGPU adapter available", renderer: null });
  for (const gl of ["webgl2", "webgl"] as const) {
    if (!(gl === "webgl2" ? GPU.isWebGL2Supported : GPU.isWebGLSupported)) continue;
    const renderer = probeRenderer(gl);
    if (!isSoftwareRenderer(renderer) || allowSoftware) list.push({ backend: gl, reason: `${gl} (renderer ${renderer ?? "unknown"})`, renderer });
  }
  if (GPU.isHeadlessGLSupported) list.push({ backend: "headlessgl", reason: "headless-gl", renderer: null });
  if (GPU.isWebAssemblySupported) list.push({ backend: "webasm", reason: "gpu.js WebAssembly SIMD", renderer: null });
  list.push({ backend: "cpu", reason: "gpu.js JavaScript kernels", renderer: null });
  return list;
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

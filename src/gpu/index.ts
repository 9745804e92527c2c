/**
 * gpu.js kernels for batched velocity evaluation and Hutchinson trace estimation
 * (`flow-matching/gpu`; gpu.js is a peer dependency of this entry). All kernel arithmetic is
 * float32; without a hardware GPU the `"auto"` choice is our own CPU path: `cpu-f32` (float32
 * WebAssembly SIMD over the cores) for the MLP field, `cpu-f64` for the marginal field.
 *
 * @packageDocumentation
 */
export type { GpuBackend, FallbackPolicy, GpuOptions, KernelRecord, GpuReport, CalibrationOptions } from "./backend.js";
export type { BackendChoice, GpuFieldKind, SelectOptions } from "./select.js";
export { isSoftwareRenderer, selectBackend } from "./select.js";
export type { GpuVelocityField, GpuMlpField } from "./mlp-field.js";
export { gpuMlpField } from "./mlp-field.js";
export type { GpuMarginalOptions } from "./marginal.js";
export { gpuMarginalVelocity } from "./marginal.js";

/**
 * gpu.js kernels for batched velocity evaluation and Hutchinson trace estimation
 * (`flow-matching/gpu`; gpu.js is a peer dependency of this entry). All kernel arithmetic is
 * float32; backend `cpu-f64` is our float64 CPU path, the `"auto"` choice without a hardware GPU.
 *
 * @packageDocumentation
 */
export type { GpuBackend, FallbackPolicy, GpuOptions, KernelRecord, GpuReport, CalibrationOptions } from "./backend.js";
export type { BackendChoice } from "./select.js";
export { isSoftwareRenderer, selectBackend } from "./select.js";
export type { GpuVelocityField, GpuMlpField } from "./mlp-field.js";
export { gpuMlpField } from "./mlp-field.js";
export type { GpuMarginalOptions } from "./marginal.js";
export { gpuMarginalVelocity } from "./marginal.js";

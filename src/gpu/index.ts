/**
 * gpu.js kernels for batched velocity evaluation and Hutchinson trace estimation
 * (`flow-matching/gpu`; gpu.js is a peer dependency of this entry). All kernel arithmetic is float32.
 *
 * @packageDocumentation
 */
export type { GpuBackend, FallbackPolicy, GpuOptions, KernelRecord, GpuReport } from "./backend.js";
export { isSoftwareRenderer } from "./backend.js";
export type { GpuVelocityField, GpuMlpField } from "./mlp-field.js";
export { gpuMlpField } from "./mlp-field.js";
export type { GpuMarginalOptions } from "./marginal.js";
export { gpuMarginalVelocity } from "./marginal.js";

/**
 * gpu.js kernels for batched velocity evaluation and Hutchinson trace estimation
 * (`flow-matching/gpu`; gpu.js is a peer dependency of this entry).
 *
 * @packageDocumentation
 */
/** Name of this entry point (placeholder until the kernels land). */
export const GPU_ENTRY = "flow-matching/gpu";

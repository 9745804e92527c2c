/**
 * gpu.js kernels for batched velocity evaluation and Hutchinson trace estimation
 * (`flow-matching/gpu`; gpu.js is a peer dependency of this entry).
 *
 * @packageDocumentation
 */
export const GPU_ENTRY = "flow-matching/gpu";

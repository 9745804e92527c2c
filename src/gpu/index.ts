/**
 * gpu.js kernels for batched velocity evaluation and Hutchinson trace estimation
 * (`flow-matching/gpu`; gpu.js is a peer dependency of this entry). All kernel arithmetic is float32.
 *
 * @packageDocumentation
 */
export * from "./backend.js";
export * from "./mlp-field.js";
export * from "./marginal.js";

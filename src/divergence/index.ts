export { jacobianVectorProduct } from "./jvp.js";
export * from "./exact.js";
export * from "./probes.js";
export * from "./hutchinson.js";
export * from "./hutch-plus-plus.js";

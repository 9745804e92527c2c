export { jacobianVectorProduct } from "./jvp.js";
export { exactDivergence } from "./exact.js";
export * from "./probes.js";
export { hutchinson } from "./hutchinson.js";
export { hutchPlusPlus } from "./hutch-plus-plus.js";

export { affinePath, type AffinePath } from "./affine.js";
export * from "./schedule-transform.js";
export type { GaussianPath, GaussianPathSample } from "./gaussian-path.js";
export * from "./cfm.js";

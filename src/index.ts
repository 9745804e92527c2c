/**
 * flow-matching: build, train, sample and evaluate flow-matching generative models.
 *
 * @packageDocumentation
 */
export * from "./core/index.js";
export * from "./random/index.js";
export * from "./distributions/index.js";
export * from "./schedulers/index.js";
export * from "./paths/index.js";
export * from "./couplings/index.js";
export * from "./metrics/index.js";
export * from "./solvers/index.js";
export * from "./divergence/index.js";
export * from "./nn/index.js";
export * from "./losses/index.js";
export * from "./velocity/index.js";
export * from "./manifolds/index.js";
export * from "./discrete/index.js";
export * from "./train/index.js";
export * from "./fewstep/index.js";
export { engineInfo, type EngineInfo } from "./engine/info.js";

/**
 * flow-matching: build, train, sample and evaluate flow-matching generative models.
 *
 * @packageDocumentation
 */
export * from "./core/index.js";
export * from "./random/index.js";
export * from "./distributions/index.js";
export * from "./couplings/index.js";
export * from "./metrics/index.js";

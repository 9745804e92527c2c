export * from "./errors.js";
export * from "./format.js";
export * from "./check.js";
export * from "./batch.js";
export * from "./time.js";
export type * from "./interfaces.js";

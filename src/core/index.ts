export * from "./errors.js";
export { checkFinite, checkPositive, checkNonNegative, checkInteger, checkInRange, checkFiniteArray } from "./check.js";
export * from "./batch.js";
export * from "./time.js";
export type * from "./interfaces.js";

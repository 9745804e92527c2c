/**
 * Property checks and fast-check arbitraries for probability paths and schedulers
 * (`flow-matching/testing`; fast-check is a peer dependency of this entry).
 *
 * @packageDocumentation
 */
export * from "./property-check-error.js";
export type { RunOptions } from "./run-property.js";
export * from "./arbitraries.js";
export * from "./scheduler-checks.js";
export * from "./path-checks.js";
export * from "./check-path.js";

export type { SchedulerSource } from "./scheduler-like.js";
export * from "./marginal.js";
export * from "./gaussian.js";
export * from "./conditional.js";
export * from "./predictions.js";
export * from "./conditioned.js";

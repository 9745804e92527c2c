export * from "./tableau.js";
export type { AsyncOdeFunction, OdeFunction, OdeStatistics } from "./evaluate.js";
export * from "./integrate.js";
export * from "./sample.js";
export * from "./likelihood.js";
export * from "./path-energy.js";
export * from "./time-grid.js";
export * from "./sde.js";

export * from "./tableau.js";
export type { OdeFunction, OdeStatistics } from "./evaluate.js";
export { integrate, type IntegrateOptions, type StepController, type OdeResult, type OdePartial } from "./integrate.js";
export { sample } from "./sample.js";
export * from "./likelihood.js";
export * from "./path-energy.js";

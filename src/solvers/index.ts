export * from "./tableau.js";
export type { AsyncOdeFunction, OdeFunction, OdeStatistics } from "./evaluate.js";
export { integrate, integrateAsync, type IntegrateOptions, type StepController, type OdeResult, type OdePartial } from "./integrate.js";
export { sample, sampleAsync } from "./sample.js";
export * from "./likelihood.js";
export * from "./path-energy.js";
export { uniformGrid, powerGrid, cosineGrid, type GridInterval } from "./time-grid.js";
export * from "./sde.js";

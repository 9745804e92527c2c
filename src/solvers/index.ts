export * from "./tableau.js";
export * from "./evaluate.js";
export * from "./integrate.js";

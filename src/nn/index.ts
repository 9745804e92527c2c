export * from "./spec.js";
export * from "./mlp.js";
export * from "./create.js";

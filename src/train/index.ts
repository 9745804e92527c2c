export * from "./train.js";
export * from "./time-samplers.js";

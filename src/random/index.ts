export * from "./random.js";
export * from "./log.js";

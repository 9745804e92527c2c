export * from "./builtin.js";
export * from "./define.js";
export * from "./evaluate.js";

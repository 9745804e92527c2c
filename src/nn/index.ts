export * from "./spec.js";
export * from "./mlp.js";
export * from "./create.js";
export * from "./optimizers.js";
export * from "./clip.js";
export * from "./ema.js";
export * from "./schedules.js";
export * from "./serialize.js";

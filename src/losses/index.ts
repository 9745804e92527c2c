export * from "./divergences.js";
export * from "./bregman.js";
export * from "./cfm-loss.js";

export * from "./divergences.js";
export * from "./bregman.js";
export * from "./cfm-loss.js";
export * from "./score-loss.js";

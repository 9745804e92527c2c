export * from "./tokens.js";
export * from "./sources.js";
export * from "./kappa.js";
export * from "./mixture-path.js";
export * from "./posterior-to-velocity.js";
export * from "./generalized-kl.js";
export * from "./ctmc-sampler.js";
export * from "./conditioned.js";

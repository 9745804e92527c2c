export { wasserstein, type WassersteinOptions } from "./wasserstein.js";
export { mmdSquared, type MmdOptions } from "./mmd.js";
export { energyDistance } from "./energy-distance.js";

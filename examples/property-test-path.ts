/**
 * Property-test your own probability path with `flow-matching/testing`.
 *
 * Run: npx tsx examples/property-test-path.ts
 *
 * It defines a user scheduler (a smoothstep schedule), checks it and its affine path with
 * every property of the kit, then shows the readable failure of a deliberately broken one.
 */
import { affinePath, defineScheduler } from "../src/index.js";
import { PropertyCheckError, checkPath, checkScheduler } from "../src/testing/index.js";

// kappa_t = 3t^2 - 2t^3 (smoothstep): alpha_t = kappa_t, sigma_t = 1 - kappa_t.
const smoothstep = defineScheduler({
  name: "smoothstep",
  alpha: (t) => t * t * (3 - 2 * t),
  sigma: (t) => 1 - t * t * (3 - 2 * t),
  dAlpha: (t) => 6 * t * (1 - t),
  dSigma: (t) => -6 * t * (1 - t),
  snrInverse: "bisection", // its SNR is increasing: claim it, and the kit checks the claim
});

checkScheduler(smoothstep);
// Conversions are singular where alpha'_t sigma_t - sigma'_t alpha_t = 6t(1-t) vanishes, so keep away from the ends.
checkPath(affinePath(smoothstep), { conversions: { margin: 0.05 } });
console.log('scheduler "smoothstep" and its affine path pass every check');

// A typo in the derivative: the kit names the violated condition and the counterexample.
const typo = defineScheduler({
  name: "smoothstepTypo",
  alpha: (t) => t * t * (3 - 2 * t),
  sigma: (t) => 1 - t * t * (3 - 2 * t),
  dAlpha: (t) => 6 * t * (1 - 2 * t),
  dSigma: (t) => -6 * t * (1 - t),
});
try {
  checkScheduler(typo);
  console.log("unexpected: the broken scheduler passed");
  process.exitCode = 1;
} catch (e) {
  if (!(e instanceof PropertyCheckError)) throw e;
  console.log(`broken scheduler rejected -> ${e.message}`);
}

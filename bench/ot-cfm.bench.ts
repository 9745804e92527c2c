import { defineBenchmarks } from "./harness.js";
import { trainSync } from "../src/train/index.js";
import { mlp } from "../src/nn/index.js";
import { eightGaussians, moons } from "../src/distributions/index.js";
import { affinePath } from "../src/paths/index.js";
import { condOT } from "../src/schedulers/index.js";
import { exactOTCoupling } from "../src/couplings/exact-ot.js";
import { independentCoupling } from "../src/couplings/independent.js";
import type { Coupling } from "../src/core/interfaces.js";
import { Random } from "../src/random/random.js";

/*
 * OT-CFM training step time (issue 13): 8 Gaussians -> moons, batch 256, Mlp [64, 64],
 * condOT path, Adam; per step with the exact OT coupling against independent pairing.
 * Each sample trains `steps` steps from the same seed; times are per step. The exact row's
 * metrics time both couplings alternately in the same process and report the ratio of
 * their medians (goal <= 2).
 */
const batch = 256, steps = 20;

function trainSteps(coupling: Coupling): void {
  trainSync({
    model: mlp({ dim: 2, hidden: [64, 64], seed: 0 }), source: eightGaussians(), target: moons(), path: affinePath(condOT()),
    coupling, steps, batchSize: batch, rng: new Random(0),
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export default defineBenchmarks([{
  name: `8 Gaussians -> moons batch ${batch}, exact OT (${steps} steps)`,
  run: () => trainSteps(exactOTCoupling()),
  inner: 1,
  repeats: 7,
  metrics: () => {
    const exact: number[] = [], independent: number[] = [];
    for (let r = 0; r < 7; r++) {
      let t0 = performance.now(); trainSteps(exactOTCoupling()); exact.push((performance.now() - t0) / steps);
      t0 = performance.now(); trainSteps(independentCoupling()); independent.push((performance.now() - t0) / steps);
    }
    return { msPerStepExact: median(exact), msPerStepIndependent: median(independent), ratioExactOverIndependent: median(exact) / median(independent) };
  },
}, {
  name: `8 Gaussians -> moons batch ${batch}, independent (${steps} steps)`,
  run: () => trainSteps(independentCoupling()),
  repeats: 7,
}]);

/**
 * Quick start: two moons from Gaussian noise in a few seconds.
 * Run: npx tsx examples/quick-start.ts  (writes examples/out/quick-start.svg)
 */
import { Random, adam, affinePath, condOT, cosineSchedule, mlp, moons, sample, standardNormal, trainSync, wasserstein } from "../src/index.js";
import { writePanels } from "./lib/svg.js";
import { trainingProgress, withSolveProgress } from "./progress.js";

const steps = Number(process.env.STEPS ?? 2000);
const model = mlp({ dim: 2, hidden: [64, 64, 64], activation: "silu", seed: 0 });
const t0 = performance.now();
trainSync({
  model, source: standardNormal(2), target: moons(), path: affinePath(condOT()),
  steps, batchSize: 256, rng: new Random(0), optimizer: adam({ lr: 2e-3 }), learningRate: cosineSchedule(2e-3, steps, 1e-4),
  onStep: trainingProgress("training", steps),
});
const noise = standardNormal(2).sample(1500, new Random(1));
const solve = withSolveProgress(model, "sampling");
const { y } = sample(solve.field, noise, { method: "dopri5", rtol: 1e-5, atol: 1e-5 });
solve.done();
const data = moons().sample(1500, new Random(2));
const w2 = wasserstein(y, data, { p: 2, method: "exact" });
const box: [number, number, number, number] = [-5.25, 6.25, -6, 5.5];
writePanels("examples/out/quick-start.svg", [
  { title: "noise (t = 0)", box, points: [{ data: noise.data, color: "#888" }] },
  { title: "generated (t = 1)", caption: `W2 to data = ${w2.toFixed(3)}`, box, points: [{ data: data.data, color: "#ccc" }, { data: y.data, color: "#d62728" }] },
]);
console.log(JSON.stringify({ steps, seconds: +((performance.now() - t0) / 1000).toFixed(1), w2: +w2.toFixed(4) }));
console.log("wrote examples/out/quick-start.svg");

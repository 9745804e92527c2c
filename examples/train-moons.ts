/**
 * Quick start: train a flow from 8 Gaussians to two moons with OT-CFM, sample it, and
 * draw the result. Run: npm run example  (writes examples/out/train-moons.svg and
 * examples/out/train-moons-loss.svg, prints W2 and the time taken).
 */
import { exactOTCoupling, moons, Random } from "../src/index.js";
import { trainMoons } from "./lib/moons-cfm.js";
import { writeLineChart, writePanels } from "./lib/svg.js";
import { trainingProgress } from "./progress.js";

const steps = Number(process.env.STEPS ?? 3000);
const t0 = performance.now();
const run = trainMoons(exactOTCoupling(), {
  steps,
  onStep: trainingProgress("training OT-CFM", steps),
});
const target = moons().sample(2000, new Random(99)).data;
const box: [number, number, number, number] = [-7, 7, -7, 7];
writePanels("examples/out/train-moons.svg", [
  { title: "source: 8 Gaussians", box, points: [{ data: run.source, color: "#888" }] },
  { title: "trajectories (OT-CFM)", box, lines: run.paths.slice(0, 120).map((p) => ({ data: p, color: "#2a6fdb", width: 0.7, opacity: 0.4 })), points: [{ data: run.generated.subarray(0, 400), color: "#d62728", radius: 1.2 }] },
  { title: "samples vs data", caption: `W2 = ${run.w2.toFixed(3)}`, box, points: [{ data: target, color: "#bbb" }, { data: run.generated, color: "#d62728" }] },
]);
writeLineChart("examples/out/train-moons-loss.svg", "CFM loss per step (OT-CFM)", [{ values: run.history.loss, color: "#2a6fdb", label: "loss" }]);
console.log(JSON.stringify({
  coupling: "exactOT", steps, trainSeconds: +run.trainSeconds.toFixed(1), totalSeconds: +((performance.now() - t0) / 1000).toFixed(1),
  w2: +run.w2.toFixed(4), pathEnergy: +run.energy.toFixed(3), finalLoss: +run.history.loss[run.history.loss.length - 1]!.toFixed(4),
}));
console.log("wrote examples/out/train-moons.svg and examples/out/train-moons-loss.svg");

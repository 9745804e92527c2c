/**
 * 8 Gaussians -> moons: independent (I-CFM) vs exact minibatch OT (OT-CFM) couplings, side
 * by side, with trajectories and path energies. Run: npx tsx examples/couplings-compare.ts
 * (writes examples/out/couplings-compare.svg).
 */
import { exactOTCoupling, moons, Random } from "../src/index.js";
import { trainMoons } from "./lib/moons-cfm.js";
import { writePanels } from "./lib/svg.js";
import { trainingProgress } from "./progress.js";

const steps = Number(process.env.STEPS ?? 2500);
const runs = [
  { name: "I-CFM (independent)", run: trainMoons(undefined, { steps, onStep: trainingProgress("I-CFM ", steps) }) },
  { name: "OT-CFM (exact OT)", run: trainMoons(exactOTCoupling(), { steps, onStep: trainingProgress("OT-CFM", steps) }) },
];
const target = moons().sample(2000, new Random(99)).data;
const box: [number, number, number, number] = [-7, 7, -7, 7];
writePanels("examples/out/couplings-compare.svg", runs.flatMap(({ name, run }) => [
  { title: name, caption: `path energy ${run.energy.toFixed(2)}`, box, lines: run.paths.slice(0, 120).map((p) => ({ data: p, color: "#2a6fdb", width: 0.7, opacity: 0.4 })) },
  { title: "samples", caption: `W2 = ${run.w2.toFixed(3)}, ${run.trainSeconds.toFixed(1)} s`, box, points: [{ data: target, color: "#bbb" }, { data: run.generated, color: "#d62728" }] },
]));
for (const { name, run } of runs) console.log(JSON.stringify({ coupling: name, steps, trainSeconds: +run.trainSeconds.toFixed(1), w2: +run.w2.toFixed(4), pathEnergy: +run.energy.toFixed(3) }));
console.log("wrote examples/out/couplings-compare.svg");

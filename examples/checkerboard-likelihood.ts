/**
 * Checkerboard: train a flow, then draw its log-likelihood on a grid, computed with the
 * exact divergence and with a one-probe Hutchinson estimate (probe fixed per solve).
 * Run: npx tsx examples/checkerboard-likelihood.ts  (writes examples/out/checkerboard-likelihood.svg)
 */
import { Random, adam, affinePath, checkerboard, condOT, cosineSchedule, fromData, logLikelihood, mlp, standardNormal, trainSync } from "../src/index.js";
import { writePanels } from "./lib/svg.js";
import { trainingProgress, withSolveProgress } from "./progress.js";

const steps = Number(process.env.STEPS ?? 3000);
const model = mlp({ dim: 2, hidden: [64, 64, 64], activation: "silu", seed: 0 });
const t0 = performance.now();
trainSync({
  model, source: standardNormal(2), target: checkerboard(), path: affinePath(condOT()),
  steps, batchSize: 256, rng: new Random(0), optimizer: adam({ lr: 2e-3 }), learningRate: cosineSchedule(2e-3, steps, 1e-4),
  onStep: trainingProgress("training", steps),
});
const m = 40, lo = -2.5, hi = 2.5, h = (hi - lo) / m;
const grid = new Float64Array(2 * m * m);
for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) { grid[2 * (i * m + j)] = lo + (j + 0.5) * h; grid[2 * (i * m + j) + 1] = lo + (i + 0.5) * h; }
const x1 = fromData(grid, [m * m, 2]);
const common = { source: standardNormal(2), method: "dopri5" as const, rtol: 1e-5, atol: 1e-5 };
const tExact = performance.now();
const exactSolve = withSolveProgress(model, "log-likelihood, exact divergence", 1, 0); // integrates from t = 1 back to 0
const exact = logLikelihood(exactSolve.field, x1, { ...common, divergence: "exact" });
exactSolve.done();
const exactSeconds = (performance.now() - tExact) / 1000;
const tHutch = performance.now();
const hutchSolve = withSolveProgress(model, "log-likelihood, Hutchinson", 1, 0);
const hutch = logLikelihood(hutchSolve.field, x1, { ...common, divergence: "hutchinson", probes: 1, noise: "rademacher", rng: new Random(3) });
hutchSolve.done();
const hutchSeconds = (performance.now() - tHutch) / 1000;
let mass = 0, gap = 0, truth = 0;
const board = checkerboard().logProb(x1);
for (let k = 0; k < m * m; k++) {
  mass += Math.exp(exact.logProb[k]!) * h * h;
  gap += Math.abs(exact.logProb[k]! - hutch.logProb[k]!) / (m * m);
  if (board[k] !== -Infinity) truth += Math.exp(exact.logProb[k]!) * h * h;
}
const box: [number, number, number, number] = [lo, hi, lo, hi];
writePanels("examples/out/checkerboard-likelihood.svg", [
  { title: "log p1, exact divergence", caption: `${exactSeconds.toFixed(1)} s, ${exact.statistics.nfe} evaluations`, box, heat: { values: exact.logProb.map((v) => Math.max(v, -8)), rows: m, cols: m } },
  { title: "log p1, Hutchinson (1 probe)", caption: `${hutchSeconds.toFixed(1)} s, mean |difference| ${gap.toFixed(3)}`, box, heat: { values: hutch.logProb.map((v) => Math.max(v, -8)), rows: m, cols: m } },
]);
console.log(JSON.stringify({ steps, seconds: +((performance.now() - t0) / 1000).toFixed(1), massOnGrid: +mass.toFixed(3), massOnSupport: +truth.toFixed(3), meanAbsDifferenceHutchinson: +gap.toFixed(4) }));
console.log("wrote examples/out/checkerboard-likelihood.svg");

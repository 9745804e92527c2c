/**
 * Bring your own model: a TensorFlow.js LayersModel (not an MLP of ours) trained on
 * 8 Gaussians -> moons with OT pairing on the wasm backend, sampled with the library's
 * async solver, and scored by the exact log-likelihood of held-out points.
 * Run: npx tsx examples/tfjs-moons.ts  (writes examples/out/tfjs-moons.svg, prints W2).
 * STEPS=n changes the number of training steps (default 2500; short smoke runs below 1000 steps
 * also measure on fewer points), BACKEND=cpu switches backend.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import * as tfl from "@tensorflow/tfjs-layers";
import { Random, affinePath, condOT, eightGaussians, exactOTCoupling, logLikelihoodAsync, moons, sampleAsync, wasserstein } from "../src/index.js";
import { tfVelocityField, trainTf } from "../src/tfjs/index.js";
import { createProgress } from "./progress.js";
import { writeLineChart, writePanels } from "./lib/svg.js";

const steps = Number(process.env.STEPS ?? 2500);
const backend = process.env.BACKEND ?? "wasm";
await tf.setBackend(backend);
await tf.ready();

// v_theta(x, t): the input is the columns [x, t]
const model = tfl.sequential({
  layers: [
    tfl.layers.dense({ inputShape: [3], units: 64, activation: "selu", kernelInitializer: tfl.initializers.leCunNormal({ seed: 1 }) }),
    tfl.layers.dense({ units: 64, activation: "selu", kernelInitializer: tfl.initializers.leCunNormal({ seed: 2 }) }),
    tfl.layers.dense({ units: 64, activation: "selu", kernelInitializer: tfl.initializers.leCunNormal({ seed: 3 }) }),
    tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.leCunNormal({ seed: 4 }) }),
  ],
});

const lr = 2e-3;
const optimizer = tf.train.adam(lr);
const bar = createProgress(`training on tfjs-${backend}`, steps, { rateUnit: "steps/s" });
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const result = await trainTf(model, {
  source: eightGaussians(), target: moons(), path: affinePath(condOT()), coupling: exactOTCoupling(),
  optimizer, steps, batchSize: 256, rng: new Random(1), ema: 0.99,
  onProgress: (s) => {
    if (s.step >= steps) bar.finish(`loss ${s.loss.toFixed(3)}`);
    else bar.update(s.step, `loss ${s.loss.toFixed(3)}`);
  },
});
const trainSeconds = (performance.now() - t0) / 1000;
// CPU time of this process: the wall time above grows on a machine that other work shares
const cpu = process.cpuUsage(cpu0);
const trainCpuSeconds = (cpu.user + cpu.system) / 1e6;
result.ema?.apply();
result.ema?.dispose();
optimizer.dispose();

const field = tfVelocityField(model);
const smoke = steps < 1000;
const n = smoke ? 500 : 2000;
const x0 = eightGaussians().sample(n, new Random(7));
const times = Array.from({ length: 21 }, (_, k) => k / 20);
const tSample = performance.now();
const run = await sampleAsync(field, x0, { method: "dopri5", rtol: 1e-5, atol: 1e-5, times });
const sampleSeconds = (performance.now() - tSample) / 1000;
const tW2 = performance.now();
const w2 = wasserstein(run.y, moons().sample(n, new Random(8)), { p: 2, method: "exact" });
const w2Seconds = (performance.now() - tW2) / 1000;
const tLikelihood = performance.now();
const heldOut = moons().sample(smoke ? 50 : 200, new Random(9));
const likelihood = await logLikelihoodAsync(field, heldOut, { source: eightGaussians(), rtol: 1e-5, atol: 1e-5 });
const meanLogLikelihood = likelihood.logProb.reduce((a, b) => a + b, 0) / heldOut.shape[0]!;
const likelihoodSeconds = (performance.now() - tLikelihood) / 1000;
const totalSeconds = (performance.now() - t0) / 1000;

const paths: Float64Array[] = [];
for (let i = 0; i < 120; i++) {
  const p = new Float64Array(2 * times.length);
  (run.trajectory ?? []).forEach((b, k) => { p[2 * k] = b.data[2 * i]!; p[2 * k + 1] = b.data[2 * i + 1]!; });
  paths.push(p);
}
const box: [number, number, number, number] = [-7, 7, -7, 7];
writePanels("examples/out/tfjs-moons.svg", [
  { title: "source: 8 Gaussians", box, points: [{ data: x0.data, color: "#888" }] },
  { title: `trajectories (tfjs-${backend} model)`, box, lines: paths.map((p) => ({ data: p, color: "#2a6fdb", width: 0.7, opacity: 0.4 })), points: [{ data: run.y.data.subarray(0, 240), color: "#d62728", radius: 1.2 }] },
  { title: "samples vs data", caption: `W2 = ${w2.toFixed(3)}, held-out log p = ${meanLogLikelihood.toFixed(2)}`, box, points: [{ data: moons().sample(n, new Random(10)).data, color: "#bbb" }, { data: run.y.data, color: "#d62728" }] },
]);
writeLineChart("examples/out/tfjs-moons-loss.svg", `CFM loss per step (tfjs-${backend})`, [{ values: result.loss, color: "#2a6fdb", label: "loss" }]);
console.log(JSON.stringify({
  backend, steps, trainSeconds: +trainSeconds.toFixed(1), trainCpuSeconds: +trainCpuSeconds.toFixed(1), sampleSeconds: +sampleSeconds.toFixed(1), w2Seconds: +w2Seconds.toFixed(1),
  likelihoodSeconds: +likelihoodSeconds.toFixed(1), totalSeconds: +totalSeconds.toFixed(1), w2: +w2.toFixed(4),
  heldOutLogLikelihood: +meanLogLikelihood.toFixed(3), sampleNfe: run.statistics.nfe, likelihoodNfe: likelihood.statistics.nfe,
  finalLoss: +result.loss[result.loss.length - 1]!.toFixed(4),
}));
console.log("wrote examples/out/tfjs-moons.svg and examples/out/tfjs-moons-loss.svg");
model.dispose();

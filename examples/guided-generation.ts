/**
 * Conditional generation with classifier-free guidance on labelled 2-D data: the 8
 * Gaussians, labelled by component. The model is trained with 20% of labels dropped to the
 * null label, then sampled per class with guidance weights w = 0 and w = 2.
 * Run: npx tsx examples/guided-generation.ts  (writes examples/out/guided-generation.svg)
 */
import { Random, adam, affinePath, classifierFreeGuidance, condOT, cosineSchedule, eightGaussians, fromData, mlp, sample, standardNormal, trainSync, type LabelledDistribution } from "../src/index.js";
import { writePanels } from "./lib/svg.js";
import { createProgress, trainingProgress } from "./progress.js";

const mixture = eightGaussians({ std: 0.4 });
const labelled: LabelledDistribution = {
  dim: 2,
  sampleWithLabels(n: number, rng: Random) {
    const labels = new Int32Array(n);
    const data = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const k = rng.int(8);
      labels[i] = k;
      data[2 * i] = mixture.means[k]![0]! + 0.4 * rng.normal();
      data[2 * i + 1] = mixture.means[k]![1]! + 0.4 * rng.normal();
    }
    return { x: fromData(data, [n, 2]), labels };
  },
};
const steps = Number(process.env.STEPS ?? 2500);
const model = mlp({ dim: 2, hidden: [64, 64, 64], activation: "silu", classes: 8, seed: 0 });
const t0 = performance.now();
trainSync({
  model, source: standardNormal(2), target: labelled, path: affinePath(condOT()), labelDropout: 0.2,
  steps, batchSize: 256, rng: new Random(0), optimizer: adam({ lr: 2e-3 }), learningRate: cosineSchedule(2e-3, steps, 1e-4),
  onStep: trainingProgress("training", steps),
});
const colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const box: [number, number, number, number] = [-8, 8, -8, 8];
const stats: Record<string, number> = {};
const sampling = createProgress("sampling 8 classes x 2 weights", 16);
const panels = [0, 2].map((w) => {
  const points = [];
  let hits = 0;
  for (let k = 0; k < 8; k++) {
    const x0 = standardNormal(2).sample(150, new Random(10 + k));
    const { y } = sample(classifierFreeGuidance(model, k, w), x0, { method: "dopri5", rtol: 1e-5, atol: 1e-5 });
    const [cx, cy] = mixture.means[k]!;
    for (let i = 0; i < 150; i++) if (Math.hypot(y.data[2 * i]! - cx!, y.data[2 * i + 1]! - cy!) < 1.5) hits++;
    points.push({ data: y.data, color: colors[k]!, radius: 1.6 });
    sampling.update((w === 0 ? 0 : 8) + k + 1);
  }
  stats[`onTargetFraction_w${w}`] = +(hits / 1200).toFixed(3);
  return { title: `guidance w = ${w}`, caption: `${((100 * hits) / 1200).toFixed(1)}% within 1.5 of their class centre`, box, points };
});
sampling.finish();
writePanels("examples/out/guided-generation.svg", panels);
console.log(JSON.stringify({ steps, seconds: +((performance.now() - t0) / 1000).toFixed(1), ...stats }));
console.log("wrote examples/out/guided-generation.svg");

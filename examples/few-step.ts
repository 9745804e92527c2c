/**
 * Few-step generation compared: the base flow (Euler, midpoint, dopri5), reflow-1, reflow-2,
 * progressive distillation, a shortcut model and a MeanFlow model, each sampled with 1, 2, 4
 * and 8 steps, on 8 Gaussians -> moons and N(0, I) -> checkerboard, with W2 and MMD to the
 * data and the training time of each. Run: npx tsx examples/few-step.ts
 * (fixed seeds; writes examples/out/few-step-moons.svg, few-step-checkerboard.svg and the
 * markdown table examples/out/few-step.md). STEPS=n scales every training run down for a
 * quick check (the test suite uses STEPS=40). The shortcut and MeanFlow models train on
 * minibatch-OT pairs; COUPLING=independent trains them on independent pairs instead.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import {
  ParameterEma, Random, adam, exactOTCoupling, checkerboard, cosineSchedule, distill, eightGaussians, mlp, mmdSquared, moons, reflow, sample, sampleFewStep,
  standardNormal, trainMeanFlow, trainShortcut, trainSync, twoTimeMlp, wasserstein, affinePath, condOT,
  type Batch, type Distribution, type VelocityField,
} from "../src/index.js";
import { writeGrid } from "./lib/grid.js";

const base = Number(process.env.STEPS ?? 3000);
const quick = base < 500;
const samples = quick ? 128 : 1000;
const stepCounts = [1, 2, 4, 8];
const lr = 2e-3;
const hidden = [64, 64, 64];
const independent = process.env.COUPLING === "independent";
const twoTimeLabel = independent ? "" : " (OT)";
const batchSize = 256;
const opt = (steps: number) => ({ optimizer: () => adam({ lr }), learningRate: cosineSchedule(lr, steps, lr / 20) });

interface Method {
  name: string;
  trainSeconds: number;
  /** Samples with k steps, or null when the method has no k-step sampler. */
  generate: (x0: Batch, k: number) => Batch | null;
  /** Evaluations per sample at k steps. */
  nfe: (k: number) => number;
}

const datasets: { key: string; title: string; source: Distribution; target: Distribution; box: [number, number, number, number] }[] = [
  { key: "moons", title: "8 Gaussians -> moons", source: eightGaussians(), target: moons(), box: [-3, 4, -2.5, 3] },
  { key: "checkerboard", title: "N(0, I) -> checkerboard", source: standardNormal(2), target: checkerboard(), box: [-2.5, 2.5, -2.5, 2.5] },
];

const tableLines: string[] = [];
for (const [index, data] of datasets.entries()) {
  const seed = 10 * index;
  const seconds = (start: number) => (performance.now() - start) / 1000;
  // a line per quarter of each training run on stderr (PROGRESS=off silences it)
  const bar = (label: string, total: number) => (s: { step: number }) => {
    if (process.env.PROGRESS !== "off" && (s.step === total || s.step % Math.max(1, Math.floor(total / 4)) === 0)) process.stderr.write(`${data.key} ${label} ${s.step}/${total}\n`);
  };

  // the base flow: flow matching with the independent coupling (I-CFM)
  let start = performance.now();
  const flow = mlp({ dim: 2, hidden, seed });
  trainSync({ model: flow, source: data.source, target: data.target, path: affinePath(condOT()), steps: base, batchSize, rng: new Random(seed + 1), optimizer: adam({ lr }), learningRate: cosineSchedule(lr, base, lr / 20), onStep: bar("base    ", base) });
  const baseSeconds = seconds(start);

  const reflowSteps = Math.round(base / 5);
  const rounds = reflow({ field: flow, source: data.source, rounds: 2, pairs: quick ? 256 : 4096, rng: new Random(seed + 2), steps: reflowSteps, batchSize, ...opt(reflowSteps), onStep: bar("reflow  ", reflowSteps) });

  const distillSteps = Math.round(base / 8);
  const students = distill({ teacher: flow, teacherSteps: 16, source: data.source, target: data.target, rng: new Random(seed + 3), steps: distillSteps, batchSize, ...opt(distillSteps), onStep: bar("distill ", distillSteps) });

  // the two-time models: minibatch-OT pairs (straighter, lower-variance targets), batches of 128
  // (exact OT costs n^3), and sampled with an exponential moving average of their parameters
  const twoTimeSteps = base;
  const twoTime = (train: typeof trainShortcut | typeof trainMeanFlow, label: string, modelSeed: number) => {
    const begin = performance.now();
    const model = twoTimeMlp({ dim: 2, hidden, seed: modelSeed });
    const ema = new ParameterEma(model.parameters, 0.999);
    train({
      model, source: data.source, target: data.target, rng: new Random(modelSeed + 1), steps: twoTimeSteps, batchSize: 128, ...opt(twoTimeSteps),
      ...(independent ? {} : { coupling: exactOTCoupling() }), onStep: (s) => { ema.update(model.parameters); bar(label, twoTimeSteps)(s); },
    });
    model.parameters.set(ema.shadow);
    return { model, seconds: seconds(begin) };
  };
  const { model: shortcut, seconds: shortcutSeconds } = twoTime(trainShortcut, "shortcut", seed + 4);
  const { model: meanFlow, seconds: meanFlowSeconds } = twoTime(trainMeanFlow, "meanflow", seed + 6);

  const euler = (field: VelocityField) => (x0: Batch, k: number) => sample(field, x0, { method: "euler", steps: k }).y;
  const methods: Method[] = [
    { name: "base, Euler", trainSeconds: baseSeconds, generate: euler(flow), nfe: (k) => k },
    { name: "base, midpoint", trainSeconds: baseSeconds, generate: (x0, k) => sample(flow, x0, { method: "midpoint", steps: k }).y, nfe: (k) => 2 * k },
    { name: "reflow-1", trainSeconds: rounds[1]!.elapsedMs / 1000, generate: euler(rounds[1]!.field), nfe: (k) => k },
    { name: "reflow-2", trainSeconds: rounds[2]!.elapsedMs / 1000, generate: euler(rounds[2]!.field), nfe: (k) => k },
    {
      name: "distilled", trainSeconds: students.reduce((s, r) => s + r.elapsedMs, 0) / 1000, nfe: (k) => k,
      generate: (x0, k) => { const s = students.find((r) => r.steps === k); return s ? sample(s.field, x0, { method: "euler", steps: k }).y : null; },
    },
    { name: `shortcut${twoTimeLabel}`, trainSeconds: shortcutSeconds, generate: (x0, k) => sampleFewStep(shortcut, x0, { steps: k }).y, nfe: (k) => k },
    { name: `MeanFlow${twoTimeLabel}`, trainSeconds: meanFlowSeconds, generate: (x0, k) => sampleFewStep(meanFlow, x0, { steps: k }).y, nfe: (k) => k },
  ];

  // evaluation: the same source points for every method, a fixed data sample as reference
  const x0 = data.source.sample(samples, new Random(seed + 100));
  const reference = data.target.sample(samples, new Random(seed + 101));
  const w2 = (y: Batch) => wasserstein(y, reference, { p: 2 });
  const mmd = (y: Batch) => Math.sqrt(Math.max(0, mmdSquared(y, reference, { biased: true })));
  const floor = data.target.sample(samples, new Random(seed + 102));
  const adaptive = sample(flow, x0, { method: "dopri5", rtol: 1e-5, atol: 1e-5 });
  const adaptiveNfe = adaptive.statistics.nfe;
  const dopriW2 = w2(adaptive.y);

  const header = `| ${data.title} | train s | ${stepCounts.map((k) => `${k} step${k > 1 ? "s" : ""}: W2 / MMD`).join(" | ")} |`;
  tableLines.push(`### ${data.title}`, "", header, `|---|---|${stepCounts.map(() => "---").join("|")}|`);
  const gridRows: { label: string; cells: ({ points: Float64Array; caption: string } | null)[] }[] = [];
  const results: Record<string, Record<number, { w2: number; mmd: number }>> = {};
  for (const m of methods) {
    const cells: string[] = [];
    const row: ({ points: Float64Array; caption: string } | null)[] = [];
    results[m.name] = {};
    for (const k of stepCounts) {
      const y = m.generate(x0, k);
      if (y === null) { cells.push("–"); row.push(null); continue; }
      const a = w2(y), b = mmd(y);
      results[m.name]![k] = { w2: a, mmd: b };
      cells.push(`${a.toFixed(3)} / ${b.toFixed(3)}${m.nfe(k) !== k ? ` (${m.nfe(k)} NFE)` : ""}`);
      row.push({ points: y.data, caption: `W2 ${a.toFixed(3)}  MMD ${b.toFixed(3)}` });
    }
    tableLines.push(`| ${m.name} | ${m.trainSeconds.toFixed(1)} | ${cells.join(" | ")} |`);
    gridRows.push({ label: m.name, cells: row });
    console.log(JSON.stringify({ dataset: data.key, method: m.name, trainSeconds: +m.trainSeconds.toFixed(2), ...Object.fromEntries(stepCounts.map((k) => [`w2@${k}`, +(results[m.name]![k]?.w2 ?? NaN).toFixed(4)])) }));
  }
  const floorW2 = w2(floor), floorMmd = mmd(floor);
  tableLines.push(
    `| base, dopri5 (${adaptiveNfe} NFE) | ${baseSeconds.toFixed(1)} | ${dopriW2.toFixed(3)} / ${mmd(adaptive.y).toFixed(3)} | | | |`,
    `| data vs data (floor) | – | ${floorW2.toFixed(3)} / ${floorMmd.toFixed(3)} | | | |`, "",
    `Straightness (path energy) by round: ${rounds.map((r) => `round ${r.round}: ${r.straightness.toFixed(4)} (${r.pathEnergy.toFixed(3)})`).join(", ")}.`, "",
  );
  const best = Math.min(results[`MeanFlow${twoTimeLabel}`]![1]!.w2, results[`shortcut${twoTimeLabel}`]![1]!.w2);
  const goals = {
    dataset: data.key, samples, dopri5W2: +dopriW2.toFixed(4), dopri5Nfe: adaptiveNfe, floorW2: +floorW2.toFixed(4),
    oneStepTwoTimeRatio: +(best / dopriW2).toFixed(3),
    reflowOneEulerGain: +(results["base, Euler"]![1]!.w2 / results["reflow-1"]![1]!.w2).toFixed(3),
    straightness: rounds.map((r) => +r.straightness.toFixed(5)), pathEnergy: rounds.map((r) => +r.pathEnergy.toFixed(4)),
  };
  console.log(JSON.stringify(goals));
  tableLines.push(`Goals: best one-step two-time W2 / dopri5 W2 = ${goals.oneStepTwoTimeRatio}; base 1-Euler W2 / reflow-1 1-Euler W2 = ${goals.reflowOneEulerGain}.`, "");
  writeGrid(`examples/out/few-step-${data.key}.svg`, `${data.title}: samples (red) over data (grey), ${samples} points`,
    stepCounts.map((k) => `${k} step${k > 1 ? "s" : ""}`), gridRows, reference.data, data.box);
}
mkdirSync("examples/out", { recursive: true });
writeFileSync("examples/out/few-step.md", `${tableLines.join("\n")}\n`);
console.log(tableLines.join("\n"));
console.log("wrote examples/out/few-step-moons.svg, examples/out/few-step-checkerboard.svg, examples/out/few-step.md");

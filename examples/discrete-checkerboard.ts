/**
 * Discrete flow matching of a 2-D checkerboard on a 128 x 128 grid: every sample is a
 * sequence of 2 tokens (its x and y cell index, vocabulary 128). The mixture path with a
 * condOT kappa carries a uniform source to the data; an MLP reads the one-hot tokens and t
 * and predicts 2 x 128 posterior logits, trained with the mixture path's generalized-KL loss;
 * samples come from the CTMC Euler sampler. Run: npx tsx examples/discrete-checkerboard.ts
 * (STEPS=... to change the number of training steps). Writes
 * examples/out/discrete-checkerboard.svg (128 x 128 histograms) and prints a JSON summary.
 */
import ndarray from "ndarray";
import {
  Random, adam, checkerboard, clipGradNorm, condOT, cosineSchedule, ctmcSample, mixtureDiscretePath,
  mixtureGeneralizedKL, mixtureGeneralizedKLGradient, mlp, uniformSource,
  type Batch, type DiscretePosteriorModel, type Mlp, type Tokens,
} from "../src/index.js";
import { progress, writePanels } from "./lib/svg.js";

const steps = Number(process.env.STEPS ?? 1500);
const start = performance.now();
const K = 128;
const positions = 2;
const cell = K / 4; // the board has 4 x 4 squares of 32 x 32 cells

/** n checkerboard samples as tokens: cell indices of points of checkerboard() on [-2, 2)^2. */
function sampleBoard(n: number, rng: Random): Tokens {
  const x = checkerboard().sample(n, rng).data;
  const tokens = new Int32Array(n * positions);
  for (let k = 0; k < tokens.length; k++) tokens[k] = Math.min(K - 1, Math.max(0, Math.floor(((x[k] as number) + 2) * cell)));
  return ndarray(tokens, [n, positions]);
}
/** Black cells of the board: squares (c, r) with c + r even, as in checkerboard(). */
const isBlack = (i: number, j: number) => (Math.floor(i / cell) + Math.floor(j / cell)) % 2 === 0;

/** One-hot encoding [n, positions * K] of the tokens: the MLP's input. */
function oneHot(x: Tokens): Batch {
  const n = x.shape[0] as number;
  const out = new Float64Array(n * positions * K);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < positions; l++) out[i * positions * K + l * K + (x.data[i * positions + l] as number)] = 1;
  }
  return ndarray(out, [n, positions * K]);
}

/** The MLP's [n, positions * K] output seen as logits [n * positions, K] (same storage). */
const asLogits = (y: Batch): Batch => ndarray(y.data, [(y.shape[0] as number) * positions, K]);

const scheduler = condOT();
const path = mixtureDiscretePath(scheduler);
const source = uniformSource(K);
const model: Mlp = mlp({ dim: positions * K, hidden: [128, 128], activation: "silu", seed: 0 });
const lr = 3e-3;
const optimizer = adam({ lr });
const schedule = cosineSchedule(lr, steps, lr / 20);
const rng = new Random(1);
const batchSize = 256;
const losses = new Float64Array(steps);
const trainStart = performance.now();
for (let step = 0; step < steps; step++) {
  const x1 = sampleBoard(batchSize, rng);
  const x0 = source.sample(batchSize, positions, rng);
  // t in [0, 0.995): the loss weight kappa' / (1 - kappa) = 1 / (1 - t) stays bounded.
  const t = new Float64Array(batchSize);
  for (let i = 0; i < batchSize; i++) t[i] = 0.995 * rng.uniform();
  const xt = path.sample(x0, x1, t, rng).xt;
  const y = model.forward(oneHot(xt), t);
  const logits = asLogits(y);
  const loss = mixtureGeneralizedKL(logits, x1, xt, t, scheduler);
  let mean = 0;
  for (const v of loss) mean += v;
  losses[step] = mean / batchSize;
  const g = mixtureGeneralizedKLGradient(logits, x1, xt, t, scheduler);
  for (let k = 0; k < g.data.length; k++) g.data[k] = (g.data[k] as number) / batchSize;
  model.backward(ndarray(g.data, [batchSize, positions * K]));
  clipGradNorm(model.gradient, 1);
  optimizer.step(model.parameters, model.gradient, schedule(step));
  progress("training discrete FM", step + 1, steps, `loss ${losses[step]!.toFixed(3)}`);
}
const trainSeconds = (performance.now() - trainStart) / 1000;

// The posterior model of the sampler: softmax of the MLP's logits, per position.
const posteriorModel: DiscretePosteriorModel = {
  states: K,
  posterior(xt: Tokens, t: number): Batch {
    const n = xt.shape[0] as number;
    const z = model.evaluate(oneHot(xt), t).data;
    const p = new Float64Array(z.length);
    for (let r = 0; r < n * positions; r++) {
      let max = -Infinity;
      for (let j = 0; j < K; j++) max = Math.max(max, z[r * K + j] as number);
      let sum = 0;
      for (let j = 0; j < K; j++) sum += p[r * K + j] = Math.exp((z[r * K + j] as number) - max);
      for (let j = 0; j < K; j++) p[r * K + j] = (p[r * K + j] as number) / sum;
    }
    return ndarray(p, [n * positions, K]);
  },
};
const n = 6000;
const run = ctmcSample(posteriorModel, source.sample(n, positions, new Random(7)), { scheduler, rng: new Random(8), steps: 64 });

const histogram = (x: Tokens) => {
  const h = new Float64Array(K * K);
  for (let i = 0; i < (x.shape[0] as number); i++) {
    const ix = x.data[2 * i] as number, iy = x.data[2 * i + 1] as number;
    h[iy * K + ix] = (h[iy * K + ix] as number) + 1; // row = y (bottom to top), column = x
  }
  return h;
};
let black = 0;
for (let i = 0; i < n; i++) if (isBlack(run.x.data[2 * i] as number, run.x.data[2 * i + 1] as number)) black++;
const fraction = black / n;
const target = sampleBoard(n, new Random(9));

const box: [number, number, number, number] = [0, K, 0, K];
writePanels("examples/out/discrete-checkerboard.svg", [
  { title: "target: checkerboard tokens", caption: `histogram of ${n} samples, 128 x 128 cells`, box, heat: { values: histogram(target), rows: K, cols: K } },
  { title: "samples (CTMC, uniform source)", caption: `${(100 * fraction).toFixed(1)}% on black cells (chance 50%)`, box, heat: { values: histogram(run.x), rows: K, cols: K } },
]);
console.log(JSON.stringify({
  example: "discrete-checkerboard", steps, trainSeconds: +trainSeconds.toFixed(1), totalSeconds: +((performance.now() - start) / 1000).toFixed(1),
  fractionOnBlack: +fraction.toFixed(4), finalLoss: +losses.slice(-50).reduce((a, b) => a + b / Math.min(50, steps), 0).toFixed(4), nfe: run.nfe,
}));
console.log("wrote examples/out/discrete-checkerboard.svg");

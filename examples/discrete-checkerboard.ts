/**
 * Discrete flow matching of a 2-D checkerboard on a 128 x 128 grid: every sample is a
 * sequence of 2 tokens (its x and y cell index, vocabulary 128). The mixture path with a
 * condOT kappa carries the mask source (every token starts as the extra mask state 128) to
 * the data; an MLP reads the one-hot states (129 per position) and t and predicts the
 * posterior logits of each masked position, trained with the mixture path's generalized-KL
 * loss; samples come from the CTMC Euler sampler. A position that is no longer masked holds
 * its data token, so its posterior is exactly a point mass there ("carry-over", as in masked
 * diffusion models): the model only predicts masked positions. Run: npx tsx examples/discrete-checkerboard.ts
 * (STEPS=... to change the number of training steps). Writes
 * examples/out/discrete-checkerboard.svg (128 x 128 histograms) and prints a JSON summary.
 */
import ndarray from "ndarray";
import {
  Random, adam, checkerboard, clipGradNorm, condOT, cosineSchedule, ctmcSample, mixtureDiscretePath,
  maskSource, mixtureGeneralizedKL, mixtureGeneralizedKLGradient, mlp,
  type Batch, type DiscretePosteriorModel, type Mlp, type Tokens,
} from "../src/index.js";
import { writePanels } from "./lib/svg.js";
import { createProgress } from "./progress.js";

const steps = Number(process.env.STEPS ?? 1500);
const start = performance.now();
const K = 128;
const positions = 2;
const S = K + 1; // states per position: 128 tokens and the mask
const MASK = K;
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

/** One-hot encoding [n, positions * S] of the states: the MLP's input. */
function oneHot(x: Tokens): Batch {
  const n = x.shape[0] as number;
  const out = new Float64Array(n * positions * S);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < positions; l++) out[i * positions * S + l * S + (x.data[i * positions + l] as number)] = 1;
  }
  return ndarray(out, [n, positions * S]);
}

/**
 * Posterior logits [n * positions, S] from the MLP's output [n, positions * S]: a masked
 * position gets the MLP's logits with the mask state excluded (-Infinity); an unmasked one
 * gets a point mass on its token (0 there, -Infinity elsewhere), independent of the MLP.
 */
function posteriorLogits(y: Batch, xt: Tokens): Batch {
  const rows = xt.data.length;
  const z = new Float64Array(rows * S);
  for (let r = 0; r < rows; r++) {
    const s = xt.data[r] as number;
    if (s === MASK) {
      z.set(y.data.subarray(r * S, r * S + S), r * S);
      z[r * S + MASK] = -Infinity;
    } else {
      z.fill(-Infinity, r * S, r * S + S);
      z[r * S + s] = 0;
    }
  }
  return ndarray(z, [rows, S]);
}

const scheduler = condOT();
const path = mixtureDiscretePath(scheduler);
const source = maskSource(K);
const model: Mlp = mlp({ dim: positions * S, hidden: [128, 128], activation: "silu", seed: 0 });
const lr = 3e-3;
const optimizer = adam({ lr });
const schedule = cosineSchedule(lr, steps, lr / 20);
const rng = new Random(1);
const batchSize = 256;
const losses = new Float64Array(steps);
const trainStart = performance.now();
const bar = createProgress("training discrete FM", steps, { rateUnit: "steps/s" });
for (let step = 0; step < steps; step++) {
  const x1 = sampleBoard(batchSize, rng);
  const x0 = source.sample(batchSize, positions, rng);
  // t in [0, 0.995): the loss weight kappa' / (1 - kappa) = 1 / (1 - t) stays bounded.
  const t = new Float64Array(batchSize);
  for (let i = 0; i < batchSize; i++) t[i] = 0.995 * rng.uniform();
  const xt = path.sample(x0, x1, t, rng).xt;
  const y = model.forward(oneHot(xt), t);
  const logits = posteriorLogits(y, xt);
  const loss = mixtureGeneralizedKL(logits, x1, xt, t, scheduler);
  let mean = 0;
  for (const v of loss) mean += v;
  losses[step] = mean / batchSize;
  const g = mixtureGeneralizedKLGradient(logits, x1, xt, t, scheduler);
  // Only masked positions depend on the MLP (and not through the mask state's logit).
  for (let r = 0; r < batchSize * positions; r++) {
    const masked = xt.data[r] === MASK;
    for (let j = 0; j < S; j++) g.data[r * S + j] = masked && j !== MASK ? (g.data[r * S + j] as number) / batchSize : 0;
  }
  model.backward(ndarray(g.data, [batchSize, positions * S]));
  clipGradNorm(model.gradient, 1);
  optimizer.step(model.parameters, model.gradient, schedule(step));
  bar.update(step + 1, `loss ${losses[step]!.toFixed(3)}`);
}
bar.finish(`loss ${losses[steps - 1]!.toFixed(3)}`);
const trainSeconds = (performance.now() - trainStart) / 1000;

// The posterior model of the sampler: softmax of the MLP's logits, per position. Its time
// argument runs from 0 to 1, so it also tells how far sampling has come.
const sampling = createProgress("sampling (CTMC)", 1, { counts: false });
const posteriorModel: DiscretePosteriorModel = {
  states: S,
  posterior(xt: Tokens, t: number): Batch {
    sampling.update(t);
    const n = xt.shape[0] as number;
    const z = posteriorLogits(model.evaluate(oneHot(xt), t), xt).data;
    const p = new Float64Array(z.length);
    for (let r = 0; r < n * positions; r++) {
      let max = -Infinity;
      for (let j = 0; j < S; j++) max = Math.max(max, z[r * S + j] as number);
      let sum = 0;
      for (let j = 0; j < S; j++) sum += p[r * S + j] = Math.exp((z[r * S + j] as number) - max);
      for (let j = 0; j < S; j++) p[r * S + j] = (p[r * S + j] as number) / sum;
    }
    return ndarray(p, [n * positions, S]);
  },
};
// Fewer samples for short (test) runs: sampling, not training, dominates their time.
const n = steps >= 1000 ? 6000 : 1500;
const run = ctmcSample(posteriorModel, source.sample(n, positions, new Random(7)), { scheduler, rng: new Random(8), steps: 48 });
sampling.finish();

const histogram = (x: Tokens) => {
  const h = new Float64Array(K * K);
  for (let i = 0; i < (x.shape[0] as number); i++) {
    const ix = x.data[2 * i] as number, iy = x.data[2 * i + 1] as number;
    h[iy * K + ix] = (h[iy * K + ix] as number) + 1; // row = y (bottom to top), column = x
  }
  return h;
};
let black = 0, masked = 0;
for (let i = 0; i < n; i++) {
  const ix = run.x.data[2 * i] as number, iy = run.x.data[2 * i + 1] as number;
  if (ix === MASK || iy === MASK) masked++;
  else if (isBlack(ix, iy)) black++;
}
const fraction = black / n;
const target = sampleBoard(n, new Random(9));
// Spread inside the black squares: the share of the 128 black 8 x 8 blocks of cells holding at
// least a quarter of their expected n / 128 samples (1.0 when no block is starved).
const blockCoverage = (x: Tokens) => {
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const ix = x.data[2 * i] as number, iy = x.data[2 * i + 1] as number;
    if (ix === MASK || iy === MASK || !isBlack(ix, iy)) continue;
    const key = Math.floor(iy / 8) * 16 + Math.floor(ix / 8);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let full = 0;
  for (let bi = 0; bi < 16; bi++) for (let bj = 0; bj < 16; bj++) {
    if (isBlack(8 * bj, 8 * bi) && (counts.get(bi * 16 + bj) ?? 0) >= n / 128 / 4) full++;
  }
  return full / 128;
};

const box: [number, number, number, number] = [0, K, 0, K];
writePanels("examples/out/discrete-checkerboard.svg", [
  { title: "target: checkerboard tokens", caption: `histogram of ${n} samples, 128 x 128 cells`, box, heat: { values: histogram(target), rows: K, cols: K } },
  { title: "samples (CTMC, mask source)", caption: `${(100 * fraction).toFixed(1)}% on black cells (chance 50%)`, box, heat: { values: histogram(run.x), rows: K, cols: K } },
]);
console.log(JSON.stringify({
  example: "discrete-checkerboard", steps, trainSeconds: +trainSeconds.toFixed(1), totalSeconds: +((performance.now() - start) / 1000).toFixed(1),
  fractionOnBlack: +fraction.toFixed(4), blockCoverage: +blockCoverage(run.x).toFixed(4), targetBlockCoverage: +blockCoverage(target).toFixed(4), stillMasked: masked, finalLoss: +losses.slice(-50).reduce((a, b) => a + b / Math.min(50, steps), 0).toFixed(4), nfe: run.nfe,
}));
console.log("wrote examples/out/discrete-checkerboard.svg");

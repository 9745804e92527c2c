/*
 * The tfjs entry: a `train-2d` step of ../shared/anchors/WORKLOADS.md ([3-64-64-64-2] SELU,
 * batch 256, Adam, independent pairing) through trainTf on the tfjs wasm and cpu backends,
 * beside PyTorch (1 thread) when FM_ANCHOR is set; and the cost of the async driver: sampleAsync
 * against sample on the same synchronous field (same stepping code, same evaluations).
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import * as tfl from "@tensorflow/tfjs-layers";
import { defineBenchmarks } from "./harness.js";
import type { Batch } from "../src/core/batch.js";
import { moons, standardNormal } from "../src/distributions/index.js";
import { mlp } from "../src/nn/index.js";
import type { Mlp } from "../src/nn/index.js";
import { affinePath } from "../src/paths/index.js";
import { Random } from "../src/random/index.js";
import { condOT } from "../src/schedulers/index.js";
import { sample, sampleAsync } from "../src/solvers/index.js";
import { trainTf } from "../src/tfjs/index.js";

interface TfTrainState { model: tfl.Sequential; optimizer: tf.Optimizer; rng: Random; lastLoss: number }

function trainSetup(backend: string): () => Promise<TfTrainState> {
  return async () => {
    await tf.setBackend(backend);
    await tf.ready();
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [3], units: 64, activation: "selu" }),
        tfl.layers.dense({ units: 64, activation: "selu" }),
        tfl.layers.dense({ units: 64, activation: "selu" }),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    return { model, optimizer: tf.train.adam(1e-3), rng: new Random(0), lastLoss: NaN };
  };
}

async function trainStep(s: TfTrainState): Promise<void> {
  const r = await trainTf(s.model, { source: standardNormal(2), target: moons(), path: affinePath(condOT()), optimizer: s.optimizer, steps: 1, batchSize: 256, rng: s.rng });
  s.lastLoss = r.loss[0] as number;
}

interface SampleState { net: Mlp; x0: Batch }
const sampleSetup = (rows: number) => (): SampleState => ({ net: mlp({ dim: 2, hidden: [64, 64], seed: 1 }), x0: new Random(2).normalBatch(rows, 2) });

export default defineBenchmarks([
  ...["wasm", "cpu"].map((backend) => ({
    name: `trainTf train-2d step batch 256 [3-64-64-64-2] selu adam, tfjs-${backend}, vs torch 1 thread`,
    setup: trainSetup(backend),
    run: trainStep,
    inner: 20,
    repeats: 5,
    metrics: (s: TfTrainState, ms: number) => ({ stepsPerSecond: 1000 / ms, loss: s.lastLoss }),
    anchor: { workload: "train-2d", label: "torch f32 1t", ms: (j: Record<string, unknown>) => (j.threads1 as { ms_per_step: number }).ms_per_step },
  })),
  ...[1, 256].flatMap((rows) => [
    {
      name: `sample, Mlp [2-64-64-2], ${rows} rows, rk4 100 steps (sync driver)`,
      setup: sampleSetup(rows), repeats: 7,
      run: (s: SampleState) => sample(s.net, s.x0, { method: "rk4", steps: 100 }),
    },
    {
      name: `sampleAsync, the same field and solve (async driver)`,
      setup: sampleSetup(rows), repeats: 7,
      run: (s: SampleState) => sampleAsync(s.net, s.x0, { method: "rk4", steps: 100 }),
    },
  ]),
]);

import ndarray from "ndarray";
import { defineBenchmarks } from "./harness.js";
import { Random } from "../src/random/random.js";
import { mlp, adam, float32Inference } from "../src/nn/index.js";
import type { Mlp, MlpFloat32, Optimizer } from "../src/nn/index.js";
import { cfmLoss, squaredEuclidean } from "../src/losses/index.js";
import { moons } from "../src/distributions/index.js";
import type { Batch } from "../src/core/batch.js";

/* Workloads `mlp-forward` and `train-2d` defined in bench/reference.py. */

const forwardRows = 4096;
const forwardWidth = 256;
/** Multiply-adds of one forward pass times 2 (the anchor's FLOP count). */
const forwardFlops = 2 * forwardRows * (3 * forwardWidth + 2 * forwardWidth * forwardWidth + 2 * forwardWidth);

interface ForwardState { net: Mlp; x: Batch; t: Float64Array; out: Batch }

function forwardSetup(): ForwardState {
  const rng = new Random(0);
  const net = mlp({ dim: 2, hidden: [forwardWidth, forwardWidth, forwardWidth], activation: "silu", seed: 0 });
  net.threads = 1; // these rows compare with torch on 1 thread (bench/engine.bench.ts has the threaded rows)
  const x = rng.normalBatch(forwardRows, 2);
  const t = new Float64Array(forwardRows);
  rng.fillUniform(t);
  return { net, x, t, out: ndarray(new Float64Array(forwardRows * 2), [forwardRows, 2]) as Batch };
}

interface TrainState {
  net: Mlp; opt: Optimizer; rng: Random; pool: Float64Array; poolSize: number;
  xt: Batch; target: Batch; t: Float64Array; prediction: Batch; gradient: Batch; lastLoss: number;
}

const batch = 256;

function trainSetup(): TrainState {
  const rng = new Random(0);
  const poolBatch = moons().sample(100_000, rng);
  const net = mlp({ dim: 2, hidden: [64, 64, 64], activation: "selu", seed: 0 });
  const alloc = () => ndarray(new Float64Array(batch * 2), [batch, 2]) as Batch;
  return {
    net, opt: adam({ lr: 1e-3 }), rng, pool: poolBatch.data, poolSize: 100_000,
    xt: alloc(), target: alloc(), t: new Float64Array(batch), prediction: alloc(), gradient: alloc(), lastLoss: Number.NaN,
  };
}

/** One CFM step: x1 from the pool, x0 ~ N(0, I), t ~ U[0, 1), x_t = t x1 + (1 - t) x0, target x1 - x0, MSE, backward, Adam. */
function trainStep(s: TrainState): void {
  const { rng, pool, xt, target, t } = s;
  for (let r = 0; r < batch; r++) {
    const k = rng.int(s.poolSize);
    const tr = rng.uniform();
    t[r] = tr;
    for (let j = 0; j < 2; j++) {
      const x1 = pool[2 * k + j] as number;
      const x0 = rng.normal();
      xt.data[2 * r + j] = tr * x1 + (1 - tr) * x0;
      target.data[2 * r + j] = x1 - x0;
    }
  }
  s.net.forward(xt, t, undefined, s.prediction);
  // squaredEuclidean sums over the 2 coordinates; MSE (the anchor's) is half of it: Adam is invariant to that scale
  const { loss } = cfmLoss(s.prediction, target, squaredEuclidean, undefined, s.gradient);
  s.lastLoss = loss / 2;
  s.net.backward(s.gradient);
  s.opt.step(s.net.parameters, s.net.gradient);
}

const forwardMetrics = (_s: unknown, ms: number) => ({ gflops: forwardFlops / (ms * 1e6) });

interface Forward32State extends ForwardState { fast: MlpFloat32 }

function forward32Setup(): Forward32State {
  const s = forwardSetup();
  return { ...s, fast: float32Inference(s.net) };
}

export default defineBenchmarks([
  {
    name: "mlp-forward 4096x[3-256-256-256-2] silu float32Inference (opt-in f32 SIMD) vs torch f32 1 thread",
    setup: forward32Setup,
    run: (s: Forward32State) => s.fast.evaluate(s.x, s.t, s.out),
    repeats: 9,
    metrics: forwardMetrics,
    anchor: { workload: "mlp-forward", label: "torch f32 1t", ms: (j) => (j.float32_threads1 as { ms: number }).ms },
  },
  {
    name: "mlp-forward 4096x[3-256-256-256-2] silu vs torch f32 1 thread",
    setup: forwardSetup,
    run: (s: ForwardState) => s.net.evaluate(s.x, s.t, s.out),
    repeats: 7,
    metrics: forwardMetrics,
    anchor: { workload: "mlp-forward", label: "torch f32 1t", ms: (j) => (j.float32_threads1 as { ms: number }).ms },
  },
  {
    name: "mlp-forward 4096x[3-256-256-256-2] silu vs torch f64 1 thread",
    setup: forwardSetup,
    run: (s: ForwardState) => s.net.evaluate(s.x, s.t, s.out),
    repeats: 5,
    metrics: forwardMetrics,
    anchor: { workload: "mlp-forward", label: "torch f64 1t", ms: (j) => (j.float64_threads1 as { ms: number }).ms },
  },
  {
    name: "train-2d step batch 256 [3-64-64-64-2] selu adam vs torch 1 thread",
    setup: trainSetup,
    run: trainStep,
    inner: 20,
    repeats: 7,
    metrics: (s: TrainState, ms: number) => ({ stepsPerSecond: 1000 / ms, loss: s.lastLoss }),
    anchor: { workload: "train-2d", label: "torch f32 1t", ms: (j) => (j.threads1 as { ms_per_step: number }).ms_per_step },
  },
  {
    name: "train-2d step batch 256 [3-64-64-64-2] selu adam vs torch 2 threads",
    setup: trainSetup,
    run: trainStep,
    inner: 20,
    repeats: 5,
    metrics: (s: TrainState, ms: number) => ({ stepsPerSecond: 1000 / ms }),
    anchor: { workload: "train-2d", label: "torch f32 2t", ms: (j) => (j.threads2 as { ms_per_step: number }).ms_per_step },
  },
]);

/*
 * The CPU engine (src/engine/) on the anchor workloads of bench/reference.py, ours /
 * PyTorch CPU in the same run ($FM_ANCHOR), each on the engine's threads (default: the cores) and
 * pinned to one thread:
 *   - `marginal-velocity` (M = N = 4096, d = 2 and 64, condOT at t = 0.5, data N(0, 4 I) as the
 *     anchor draws it) vs torch float64 on 2 threads;
 *   - `mlp-forward` (4096 x [3-256-256-256-2] SiLU): the float64 `Mlp` vs torch float64 2 threads,
 *     the float32 `cpu-f32` path (gpuMlpField) vs torch float32 2 threads;
 *   - `train-2d-wide` (one CFM step, batch 4096, [3-256-256-256-2] SELU, Adam) vs torch float32 2 threads:
 *     the float64 `Mlp`, and `precision: "float32"` / `"float32-relaxed"` (float64 Adam state);
 *   - standard normal draws (`fillNormal`, ns per draw; no anchor);
 *   - pure-FLOP WebAssembly SIMD microkernels (bench/flops.wat): the most one thread gets from
 *     SIMD128, to put the GFLOP/s of the rows above against.
 * The machine is shared with other agents: medians are noisy, same-run ratios hold better.
 */
import { readFileSync } from "node:fs";
import ndarray from "ndarray";
import wabtInit from "wabt";
import { defineBenchmarks, type Benchmark } from "./harness.js";
import { Random } from "../src/random/random.js";
import { marginalVelocity } from "../src/velocity/index.js";
import { mlp, adam } from "../src/nn/index.js";
import type { Mlp, MlpPrecision, Optimizer } from "../src/nn/index.js";
import { f32TrainKernel } from "../src/engine/f32-train.js";
import { cfmLoss, squaredEuclidean } from "../src/losses/index.js";
import { moons } from "../src/distributions/index.js";
import { gpuMlpField } from "../src/gpu/index.js";
import type { Batch } from "../src/core/batch.js";
import { poolThreads } from "../src/engine/threads.js";

const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
const label = (threads: number | undefined) => (threads === undefined ? "default threads" : `${threads} thread`);

/** The anchor's FLOP count of the marginal workload. */
const marginalFlops = (d: number) => 4096 * 4096 * (5 * d + 3);

function marginalBench(d: number, threads: number | undefined): Benchmark<{ evaluate: (x: Batch, t: number) => Batch; q: Batch }> {
  return {
    name: `marginal-velocity M=N=4096 d=${d}: engine f64, ${label(threads)}`,
    setup: () => {
      const rng = new Random(d);
      const data = rng.normalBatch(4096, d);
      for (let i = 0; i < data.data.length; i++) data.data[i] = 2 * (data.data[i] as number);
      const q = rng.normalBatch(4096, d);
      const u = marginalVelocity(condOT, data, threads === undefined ? {} : { threads });
      return { evaluate: (x, t) => u.evaluate(x, t), q };
    },
    run: (s) => s.evaluate(s.q, 0.5),
    repeats: 5,
    warmup: 1,
    metrics: (_s, ms) => ({ gflops: marginalFlops(d) / (ms * 1e6) }),
    anchor: { workload: "marginal-velocity", args: ["--d", String(d)], label: "torch f64 2t", ms: (j) => (j.threads2 as { ms: number }).ms },
  };
}

const width = 256, rows = 4096;
const forwardFlops = 2 * rows * (3 * width + 2 * width * width + 2 * width);

function forwardBench(precision: "f64" | "f32", threads: number | undefined): Benchmark<{ run: () => unknown }> {
  return {
    name: `mlp-forward 4096x[3-256-256-256-2] silu: ${precision === "f64" ? "Mlp f64" : "cpu-f32"}, ${label(threads)}`,
    setup: () => {
      const rng = new Random(0);
      const net = mlp({ dim: 2, hidden: [width, width, width], activation: "silu", seed: 0 });
      const x = rng.normalBatch(rows, 2);
      const t = rng.fillUniform(new Float64Array(rows));
      if (precision === "f64") {
        net.threads = threads;
        const out = ndarray(new Float64Array(rows * 2), [rows, 2]) as Batch;
        return { run: () => net.evaluate(x, t, out) };
      }
      const field = gpuMlpField(net, { backend: "cpu-f32", ...(threads === undefined ? {} : { poolSize: threads }) });
      return { run: () => field.evaluate(x, t) };
    },
    run: (s) => s.run(),
    repeats: 7,
    // ofLimit: GFLOP/s over (threads x the pure-FLOP microkernel's GFLOP/s, measured right after the timed runs)
    metrics: async (_s, ms) => {
      const gflops = forwardFlops / (ms * 1e6), used = threads ?? poolThreads(undefined);
      const limit = await microkernelLimit(precision === "f64" ? "flops64" : "flops32");
      return { gflops, threads: used, limitPerThread: limit, ofLimit: gflops / (used * limit) };
    },
    anchor: { workload: "mlp-forward", label: `torch ${precision} 2t`, ms: (j) => (j[precision === "f64" ? "float64_threads2" : "float32_threads2"] as { ms: number }).ms },
  };
}

/** FLOPs of a train-2d-wide step's MLP passes: forward, weight gradients (as many) and input gradients of the layers above the first. */
const trainFlops = 2 * forwardFlops + 2 * rows * (2 * width * width + 2 * width);

interface TrainState { net: Mlp; opt: Optimizer; rng: Random; pool: Float64Array; xt: Batch; target: Batch; t: Float64Array; prediction: Batch; gradient: Batch }

/** One CFM step of train-2d-wide (the step of bench/mlp.bench.ts at batch 4096, width 256). */
function trainStep(s: TrainState): void {
  const { rng, pool, xt, target, t } = s;
  for (let r = 0; r < rows; r++) {
    const k = rng.int(100_000);
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
  cfmLoss(s.prediction, target, squaredEuclidean, undefined, s.gradient);
  s.net.backward(s.gradient);
  s.opt.step(s.net.parameters, s.net.gradient);
}

function trainBench(threads: number | undefined, precision: MlpPrecision = "float64"): Benchmark<TrainState> {
  const kernel = precision === "float64" ? "f64" : `${precision === "float32" ? "f32" : "f32 relaxed"} (${f32TrainKernel(precision === "float32-relaxed") ?? "f64 fallback"} kernel)`;
  return {
    name: `train-2d-wide step batch 4096 [3-256-256-256-2] selu adam: Mlp ${kernel}, ${label(threads)}`,
    setup: () => {
      const rng = new Random(0);
      const net = mlp({ dim: 2, hidden: [width, width, width], activation: "selu", seed: 0 });
      net.threads = threads;
      net.precision = precision;
      const alloc = () => ndarray(new Float64Array(rows * 2), [rows, 2]) as Batch;
      return { net, opt: adam({ lr: 1e-3 }), rng, pool: moons().sample(100_000, rng).data, xt: alloc(), target: alloc(), t: new Float64Array(rows), prediction: alloc(), gradient: alloc() };
    },
    run: trainStep,
    repeats: 5,
    metrics: (_s, ms) => ({ gflops: trainFlops / (ms * 1e6) }),
    anchor: { workload: "train-2d-wide", args: ["--batch", "4096", "--width", "256"], label: "torch f32 2t", ms: (j) => (j.threads2 as { ms_per_step: number }).ms_per_step },
  };
}

const draws = 1 << 20;
const normalBench: Benchmark<{ rng: Random; out: Float64Array }> = {
  name: "normal draws: Random.fillNormal, 2^20 per call",
  setup: () => ({ rng: new Random(1), out: new Float64Array(draws) }),
  run: (s) => s.rng.fillNormal(s.out),
  repeats: 7,
  metrics: (_s, ms) => ({ nsPerDraw: (ms * 1e6) / draws }),
};

/** The microkernels of bench/flops.wat, compiled here with wabt (a devDependency). */
async function flopsKernels(): Promise<{ flops64(iters: number): number; flops32(iters: number): number }> {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat("flops.wat", readFileSync(new URL("./flops.wat", import.meta.url), "utf8"), { simd: true });
  const bytes = new Uint8Array(parsed.toBinary({}).buffer);
  parsed.destroy();
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as { flops64(iters: number): number; flops32(iters: number): number };
}

/** Median GFLOP/s of five runs of a bench/flops.wat microkernel (one thread). */
async function microkernelLimit(kind: "flops64" | "flops32"): Promise<number> {
  const k = await flopsKernels(), n = 5e6, lanes = kind === "flops64" ? 2 : 4, rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = performance.now();
    k[kind](n);
    rates.push((n * 12 * lanes * 2) / ((performance.now() - start) * 1e6));
  }
  return rates.sort((a, b) => a - b)[2] as number;
}

const iterations = 2e7;
function flopsBench(kind: "flops64" | "flops32"): Benchmark<{ run: () => number }> {
  const lanes = kind === "flops64" ? 2 : 4;
  return {
    name: `pure-FLOP WebAssembly SIMD microkernel ${kind === "flops64" ? "f64x2" : "f32x4"} mul+add, 1 thread (the limit)`,
    setup: async () => {
      const k = await flopsKernels();
      return { run: () => k[kind](iterations) };
    },
    run: (s) => s.run(),
    repeats: 5,
    metrics: (_s, ms) => ({ gflops: (iterations * 12 * lanes * 2) / (ms * 1e6) }),
  };
}

export default defineBenchmarks([
  flopsBench("flops64"),
  flopsBench("flops32"),
  ...[2, 64].flatMap((d) => [marginalBench(d, undefined), marginalBench(d, 1)]),
  forwardBench("f64", undefined),
  forwardBench("f64", 1),
  forwardBench("f32", undefined),
  forwardBench("f32", 1),
  trainBench(undefined),
  trainBench(1),
  trainBench(2, "float32"),
  trainBench(1, "float32"),
  trainBench(2, "float32-relaxed"),
  normalBench,
]);

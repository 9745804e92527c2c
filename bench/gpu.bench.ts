/*
 * flow-matching/gpu on every backend available in Node (our cpu-f32 on 1 and 2 threads, gpu.js
 * webasm sync and threaded, gpu.js cpu),
 * the `auto` choice and the `calibrate()`d choice, against our float64 CPU path (`vs_cpu` =
 * this median / our CPU median in the same run; < 1 is faster) and PyTorch CPU ($FM_ANCHOR),
 * anchor workloads `mlp-forward` (4096 x [3-256-256-256-2] SiLU) and `marginal-velocity`
 * (M = N = 4096, d = 2 and 64, t = 0.5). The machine is shared with other agents: medians are noisy.
 */
import { defineBenchmarks, type Benchmark } from "./harness.js";
import { mlp } from "../src/nn/index.js";
import { Random } from "../src/random/random.js";
import { marginalVelocity } from "../src/velocity/index.js";
import { drawProbes, hutchinson } from "../src/divergence/index.js";
import { gpuMarginalVelocity, gpuMlpField } from "../src/gpu/index.js";
import type { GpuMlpField, GpuOptions, GpuVelocityField } from "../src/gpu/index.js";
import type { Batch } from "../src/core/batch.js";

const rows = 4096;
const mlpFlops = 2 * rows * (4 * 256 + 256 * 256 * 2 + 256 * 2);
const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
const marginalFlops = (d: number) => 4096 * 4096 * (5 * d + 3);
const mlpAnchor = { workload: "mlp-forward", label: "torch f32 2t", ms: (j: Record<string, unknown>) => (j.float32_threads2 as { ms: number }).ms };
const marginalAnchor = (d: number) => ({ workload: "marginal-velocity", args: ["--d", String(d)], label: "torch f64 2t", ms: (j: Record<string, unknown>) => (j.threads2 as { ms: number }).ms });

const net = mlp({ dim: 2, hidden: [256, 256, 256], activation: "silu", seed: 1 });
const x = new Random(2).normalBatch(rows, 2);
type Eval = (x: Batch, t: number) => unknown;
interface State { f: Eval; field?: GpuVelocityField; q?: Batch }
/** Our CPU medians of this run, per workload, for the `vs_cpu` ratios. */
const cpuMs = new Map<string, number>();

/** Metrics: GFLOP/s, the backend that ran (with the report's reason for auto/calibrated), and the ratio to our CPU path. */
function figures(workload: string, flops: number, cpu: boolean) {
  return (s: State, ms: number): Record<string, number | string> => {
    if (cpu) cpuMs.set(workload, ms);
    const base = cpuMs.get(workload);
    const out: Record<string, number | string> = { gflops: flops / (ms * 1e6) };
    if (base !== undefined) out.vs_cpu = ms / base;
    if (s.field !== undefined) {
      out.backend = s.field.report.backend;
      if (s.field.report.threads !== undefined) out.threads = s.field.report.threads;
      if (s.field.report.timings !== undefined) out.calibration = Object.entries(s.field.report.timings).map(([b, t]) => `${b} ${t.toFixed(1)} ms`).join(", ");
    }
    return out;
  };
}

function bench(workload: string, label: string, flops: number, make: () => Promise<State> | State, anchor: Benchmark["anchor"], repeats: number): Benchmark<State> {
  return { name: `${workload}: ${label}`, setup: make, run: (s) => s.f(s.q ?? x, 0.5), repeats, warmup: 1, metrics: figures(workload, flops, label === "our CPU float64"), ...(anchor ? { anchor } : {}) };
}

const run = (field: GpuVelocityField, async: boolean): Eval => (async ? (a, t) => field.evaluateAsync(a, t) : (a, t) => field.evaluate(a, t));

/** An MLP field on `options`; with `calibrate`, calibrated on the benchmark's own shapes first. */
const gpuMlp = (options: GpuOptions, calibrate = false) => async (): Promise<State> => {
  const field = gpuMlpField(net, options);
  if (calibrate) await field.calibrate(x, 0.5, { repeats: 3 });
  return { f: run(field, options.async ?? false), field };
};

/**
 * The marginal workload's data and queries, made once per d and shared by every row: timings of
 * the same code differ by up to 20% between freshly allocated copies of the inputs (placement in
 * memory), which would otherwise read as differences between backends.
 */
const marginalInputs = new Map<number, { data: Batch; q: Batch }>();
function inputsFor(d: number): { data: Batch; q: Batch } {
  let inputs = marginalInputs.get(d);
  if (inputs === undefined) {
    const rng = new Random(d);
    inputs = { data: rng.normalBatch(4096, d), q: rng.normalBatch(4096, d) };
    marginalInputs.set(d, inputs);
  }
  return inputs;
}

const gpuMarginal = (d: number, options: GpuOptions, calibrate = false) => async (): Promise<State> => {
  const { data, q } = inputsFor(d);
  const field = gpuMarginalVelocity(condOT, data, options);
  if (calibrate) await field.calibrate(q, 0.5, { repeats: 1 });
  return { f: run(field, options.async ?? false), field, q };
};

const mlpName = "mlp-forward 4096x[3-256-256-256-2] silu";
const mlpBench = (label: string, make: () => Promise<State> | State) => bench(mlpName, label, mlpFlops, make, mlpAnchor, 5);

const probes = drawProbes(new Random(3), 1, rows, 2, "rademacher");
const divNet = mlp({ dim: 32, hidden: [256, 256], activation: "silu", seed: 5 });
const divX = new Random(6).normalBatch(2048, 32);

/**
 * A tangent workload (no anchor) on our float64 CPU path, `auto` and `cpu-f32` on 1 thread, and
 * any extra backends: `cpu` runs it on the CPU `Mlp`, `gpu` on a GPU field.
 */
function tangentBenches(name: string, flops: number, input: Batch, cpu: Eval, gpu: (f: GpuMlpField) => Eval, netFor: typeof net, extra: [string, GpuOptions][] = []): Benchmark<State>[] {
  const b = (label: string, make: () => State) => ({ ...bench(name, label, flops, make, undefined, 5), run: (s: State) => s.f(input, 0.5) });
  const field = (options: GpuOptions) => (): State => {
    const f = gpuMlpField(netFor, options);
    return { f: gpu(f), field: f };
  };
  return [
    b("our CPU float64", () => ({ f: cpu })),
    b("auto (sync)", field({})),
    b("cpu-f32, 1 thread", field({ backend: "cpu-f32", poolSize: 1 })),
    ...extra.map(([label, options]) => b(label, field(options))),
  ];
}

export default defineBenchmarks([
  mlpBench("our CPU float64", () => ({ f: (a, t) => net.evaluate(a, t) })),
  mlpBench("auto (sync)", gpuMlp({})),
  mlpBench("calibrated (sync)", gpuMlp({}, true)),
  mlpBench("calibrated (async)", gpuMlp({ async: true }, true)),
  mlpBench("cpu-f32, 1 thread", gpuMlp({ backend: "cpu-f32", poolSize: 1 })),
  mlpBench("cpu-f32, 2 threads", gpuMlp({ backend: "cpu-f32", poolSize: 2 })),
  mlpBench("gpu.js webasm sync", gpuMlp({ backend: "webasm" })),
  mlpBench("gpu.js webasm async (2 worker threads)", gpuMlp({ backend: "webasm", async: true })),
  mlpBench("gpu.js cpu", gpuMlp({ backend: "cpu" })),
  // Hutchinson estimates: one forward and one tangent pass, about twice the forward's flops
  ...tangentBenches("hutchinson 4096x[3-256-256-256-2] silu, 1 probe", 2 * mlpFlops, x, (a, t) => hutchinson(net, a, t, probes), (f) => (a, t) => f.hutchinson(a, t, probes), net, [["gpu.js webasm sync", { backend: "webasm" }]]),
  // exact divergences in d = 32: one forward and 32 tangent passes
  ...tangentBenches("exact divergence 2048x[33-256-256-32] silu", 33 * 2 * 2048 * (33 * 256 + 256 * 256 + 256 * 32), divX, (a, t) => divNet.divergence(a, t), (f) => (a, t) => f.divergence(a, t), divNet),
  ...[2, 64].flatMap((d) => {
    const name = `marginal-velocity M=N=4096 d=${d}`;
    const b = (label: string, make: () => Promise<State> | State) => bench(name, label, marginalFlops(d), make, marginalAnchor(d), 3);
    return [
      b("our CPU float64", () => { const { data, q } = inputsFor(d); const u = marginalVelocity(condOT, data); return { f: (a, t) => u.evaluate(a, t), q }; }),
      b("auto (sync)", gpuMarginal(d, {})),
      b("calibrated (sync)", gpuMarginal(d, {}, true)),
      b("gpu.js webasm sync", gpuMarginal(d, { backend: "webasm" })),
      b("gpu.js webasm async", gpuMarginal(d, { backend: "webasm", async: true })),
      b("gpu.js cpu", gpuMarginal(d, { backend: "cpu" })),
    ];
  }),
]);

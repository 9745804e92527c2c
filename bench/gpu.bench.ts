/*
 * flow-matching/gpu on every backend available in Node (webasm sync, webasm threaded, gpu.js cpu)
 * against our float64 CPU path and PyTorch CPU ($FM_ANCHOR), anchor workloads `mlp-forward`
 * (4096 x [3-256-256-256-2] SiLU) and `marginal-velocity` (M = N = 4096, d = 2 and 64, t = 0.5).
 * The machine is shared with other agents: medians are noisy.
 */
import { defineBenchmarks, type Benchmark } from "./harness.js";
import { mlp } from "../src/nn/index.js";
import { Random } from "../src/random/random.js";
import { marginalVelocity } from "../src/velocity/index.js";
import { gpuMarginalVelocity, gpuMlpField } from "../src/gpu/index.js";
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

function mlpBench(label: string, make: () => { f: Eval; dispose?: () => void }): Benchmark<{ f: Eval }> {
  return { name: `mlp-forward 4096x[3-256-256-256-2] silu: ${label}`, setup: make, run: (s) => s.f(x, 0.5), repeats: 5, metrics: (_s, ms) => ({ gflops: mlpFlops / (ms * 1e6) }), anchor: mlpAnchor };
}

function marginalBench(d: number, label: string, make: (data: Batch) => Eval): Benchmark<{ f: Eval; q: Batch }> {
  return {
    name: `marginal-velocity M=N=4096 d=${d}: ${label}`,
    setup: () => { const rng = new Random(d); const data = rng.normalBatch(4096, d); return { f: make(data), q: rng.normalBatch(4096, d) }; },
    run: (s) => s.f(s.q, 0.5), repeats: 3, warmup: 1, metrics: (_s, ms) => ({ gflops: marginalFlops(d) / (ms * 1e6) }), anchor: marginalAnchor(d),
  };
}

const gpuMlp = (backend: "webasm" | "cpu", async: boolean) => () => {
  const field = gpuMlpField(net, { backend });
  return { f: (async ? (a: Batch, t: number) => field.evaluateAsync(a, t) : (a: Batch, t: number) => field.evaluate(a, t)) as Eval };
};
const gpuMarginal = (backend: "webasm" | "cpu", async: boolean) => (data: Batch): Eval => {
  const field = gpuMarginalVelocity(condOT, data, { backend });
  return (async ? (a: Batch, t: number) => field.evaluateAsync(a, t) : (a: Batch, t: number) => field.evaluate(a, t)) as Eval;
};

export default defineBenchmarks([
  mlpBench("our CPU float64", () => ({ f: (a, t) => net.evaluate(a, t) })),
  mlpBench("gpu.js webasm sync", gpuMlp("webasm", false)),
  mlpBench("gpu.js webasm async (2 worker threads)", gpuMlp("webasm", true)),
  mlpBench("gpu.js cpu", gpuMlp("cpu", false)),
  ...[2, 64].flatMap((d) => [
    marginalBench(d, "our CPU float64", (data) => { const u = marginalVelocity(condOT, data); return (a, t) => u.evaluate(a, t); }),
    marginalBench(d, "gpu.js webasm sync", gpuMarginal("webasm", false)),
    marginalBench(d, "gpu.js webasm async", gpuMarginal("webasm", true)),
    marginalBench(d, "gpu.js cpu", gpuMarginal("cpu", false)),
  ]),
]);

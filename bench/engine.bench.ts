/*
 * The CPU engine (src/engine/) on the anchor workloads of ../shared/anchors/WORKLOADS.md, ours /
 * PyTorch CPU in the same run ($FM_ANCHOR): `marginal-velocity` (M = N = 4096, d = 2 and 64,
 * condOT at t = 0.5) on the engine's threads (default: the cores) and pinned to one thread, vs
 * torch float64 on 2 threads. The machine is shared with other agents: medians are noisy.
 */
import { defineBenchmarks, type Benchmark } from "./harness.js";
import { Random } from "../src/random/random.js";
import { marginalVelocity } from "../src/velocity/index.js";
import type { Batch } from "../src/core/batch.js";

const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
/** The anchor's FLOP count of the marginal workload. */
const marginalFlops = (d: number) => 4096 * 4096 * (5 * d + 3);
const marginalAnchor = (d: number) => ({ workload: "marginal-velocity", args: ["--d", String(d)], label: "torch f64 2t", ms: (j: Record<string, unknown>) => (j.threads2 as { ms: number }).ms });

interface MarginalState { evaluate: (x: Batch, t: number) => Batch; q: Batch }

function marginalBench(d: number, threads: number | undefined): Benchmark<MarginalState> {
  return {
    name: `marginal-velocity M=N=4096 d=${d}: engine, ${threads === undefined ? "default threads" : `${threads} thread`}`,
    setup: () => {
      const rng = new Random(d);
      const data = rng.normalBatch(4096, d);
      const q = rng.normalBatch(4096, d);
      const u = marginalVelocity(condOT, data, threads === undefined ? {} : { threads });
      return { evaluate: (x, t) => u.evaluate(x, t), q };
    },
    run: (s) => s.evaluate(s.q, 0.5),
    repeats: 5,
    warmup: 1,
    metrics: (_s, ms) => ({ gflops: marginalFlops(d) / (ms * 1e6) }),
    anchor: marginalAnchor(d),
  };
}

export default defineBenchmarks([
  ...[2, 64].flatMap((d) => [marginalBench(d, undefined), marginalBench(d, 1)]),
]);

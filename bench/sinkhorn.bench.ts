import { defineBenchmarks } from "./harness.js";
import { sinkhorn } from "../src/couplings/sinkhorn.js";
import { pairwiseCost, type CostMatrix } from "../src/couplings/cost.js";
import { eightGaussians, moons } from "../src/distributions/index.js";
import { Random } from "../src/random/random.js";
import { wasserstein } from "../src/metrics/wasserstein.js";
import type { Batch } from "../src/core/batch.js";

/*
 * WORKLOADS.md "sinkhorn": uniform weights, squared costs between 8 Gaussians (radius 5,
 * std 0.5) and moons (noise 0.1, *3 - 1), n = 1024, reg 0.05, exactly 200 iterations
 * (tolerance 0, no epsilon scaling: the plain iteration, as POT's stopThr = 0). Times are per
 * solve; the anchor's ratio is per solve of 200 iterations, i.e. per iteration.
 */
const n = 1024, iterations = 200;
const solveBenchmarks = defineBenchmarks([{
  name: `sinkhorn n=${n} x ${iterations} it`,
  setup: (): CostMatrix => {
    const rng = new Random(0);
    return pairwiseCost(eightGaussians().sample(n, rng), moons().sample(n, rng));
  },
  run: (C: CostMatrix) => sinkhorn(null, null, C, { reg: 0.05, maxIterations: iterations, tolerance: 0, epsilonScaling: false }),
  repeats: 5,
  warmup: 1,
  metrics: (C: CostMatrix, ms: number) => {
    const r = sinkhorn(null, null, C, { reg: 0.05, maxIterations: iterations, tolerance: 0, epsilonScaling: false });
    return { msPerIteration: ms / iterations, iterations: r.iterations, marginalError: r.marginalError };
  },
  anchor: {
    workload: "sinkhorn", args: ["--n", String(n), "--iters", String(iterations), "--repeats", "3"],
    label: "POT sinkhorn_log",
    ms: (json: Record<string, unknown>) => json.ms as number,
  },
}]);

/*
 * wasserstein(x, y, { method: 'sinkhorn' }) with its defaults against the exact method on the
 * same 2-D batches (two moons samples: the close case), n = 1000; the metrics give both
 * estimates and the relative error of the Sinkhorn one.
 */

const wn = 1000;
function wSetup(): { x: Batch; y: Batch } {
  const rng = new Random(0);
  return { x: moons().sample(wn, rng), y: moons().sample(wn, rng) };
}
const wassersteinBenchmarks = defineBenchmarks([{
  name: `wasserstein sinkhorn defaults, moons vs moons n=${wn}`,
  setup: wSetup,
  run: (s: { x: Batch; y: Batch }) => wasserstein(s.x, s.y, { method: "sinkhorn" }),
  repeats: 3, warmup: 1,
  metrics: (s: { x: Batch; y: Batch }) => {
    const exact = wasserstein(s.x, s.y), entropic = wasserstein(s.x, s.y, { method: "sinkhorn" });
    return { exact, sinkhorn: entropic, relativeError: entropic / exact - 1 };
  },
}, {
  name: `wasserstein exact, moons vs moons n=${wn}`,
  setup: wSetup,
  run: (s: { x: Batch; y: Batch }) => wasserstein(s.x, s.y),
  repeats: 5,
}]);

export default [...solveBenchmarks, ...wassersteinBenchmarks];

import { defineBenchmarks } from "./harness.js";
import { sinkhorn } from "../src/couplings/sinkhorn.js";
import { pairwiseCost, type CostMatrix } from "../src/couplings/cost.js";
import { eightGaussians, moons } from "../src/distributions/index.js";
import { Random } from "../src/random/random.js";

/*
 * WORKLOADS.md "sinkhorn": uniform weights, squared costs between 8 Gaussians (radius 5,
 * std 0.5) and moons (noise 0.1, *3 - 1), n = 1024, reg 0.05, exactly 200 iterations
 * (tolerance 0, no epsilon scaling: the plain iteration, as POT's stopThr = 0). Times are per
 * solve; the anchor's ratio is per solve of 200 iterations, i.e. per iteration.
 */
const n = 1024, iterations = 200;
export default defineBenchmarks([{
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

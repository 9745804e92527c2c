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
 * wasserstein(x, y, { method: 'sinkhorn' }) with its defaults (epsilon-scaled dual bound)
 * against the exact method on the same batches, n = 1000: 2-D moons vs moons (the close case),
 * 8 Gaussians -> moons, N(0, I) vs N(0, I) + 3 e_1 in 8-D and N(0, I) vs N(0, I) in 32-D, and the
 * same at n = 3000 (names end in n=1000 / n=3000 for filtering). The metrics time both methods
 * alternately in the same process (medians of 3) and give their ratio and the relative error
 * of the Sinkhorn estimate.
 */
type WPair = { x: Batch; y: Batch };
function wCases(wn: number): Array<[string, () => WPair]> {
  return [
    ["moons vs moons 2-D", () => { const rng = new Random(0); return { x: moons().sample(wn, rng), y: moons().sample(wn, rng) }; }],
    ["8 Gaussians -> moons 2-D", () => { const rng = new Random(0); return { x: eightGaussians().sample(wn, rng), y: moons().sample(wn, rng) }; }],
    ["N(0, I) vs N(3 e1, I) 8-D", () => {
      const rng = new Random(0);
      const y = rng.normalBatch(wn, 8);
      for (let k = 0; k < y.data.length; k += 8) y.data[k] = (y.data[k] as number) + 3;
      return { x: rng.normalBatch(wn, 8), y };
    }],
    ["N(0, I) vs N(0, I) 32-D", () => { const rng = new Random(0); return { x: rng.normalBatch(wn, 32), y: rng.normalBatch(wn, 32) }; }],
  ];
}
function timed(f: () => number): [number, number] {
  const t0 = performance.now();
  const v = f();
  return [performance.now() - t0, v];
}
const wassersteinBenchmarks = defineBenchmarks([1000, 3000].flatMap((wn) => wCases(wn)).map(([label, setup], k) => ({
  name: `wasserstein sinkhorn defaults vs exact, ${label} n=${k < 4 ? 1000 : 3000}`,
  setup,
  run: (s: WPair) => wasserstein(s.x, s.y, { method: "sinkhorn" }),
  repeats: 1, warmup: 0,
  metrics: (s: WPair) => {
    const te: number[] = [], ts: number[] = [];
    let exact = 0, entropic = 0;
    for (let r = 0; r < 3; r++) {
      let t: number;
      [t, exact] = timed(() => wasserstein(s.x, s.y)); te.push(t);
      [t, entropic] = timed(() => wasserstein(s.x, s.y, { method: "sinkhorn" })); ts.push(t);
    }
    const med = (xs: number[]): number => [...xs].sort((p, q) => p - q)[1] as number;
    return { exact, sinkhorn: entropic, relativeError: entropic / exact - 1, msExact: med(te), msSinkhorn: med(ts), ratioSinkhornOverExact: med(ts) / med(te) };
  },
})));

export default [...solveBenchmarks, ...wassersteinBenchmarks];

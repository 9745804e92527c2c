/*
 * The Gaussian-mixture marginal field (`marginalVelocity` of a `gaussianMixture`-shaped target)
 * on the CPU engine against the row loop it replaced, in the same run:
 * `npx tsx bench/run.ts mixture`. n = 4096 query rows at t = 0.5 (condOT), K random diagonal
 * components (different stds per component, so the GEMM carries the x^2 rows too) with means in
 * [-4, 4]^d; d = 2 (K = 64 and 1024) and d = 64 (K = 256).
 * - "loop (before)": velocity/marginal-kernels.ts's mixtureRow at every row, what `evaluate` ran before;
 * - "engine 1 thread" / "engine default threads": `evaluate` now.
 * The machine is shared with other agents: compare medians within one run.
 */
import { defineBenchmarks, type Benchmark } from "./harness.js";
import { Random } from "../src/random/random.js";
import { marginalVelocity } from "../src/velocity/index.js";
import { mixtureRow } from "../src/velocity/marginal-kernels.js";
import type { MixtureParameters, RowResult } from "../src/velocity/marginal-kernels.js";
import type { Batch } from "../src/core/batch.js";

const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
const N = 4096;

interface State { params: MixtureParameters; target: { means: Float64Array[]; stds: Float64Array[]; weights: Float64Array }; x: Batch }

function setup(K: number, d: number): State {
  const rng = new Random(K + d);
  const means: Float64Array[] = [], stds: Float64Array[] = [];
  for (let k = 0; k < K; k++) {
    means.push(Float64Array.from({ length: d }, () => 8 * rng.uniform() - 4));
    stds.push(Float64Array.from({ length: d }, () => 0.1 + 0.9 * rng.uniform()));
  }
  const weights = new Float64Array(K).fill(1 / K);
  const flatMeans = new Float64Array(K * d), variances = new Float64Array(K * d);
  for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) {
    flatMeans[k * d + j] = means[k]![j]!;
    variances[k * d + j] = stds[k]![j]! ** 2;
  }
  const params: MixtureParameters = { empirical: false, dim: d, components: K, means: flatMeans, variances, logWeights: weights.map(Math.log) };
  return { params, target: { means, stds, weights }, x: rng.normalBatch(N, d) };
}

function loopBench(K: number, d: number): Benchmark<State> {
  return {
    name: `gmm-velocity n=${N} K=${K} d=${d}: loop (before)`,
    setup: () => setup(K, d),
    run: (s) => {
      const res: RowResult = { u: new Float64Array(d), jvp: new Float64Array(d), divergence: 0, weights: new Float64Array(K) };
      const logits = new Float64Array(K), out = new Float64Array(N * d);
      for (let r = 0; r < N; r++) {
        mixtureRow("bench", condOT, s.params, s.x.data.subarray(r * d, (r + 1) * d), 0.5, null, logits, res);
        out.set(res.u, r * d);
      }
      return out;
    },
    repeats: 5,
    warmup: 1,
  };
}

function engineBench(K: number, d: number, threads: number | undefined): Benchmark<State & { evaluate: (x: Batch, t: number) => Batch }> {
  return {
    name: `gmm-velocity n=${N} K=${K} d=${d}: engine ${threads === undefined ? "default threads" : `${threads} thread`}`,
    setup: () => {
      const s = setup(K, d);
      const u = marginalVelocity(condOT, s.target, threads === undefined ? {} : { threads });
      return { ...s, evaluate: (x: Batch, t: number) => u.evaluate(x, t) };
    },
    run: (s) => s.evaluate(s.x, 0.5),
    repeats: 7,
    warmup: 2,
  };
}

const cases: [number, number][] = [[64, 2], [1024, 2], [256, 64]];
export default defineBenchmarks(cases.flatMap(([K, d]) => [loopBench(K, d), engineBench(K, d, 1), engineBench(K, d, undefined)]));

/*
 * pairwiseCost (squared Euclidean) on the engine's float64 GEMM against the loop it replaced, in
 * the same run: `npx tsx bench/run.ts cost`. n = m = 1024 and 4096 standard normal points,
 * d = 2, 8 and 64. "loop (before)" is the loop of couplings/cost.ts before the engine (the
 * 2-D case unrolled, as there, and its finiteness check); "pairwiseCost" is the function now
 * (the same loop below d = 4).
 * The machine is shared with other agents: compare medians within one run.
 */
import { defineBenchmarks, type Benchmark } from "./harness.js";
import { Random } from "../src/random/random.js";
import { pairwiseCost } from "../src/couplings/cost.js";
import type { Batch } from "../src/core/batch.js";
import { checkFiniteResult } from "../src/core/check.js";

function loop(xs: Float64Array, ys: Float64Array, n: number, m: number, d: number): Float64Array {
  const out = new Float64Array(n * m);
  if (d === 2) {
    for (let i = 0; i < n; i++) {
      const x0 = xs[2 * i]!, x1 = xs[2 * i + 1]!, ro = i * m;
      for (let j = 0; j < m; j++) { const t0 = x0 - ys[2 * j]!, t1 = x1 - ys[2 * j + 1]!; out[ro + j] = t0 * t0 + t1 * t1; }
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    const xo = i * d, ro = i * m;
    for (let j = 0; j < m; j++) {
      const yo = j * d;
      let s = 0;
      for (let k = 0; k < d; k++) { const t = xs[xo + k]! - ys[yo + k]!; s += t * t; }
      out[ro + j] = s;
    }
  }
  return out;
}

interface State { x: Batch; y: Batch }
const setup = (n: number, d: number) => () => { const rng = new Random(n + d); return { x: rng.normalBatch(n, d), y: rng.normalBatch(n, d) }; };

function rows(n: number, d: number): Benchmark<State>[] {
  const repeats = n >= 4096 && d >= 8 ? 3 : 7;
  return [
    { name: `pairwise-cost n=m=${n} d=${d}: loop (before)`, setup: setup(n, d), run: (s) => checkFiniteResult("pairwiseCost", "cost", loop(s.x.data, s.y.data, n, n, d)), repeats, warmup: 1 },
    { name: `pairwise-cost n=m=${n} d=${d}: pairwiseCost`, setup: setup(n, d), run: (s) => pairwiseCost(s.x, s.y), repeats, warmup: 1 },
  ];
}

export default defineBenchmarks([1024, 4096].flatMap((n) => [2, 8, 64].flatMap((d) => rows(n, d))));

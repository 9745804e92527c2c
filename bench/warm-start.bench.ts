import { defineBenchmarks } from "./harness.js";
import { eightGaussians, gaussian, moons, standardNormal } from "../src/distributions/index.js";
import { pairwiseCost } from "../src/couplings/cost.js";
import { solveEmd } from "../src/couplings/emd.js";
import { augment, augmentWork, lapjv, rowReduction } from "../src/couplings/lapjv.js";
import { Random } from "../src/random/random.js";
import { fromData } from "../src/core/batch.js";
import type { Distribution } from "../src/core/interfaces.js";

/*
 * Issue 13 experiment (measured, not adopted): warm-starting the exact OT coupling across
 * training batches. Consecutive batches come from the same two distributions, so the last
 * batch's column potentials (v', on targets y') approximate the Brenier potentials. For a new
 * batch: u_i = min_j' (|x_i - y'_j'|^2 - v'_j'), v_j = min_i (C_ij - u_i) (a feasible dual with a
 * tight edge per column), each column's tight row takes it when free, two passes of augmenting
 * row reduction, then one dense Jonker-Volgenant shortest augmenting path per free row
 * (src/couplings/lapjv.ts). Exact whatever the prices (the metrics count batches whose cost
 * differs from the cold solve: 0 expected); the question is only the time.
 *
 * Each row solves `batches` consecutive batches of one pair of distributions (n = 256) warm;
 * its metrics time the cold solve (solveEmd, the network simplex exactOTCoupling uses) on the
 * same cost matrices in the same process and report the ratio of medians per batch.
 */
const n = 256, batches = 12;

function shifted(d: number, s: number): Distribution {
  return gaussian({ mean: new Float64Array(d).fill(s), std: 1 });
}

const pairs: [string, () => Distribution, (t: number) => Distribution][] = [
  ["N(0, I) -> moons", () => standardNormal(2), () => moons()],
  ["8 Gaussians -> moons", () => eightGaussians(), () => moons()],
  ["N(0, I) -> N(0, I)", () => standardNormal(2), () => standardNormal(2)],
  ["8-D N(0, I) -> N(2, I)", () => standardNormal(8), () => shifted(8, 2)],
  ["32-D N(0, I) -> N(0, I)", () => standardNormal(32), () => standardNormal(32)],
  ["2-D target jumping by 6 between batches", () => standardNormal(2), (t) => shifted(2, (t % 2) * 6)],
];

interface Batches { d: number; xs: Float64Array[]; ys: Float64Array[]; costs: Float64Array[] }

function draw(src: () => Distribution, tgt: (t: number) => Distribution): Batches {
  const rng = new Random(1), s = src();
  const out: Batches = { d: 0, xs: [], ys: [], costs: [] };
  for (let t = 0; t < batches; t++) {
    const x = s.sample(n, rng), y = tgt(t).sample(n, rng);
    out.d = x.shape[1] as number;
    out.xs.push(x.data); out.ys.push(y.data); out.costs.push(pairwiseCost(x, y).data);
  }
  return out;
}

/** One warm solve; returns the assignment and its column potentials, and the augmenting paths run. */
function warmSolve(c: Float64Array, xs: Float64Array, d: number, py: Float64Array, pv: Float64Array):
  { x: Int32Array; v: Float64Array; paths: number } {
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let min = Infinity;
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let t = 0; t < d; t++) { const e = (xs[i * d + t] as number) - (py[k * d + t] as number); s += e * e; }
      const h = s - (pv[k] as number);
      if (h < min) min = h;
    }
    u[i] = min;
  }
  const v = new Float64Array(n).fill(Infinity), tight = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * n, ui = u[i] as number;
    for (let j = 0; j < n; j++) { const h = (c[o + j] as number) - ui; if (h < (v[j] as number)) { v[j] = h; tight[j] = i; } }
  }
  const x = new Int32Array(n).fill(-1), y = new Int32Array(n).fill(-1);
  for (let j = 0; j < n; j++) { const i = tight[j] as number; if ((x[i] as number) < 0) { x[i] = j; y[j] = i; } }
  const free = new Int32Array(n);
  let numFree = 0;
  for (let i = 0; i < n; i++) if ((x[i] as number) < 0) free[numFree++] = i;
  numFree = rowReduction(c, n, x, y, v, free, numFree, 2);
  const work = augmentWork(n);
  for (let f = 0; f < numFree; f++) augment(c, n, free[f] as number, x, y, v, work);
  return { x, v, paths: numFree };
}

/** Warm solves of batches 1.., the first batch's prices from a cold dense solve; per-batch times. */
function warmRun(b: Batches): { ms: number[]; paths: number[]; perms: Int32Array[] } {
  let pv = lapjv(b.costs[0] as Float64Array, n).v;
  const ms: number[] = [], paths: number[] = [], perms: Int32Array[] = [];
  for (let t = 1; t < batches; t++) {
    const t0 = performance.now();
    const r = warmSolve(b.costs[t] as Float64Array, b.xs[t] as Float64Array, b.d, b.ys[t - 1] as Float64Array, pv);
    ms.push(performance.now() - t0);
    pv = r.v; paths.push(r.paths); perms.push(r.x);
  }
  return { ms, paths, perms };
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export default defineBenchmarks(pairs.map(([name, src, tgt]) => ({
  name: `${name}, n = ${n}: warm-started JV over ${batches - 1} batches`,
  setup: () => draw(src, tgt),
  run: (b: Batches) => warmRun(b),
  repeats: 5,
  metrics: (b: Batches) => {
    const warm: number[] = [], cold: number[] = [], paths: number[] = [];
    let costDiffers = 0;
    for (let r = 0; r < 5; r++) {
      const w = warmRun(b);
      warm.push(...w.ms); paths.push(...w.paths);
      for (let t = 1; t < batches; t++) {
        const C = b.costs[t] as Float64Array, M = fromData(C, [n, n]);
        const t0 = performance.now();
        const e = solveEmd(null, null, M, {});
        cold.push(performance.now() - t0);
        let cw = 0;
        const p = w.perms[t - 1] as Int32Array;
        for (let i = 0; i < n; i++) cw += (C[i * n + (p[i] as number)] as number) / n;
        if (r === 0 && Math.abs(cw - e.cost) > 1e-12 * Math.abs(e.cost) * n) costDiffers++;
      }
    }
    return {
      msWarm: median(warm), msColdSimplex: median(cold), ratioWarmOverCold: median(warm) / median(cold),
      freeRowsAfterStart: median(paths), batchesWithCostDiff: costDiffers,
    };
  },
})));

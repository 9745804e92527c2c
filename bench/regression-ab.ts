/*
 * Same-run A/B of the issue-16 regression rows on two source trees:
 *   FM_BASE=<dir holding another checkout's src/> npx tsx bench/regression-ab.ts
 * e.g. `mkdir -p bench/results/base && git archive main src | tar -x -C bench/results/base`
 * (bench/results/ is ignored; node_modules resolve from this worktree). Rows, as in
 * bench/mlp.bench.ts and bench/gpu.bench.ts, on the float64 CPU path:
 *   - train-2d: one CFM step, batch 256, [3-64-64-64-2] SELU, Adam (20 steps per sample);
 *   - hutchinson: 4096 x [3-256-256-256-2] SiLU, 1 Rademacher probe;
 *   - exact divergence: 2048 x [33-256-256-32] SiLU.
 * The two trees alternate sample by sample (ABAB...), 9 samples each; medians and the ratio
 * this / base are printed. The machine is shared with other agents: only the ratio means much.
 */
import ndarray from "ndarray";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

type Lib = typeof import("../src/index.js");
type Batch = import("../src/core/batch.js").Batch;

function rows(lib: Lib): Record<string, () => void> {
  const batch = 256;
  const rng = new lib.Random(0);
  const pool = lib.moons().sample(100_000, rng).data;
  const net = lib.mlp({ dim: 2, hidden: [64, 64, 64], activation: "selu", seed: 0 });
  const opt = lib.adam({ lr: 1e-3 });
  const alloc = () => ndarray(new Float64Array(batch * 2), [batch, 2]) as Batch;
  const xt = alloc(), target = alloc(), prediction = alloc(), gradient = alloc(), t = new Float64Array(batch);
  const step = () => {
    for (let r = 0; r < batch; r++) {
      const k = rng.int(100_000), tr = rng.uniform();
      t[r] = tr;
      for (let j = 0; j < 2; j++) {
        const x1 = pool[2 * k + j] as number, x0 = rng.normal();
        xt.data[2 * r + j] = tr * x1 + (1 - tr) * x0;
        target.data[2 * r + j] = x1 - x0;
      }
    }
    net.forward(xt, t, undefined, prediction);
    lib.cfmLoss(prediction, target, lib.squaredEuclidean, undefined, gradient);
    net.backward(gradient);
    opt.step(net.parameters, net.gradient);
  };
  const wide = lib.mlp({ dim: 2, hidden: [256, 256, 256], activation: "silu", seed: 1 });
  const x = new lib.Random(2).normalBatch(4096, 2);
  const probes = lib.drawProbes(new lib.Random(3), 1, 4096, 2, "rademacher");
  const divNet = lib.mlp({ dim: 32, hidden: [256, 256], activation: "silu", seed: 5 });
  const divX = new lib.Random(6).normalBatch(2048, 32);
  return {
    "train-2d step batch 256 [3-64-64-64-2] selu adam (x20)": () => { for (let i = 0; i < 20; i++) step(); },
    "hutchinson 4096x[3-256-256-256-2] silu, 1 probe": () => { lib.hutchinson(wide, x, 0.5, probes); },
    "exact divergence 2048x[33-256-256-32] silu": () => { divNet.divergence(divX, 0.5); },
  };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1] as number; };

const base = process.env.FM_BASE;
if (base === undefined) throw new Error("set FM_BASE to a directory holding the base tree's src/");
const here = (await import("../src/index.js")) as Lib;
const other = (await import(pathToFileURL(resolve(base, "src/index.ts")).href)) as Lib;
const a = rows(here), b = rows(other);
for (const name of Object.keys(a)) {
  const ta: number[] = [], tb: number[] = [];
  a[name]!();
  b[name]!();
  for (let i = 0; i < 9; i++) {
    for (const [f, into] of [[a[name]!, ta], [b[name]!, tb]] as const) {
      const t0 = performance.now();
      f();
      into.push(performance.now() - t0);
    }
  }
  console.log(`${name}: this ${median(ta).toFixed(1)} ms, base ${median(tb).toFixed(1)} ms, this/base ${(median(ta) / median(tb)).toFixed(3)}`);
}

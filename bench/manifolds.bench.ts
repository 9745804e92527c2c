import ndarray from "ndarray";
import { defineBenchmarks } from "./harness.js";
import { Random } from "../src/random/random.js";
import type { Batch } from "../src/core/batch.js";
import { sphere, euclidean, riemannianSample, geodesicPath } from "../src/manifolds/index.js";
import { ctmcSample, uniformSource, type Tokens } from "../src/discrete/index.js";

const n = 100_000;
const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
const s3 = sphere(3);
const points = (rng: Random, rows: number) => s3.projx(rng.normalBatch(rows, 3));
const rotation = {
  dim: 3,
  evaluate(x: Batch, t: number | Float64Array): Batch {
    const w = 1 + (typeof t === "number" ? t : 0);
    const out = new Float64Array(x.data.length);
    for (let i = 0; i < x.data.length; i += 3) {
      out[i] = -w * x.data[i + 1]!;
      out[i + 1] = w * x.data[i]!;
    }
    return ndarray(out, [x.shape[0]!, 3]);
  },
};

export default defineBenchmarks([
  {
    name: "euclidean(3) logmap+expmap 1e5 rows (baseline)",
    setup: () => { const r = new Random(1); return { x: points(r, n), y: points(r, n), m: euclidean(3) }; },
    run: ({ x, y, m }) => m.expmap(x, m.logmap(x, y)),
    metrics: (_s, ms) => ({ nsPerRow: (ms * 1e6) / n }),
  },
  {
    name: "sphere(3) logmap+expmap 1e5 rows",
    setup: () => { const r = new Random(1); return { x: points(r, n), y: points(r, n) }; },
    run: ({ x, y }) => s3.expmap(x, s3.logmap(x, y)),
    metrics: (_s, ms) => ({ nsPerRow: (ms * 1e6) / n }),
  },
  {
    name: "geodesicPath(sphere(3)).sample 1e5 rows",
    setup: () => { const r = new Random(1); return { x: points(r, n), y: points(r, n), path: geodesicPath(condOT, s3) }; },
    run: ({ x, y, path }) => path.sample(x, y, 0.3),
    metrics: (_s, ms) => ({ nsPerRow: (ms * 1e6) / n }),
  },
  {
    name: "riemannianSample sphere(3) rk4 100 steps 1e4 rows",
    setup: () => ({ x: points(new Random(1), 10_000) }),
    run: ({ x }) => riemannianSample(rotation, s3, x, { method: "rk4", steps: 100 }),
    repeats: 5,
    metrics: (_s, ms) => ({ nsPerRowStage: (ms * 1e6) / (10_000 * 400) }),
  },
  {
    name: "ctmcSample K=16, 1000 x 128 positions, 50 steps",
    setup: () => {
      const src = uniformSource(16);
      const model = { states: 16, posterior: (x: Tokens) => ndarray(new Float64Array(x.data.length * 16).fill(1 / 16), [x.data.length, 16]) };
      return { src, model, x0: src.sample(1000, 128, new Random(2)) };
    },
    run: ({ model, x0 }) => ctmcSample(model, x0, { scheduler: condOT, rng: new Random(3), steps: 50 }),
    repeats: 5,
    metrics: (_s, ms) => ({ nsPerPositionStep: (ms * 1e6) / (1000 * 128 * 50) }),
  },
]);

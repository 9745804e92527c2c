/**
 * Riemannian flow matching on the sphere S^2: from the uniform distribution to a mixture of
 * four von Mises–Fisher-like clusters, trained on the geodesic path and sampled with the
 * projected Riemannian solver. Run: npx tsx examples/sphere-flow.ts (STEPS=... to change the
 * number of training steps). Writes examples/out/sphere-flow.svg (Lambert cylindrical
 * equal-area projection: longitude against z) and prints a JSON summary.
 */
import ndarray from "ndarray";
import {
  Random, adam, condOT, cosineSchedule, geodesicPath, mlp, riemannianSample, sphere, trainSync,
  type Batch, type Distribution, type Time,
} from "../src/index.js";
import { writePanels } from "./lib/svg.js";
import { trainingProgress } from "./progress.js";

const steps = Number(process.env.STEPS ?? 2500);
const t0 = performance.now();
const S2 = sphere(3);

/** Cluster centres (unit vectors) and the spread of the Gaussian blobs before normalising. */
const centres = [[1, 0, 0], [-0.5, 0.8, 0.3], [-0.3, -0.6, 0.75], [0.2, -0.3, -0.95]].map(unit);
const spread = 0.2;
/** A sample counts as "in a cluster" when it lies within this angle of a centre (about 3.5 spreads). */
const radius = 0.7;

const uniformSphere: Distribution = {
  dim: 3,
  sample: (n: number, rng: Random) => normaliseRows(rng.normalBatch(n, 3)),
};
const clusters: Distribution = {
  dim: 3,
  sample(n: number, rng: Random): Batch {
    const x = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const c = centres[rng.int(centres.length)] as number[];
      for (let j = 0; j < 3; j++) x[3 * i + j] = (c[j] as number) + spread * rng.normal();
    }
    return normaliseRows(ndarray(x, [n, 3]));
  },
};

const lr = 2e-3;
const model = mlp({ dim: 3, hidden: [64, 64, 64], activation: "silu", seed: 0 });
const trainStart = performance.now();
const history = trainSync({
  model, source: uniformSphere, target: clusters, path: geodesicPath(condOT(), S2),
  steps, batchSize: 256, rng: new Random(1), optimizer: adam({ lr }), learningRate: cosineSchedule(lr, steps, lr / 20),
  onStep: trainingProgress("training on S^2", steps),
});
const trainSeconds = (performance.now() - trainStart) / 1000;

// The solver projects every stage velocity onto the tangent space and every point onto S^2.
const n = 2000;
const x0 = uniformSphere.sample(n, new Random(7));
const field = { dim: 3, evaluate: (x: Batch, t: Time) => model.evaluate(x, t) };
const run = riemannianSample(field, S2, x0, { method: "rk4", steps: 40 });
const target = clusters.sample(n, new Random(8));

const inCluster = (b: Batch) => {
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const best = Math.max(...centres.map((c) => c[0]! * b.data[3 * i]! + c[1]! * b.data[3 * i + 1]! + c[2]! * b.data[3 * i + 2]!));
    if (Math.acos(Math.min(1, best)) < radius) hits++;
  }
  return hits / n;
};
let maxNormError = 0;
for (let i = 0; i < n; i++) {
  const r = Math.hypot(run.x.data[3 * i]!, run.x.data[3 * i + 1]!, run.x.data[3 * i + 2]!);
  maxNormError = Math.max(maxNormError, Math.abs(r - 1));
}
const fraction = inCluster(run.x);
const targetFraction = inCluster(target);

const box: [number, number, number, number] = [-Math.PI, Math.PI, -1, 1];
writePanels("examples/out/sphere-flow.svg", [
  { title: "source: uniform on S^2", caption: "x = longitude, y = z (equal-area)", box, points: [{ data: project(x0), color: "#888", radius: 1.2 }] },
  { title: "target: 4 clusters", caption: `${(100 * targetFraction).toFixed(1)}% within ${radius} rad of a centre`, box, points: [{ data: project(target), color: "#999", radius: 1.2 }] },
  {
    title: "samples (geodesic FM, rk4)", caption: `${(100 * fraction).toFixed(1)}% within ${radius} rad; max |norm-1| = ${maxNormError.toExponential(1)}`, box,
    points: [{ data: project(target), color: "#ddd", radius: 1.2 }, { data: project(run.x), color: "#d62728", radius: 1.2 }],
  },
]);
console.log(JSON.stringify({
  example: "sphere-flow", steps, trainSeconds: +trainSeconds.toFixed(1), totalSeconds: +((performance.now() - t0) / 1000).toFixed(1),
  fractionInClusters: +fraction.toFixed(4), targetFractionInClusters: +targetFraction.toFixed(4), maxNormError,
  finalLoss: +history.loss[history.loss.length - 1]!.toFixed(4), nfe: run.nfe,
}));
console.log("wrote examples/out/sphere-flow.svg");

function unit(v: number[]): number[] {
  const r = Math.hypot(...v);
  return v.map((c) => c / r);
}

function normaliseRows(b: Batch): Batch {
  const d = b.data;
  for (let i = 0; i + 2 < d.length; i += 3) {
    const r = Math.hypot(d[i]!, d[i + 1]!, d[i + 2]!);
    d[i] = d[i]! / r; d[i + 1] = d[i + 1]! / r; d[i + 2] = d[i + 2]! / r;
  }
  return b;
}

/** Lambert cylindrical equal-area projection: (longitude, z), flat [x, y, ...]. */
function project(b: Batch): Float64Array {
  const m = b.shape[0] as number;
  const out = new Float64Array(2 * m);
  for (let i = 0; i < m; i++) {
    out[2 * i] = Math.atan2(b.data[3 * i + 1]!, b.data[3 * i]!);
    out[2 * i + 1] = b.data[3 * i + 2]!;
  }
  return out;
}

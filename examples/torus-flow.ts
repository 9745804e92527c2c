/**
 * Riemannian flow matching on the flat torus T^2 = [0, 2 pi)^2: from the uniform
 * distribution to three wrapped Gaussian blobs, one of which straddles the corner where all
 * four edges meet. The velocity field is an MLP on periodic features
 * (cos a, sin a, cos b, sin b), so it is continuous across the seams. Trained on the
 * geodesic path with trainSync, sampled with riemannianSample. Run:
 * npx tsx examples/torus-flow.ts (STEPS=... to change the number of training steps). Writes
 * examples/out/torus-flow.svg and prints a JSON summary.
 */
import ndarray from "ndarray";
import {
  Random, adam, condOT, cosineSchedule, geodesicPath, mlp, riemannianSample, torus, trainSync,
  type Batch, type Distribution, type Labels, type Mlp, type Time,
} from "../src/index.js";
import { writePanels } from "./lib/svg.js";
import { trainingProgress } from "./progress.js";

const steps = Number(process.env.STEPS ?? 2500);
const t0 = performance.now();
const TWO_PI = 2 * Math.PI;
const T2 = torus(2);

/** Blob centres (angles) and their standard deviation before wrapping. */
const centres = [[0.2, 0.3], [Math.PI, 4.6], [4.6, 2.0]];
const spread = 0.3;
/** A sample counts as "in a blob" within this wrapped distance of a centre (about 3 spreads). */
const radius = 0.9;

const uniformTorus: Distribution = {
  dim: 2,
  sample(n: number, rng: Random): Batch {
    const x = new Float64Array(2 * n);
    for (let k = 0; k < x.length; k++) x[k] = rng.uniform() * TWO_PI;
    return ndarray(x, [n, 2]);
  },
};
const blobs: Distribution = {
  dim: 2,
  sample(n: number, rng: Random): Batch {
    const x = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const c = centres[rng.int(centres.length)] as number[];
      for (let j = 0; j < 2; j++) x[2 * i + j] = mod2pi((c[j] as number) + spread * rng.normal());
    }
    return ndarray(x, [n, 2]);
  },
};

/**
 * v(a, b, t) = first two outputs of an MLP of dimension 4 evaluated at
 * (cos a, sin a, cos b, sin b, t): periodic in both angles.
 */
class PeriodicField {
  readonly dim = 2;
  constructor(readonly inner: Mlp) {}
  get parameters(): Float64Array { return this.inner.parameters; }
  get gradient(): Float64Array { return this.inner.gradient; }
  forward(x: Batch, t: Time, _labels?: Labels): Batch { return firstTwo(this.inner.forward(features(x), t)); }
  evaluate(x: Batch, t: Time): Batch { return firstTwo(this.inner.evaluate(features(x), t)); }
  backward(gradOutput: Batch): Float64Array {
    const n = gradOutput.shape[0] as number;
    const g = new Float64Array(4 * n);
    for (let i = 0; i < n; i++) { g[4 * i] = gradOutput.data[2 * i]!; g[4 * i + 1] = gradOutput.data[2 * i + 1]!; }
    return this.inner.backward(ndarray(g, [n, 4]));
  }
}

const lr = 2e-3;
const model = new PeriodicField(mlp({ dim: 4, hidden: [64, 64, 64], activation: "silu", seed: 0 }));
const trainStart = performance.now();
const history = trainSync({
  model, source: uniformTorus, target: blobs, path: geodesicPath(condOT(), T2),
  steps, batchSize: 256, rng: new Random(1), optimizer: adam({ lr }), learningRate: cosineSchedule(lr, steps, lr / 20),
  onStep: trainingProgress("training on T^2", steps),
});
const trainSeconds = (performance.now() - trainStart) / 1000;

const n = 2000;
const x0 = uniformTorus.sample(n, new Random(7));
const run = riemannianSample(model, T2, x0, { method: "rk4", steps: 40 });
const target = blobs.sample(n, new Random(8));

const inBlob = (b: Batch) => {
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.min(...centres.map((c) => Math.hypot(wrap(b.data[2 * i]! - c[0]!), wrap(b.data[2 * i + 1]! - c[1]!))));
    if (d < radius) hits++;
  }
  return hits / n;
};
const fraction = inBlob(run.x);
const targetFraction = inBlob(target);
let outside = 0;
for (const v of run.x.data) if (!(v >= 0 && v < TWO_PI)) outside++;

const box: [number, number, number, number] = [0, TWO_PI, 0, TWO_PI];
writePanels("examples/out/torus-flow.svg", [
  { title: "source: uniform on T^2", caption: "angles in [0, 2pi)^2; edges identified", box, points: [{ data: x0.data, color: "#888", radius: 1.2 }] },
  { title: "target: 3 wrapped blobs", caption: `${(100 * targetFraction).toFixed(1)}% within ${radius} of a centre`, box, points: [{ data: target.data, color: "#999", radius: 1.2 }] },
  {
    title: "samples (geodesic FM, rk4)", caption: `${(100 * fraction).toFixed(1)}% within ${radius} of a centre`, box,
    points: [{ data: target.data, color: "#ddd", radius: 1.2 }, { data: run.x.data, color: "#d62728", radius: 1.2 }],
  },
]);
console.log(JSON.stringify({
  example: "torus-flow", steps, trainSeconds: +trainSeconds.toFixed(1), totalSeconds: +((performance.now() - t0) / 1000).toFixed(1),
  fractionInBlobs: +fraction.toFixed(4), targetFractionInBlobs: +targetFraction.toFixed(4), anglesOutsideRange: outside,
  finalLoss: +history.loss[history.loss.length - 1]!.toFixed(4), nfe: run.nfe,
}));
console.log("wrote examples/out/torus-flow.svg");

function mod2pi(a: number): number {
  const r = a - TWO_PI * Math.floor(a / TWO_PI);
  return r >= TWO_PI ? 0 : r;
}

/** Shortest signed angular difference, in [-pi, pi). */
function wrap(a: number): number {
  return mod2pi(a + Math.PI) - Math.PI;
}

function features(x: Batch): Batch {
  const n = x.shape[0] as number;
  const f = new Float64Array(4 * n);
  for (let i = 0; i < n; i++) {
    const a = x.data[2 * i]!, b = x.data[2 * i + 1]!;
    f[4 * i] = Math.cos(a); f[4 * i + 1] = Math.sin(a); f[4 * i + 2] = Math.cos(b); f[4 * i + 3] = Math.sin(b);
  }
  return ndarray(f, [n, 4]);
}

function firstTwo(y: Batch): Batch {
  const n = y.shape[0] as number;
  const o = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) { o[2 * i] = y.data[4 * i]!; o[2 * i + 1] = y.data[4 * i + 1]!; }
  return ndarray(o, [n, 2]);
}

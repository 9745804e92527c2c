import ndarray from "ndarray";
import * as fm from "../../src/index.js";

/** Objects whose every number is finite (hostile but finite callbacks): outputs from them must be finite too. */
export const finiteObjects = new WeakSet<object>();

/** Marks `value` as finite input and returns it. */
function finite<T extends object>(value: T): T {
  finiteObjects.add(value);
  return value;
}

/** A batch of shape [n, d] with entries of modest size, fixed values. */
export function batch(n: number, d: number, scale = 1): fm.Batch {
  const data = new Float64Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = scale * Math.sin(1.3 * i + 0.7);
  return ndarray(data, [n, d]);
}

/** u(x) = -x + t: a smooth field with a JVP, the valid field of every template. */
export function linearField(dim: number): fm.VelocityField {
  return finite({
    dim,
    evaluate(x: fm.Batch, t: number | Float64Array, out?: fm.Batch) {
      const n = x.shape[0] as number;
      const o = out ?? ndarray(new Float64Array(n * dim), [n, dim]);
      for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) o.data[i * dim + j] = -(x.data[i * dim + j] as number) + (typeof t === "number" ? t : (t[i] as number));
      return o;
    },
  });
}

/** Context of a template: the dimension of the object whose method is called. */
export interface Context { dim: number }

/** A valid value for a parameter of this name, or undefined where the name says nothing. */
export function validByName(name: string, ctx: Context): { value: unknown } | undefined {
  const d = ctx.dim;
  switch (name) {
    case "x": case "x0": case "x1": case "xt": case "y": case "y0": case "u": case "v": case "prediction":
    case "target": case "a": case "b": case "posterior": case "logits": case "gradient_batch":
      return { value: batch(4, d) };
    case "t": return { value: 0.5 };
    case "times": return { value: new Float64Array([0.25, 0.75]) };
    case "n": case "count": case "rows": case "samples": return { value: 4 };
    case "d": case "dim": return { value: d };
    case "i": case "index": return { value: 1 };
    case "rng": case "random": return { value: new fm.Random(7) };
    case "seed": return { value: 3 };
    case "field": case "model": return { value: linearField(d) };
    case "scheduler": return { value: fm.condOT() };
    case "path": return { value: fm.affinePath(fm.condOT()) };
    case "options": case "out": case "weights": return { value: undefined };
    case "lr": return { value: 0.1 };
    case "steps": return { value: 10 };
    case "p": return { value: 2 };
    case "reg": case "sigma": case "decay": return { value: 0.5 };
    case "scale": return { value: 1.5 };
    case "labels": return { value: 0 };
    case "k": case "step": return { value: 3 };
    case "positions": return { value: 2 };
    case "weights_": return { value: [1, 2, 3] };
    case "gradient": case "parameters": case "values": case "params": return { value: new Float64Array([3, 4, -1, 0.5]) };
    case "maxNorm": return { value: 1 };
    case "fn": return { value: "f" };
    case "argument": return { value: "x" };
    case "value": return { value: 0.5 };
    case "min": return { value: 0 };
    case "max": return { value: 1 };
    case "probes": return { value: fm.drawProbes(new fm.Random(2), 2, 4, d) };
    case "manifold": return { value: fm.sphere(d) };
    case "net": return { value: fm.mlp({ dim: d, hidden: [4], seed: 1 }) };
    case "kappa": case "snr": return { value: 0.5 };
    case "vocabulary": case "states": return { value: 4 };
    case "tokens": return { value: fm.tokensFromRows([[0, 1], [2, 3]]) };
    default: return undefined;
  }
}

/** Valid argument lists of exports whose parameter names do not say enough (by export name, or "Export.method"). */
export const templates: Record<string, (ctx: Context) => unknown[]> = {
  ConvergenceError: () => ["f", "x", "be", "1", { at: 1 }],
  FlowMatchingError: () => ["INVALID_ARGUMENT", "f", "x", "be", "1"],
  DomainError: () => ["f", "x", "be", "1"],
  ShapeError: () => ["f", "x", "be", "1"],
  NonFiniteError: () => ["f", "x", "be", "1"],
  PropertyCheckError: () => ["cond", "subject", "detail", 1],
  GeodesicPath: () => [fm.condOT(), fm.torus(2)],
  geodesicPath: () => [fm.condOT(), fm.torus(2)],
  MixtureDiscretePath: () => [fm.condOT()],
  mixtureDiscretePath: () => [fm.condOT()],
  Mlp: () => [fm.mlp({ dim: 2, hidden: [4], seed: 1 }).toSpec()],
  MlpFloat32: () => [fm.mlp({ dim: 2, hidden: [4], seed: 1 })],
  float32Inference: () => [fm.mlp({ dim: 2, hidden: [4], seed: 1 })],
  ParameterEma: () => [new Float64Array([1, 2, 3]), 0.9],
  Product: () => [[fm.euclidean(2), fm.torus(1)]],
  product: () => [fm.euclidean(2), fm.torus(1)],
  Random: () => [5],
  createRandom: () => [5],
  Euclidean: () => [2], Sphere: () => [3], Torus: () => [2],
  adam: () => [{ lr: 0.01 }], adamw: () => [{ lr: 0.01 }], sgd: () => [{ lr: 0.01 }],
  asBatch: () => ["f", "x", batch(4, 2), { dim: 2 }],
  asTokens: () => ["f", "x", fm.tokensFromRows([[0, 1]]), { states: 2 }],
  tokensFromRows: () => [[[0, 2], [1, 1]]],
  bregman: () => [(x: Float64Array) => (x[0] as number) ** 2 + (x[1] as number) ** 2, (x: Float64Array, out: Float64Array) => { out[0] = 2 * (x[0] as number); out[1] = 2 * (x[1] as number); return out; }],
  cfmLoss: () => [batch(4, 2), batch(4, 2, 0.5), fm.squaredEuclidean],
  checkTime: () => ["f", "t", 0.5, 4],
  checkInRange: () => ["f", "x", 0.5, 0, 1],
  checkInteger: () => ["f", "x", 3, 0, 10],
  classifierFreeGuidance: () => [fm.mlp({ dim: 2, hidden: [4], classes: 3, seed: 1 }), 2, 1.5],
  withLabels: () => [fm.mlp({ dim: 2, hidden: [4], classes: 3, seed: 1 }), 1],
  clipGradNorm: () => [new Float64Array([3, 4]), 1],
  gradNorm: () => [new Float64Array([3, 4])],
  constantSchedule: () => [0.1],
  cosineSchedule: () => [0.1, 10, 0.01],
  warmupSchedule: () => [fm.constantSchedule(1), 4],
  ctmcSample: () => [{ states: 3, posterior: (x: fm.Tokens) => fm.fromRows(Array.from(x.data, () => [0.2, 0.3, 0.5])) }, fm.tokensFromRows([[0, 1]]), { scheduler: fm.condOT(), rng: new fm.Random(1), steps: 5 }],
  defineScheduler: () => [{ name: "sq", alpha: (t: number) => t * t, sigma: (t: number) => 1 - t * t, dAlpha: (t: number) => 2 * t, dSigma: (t: number) => -2 * t }],
  drawProbes: () => [new fm.Random(1), 2, 4, 2],
  empirical: () => [batch(5, 2)],
  entropicOTCoupling: () => [0.5],
  schrodingerBridgeCoupling: () => [0.5],
  exactDivergence: (c) => [linearField(c.dim), batch(4, c.dim), 0.5],
  fromData: () => [new Float64Array([1, 2, 3, 4, 5, 6]), [3, 2]],
  fromRows: () => [[[1, 2], [3, 4]]],
  fromEpsilonPrediction: () => [linearField(2), fm.affinePath(fm.condOT())],
  fromScore: () => [linearField(2), fm.affinePath(fm.condOT())],
  fromX1Prediction: () => [linearField(2), fm.affinePath(fm.condOT())],
  gatherRows: () => [batch(3, 2), [2, 0, 2]],
  gaussian: () => [{ mean: [0, 1], std: 1 }],
  gaussianMixture: () => [{ means: [[-1, 0], [1, 0]], stds: 0.5 }],
  gaussianVelocity: () => [fm.affinePath(fm.condOT()), fm.gaussian({ mean: [0, 1], std: 0.5 })],
  marginalVelocity: () => [fm.affinePath(fm.condOT()), batch(5, 2)],
  hutchPlusPlus: () => { const r = new fm.Random(3); return [linearField(2), batch(4, 2), 0.5, fm.drawProbes(r, 2, 4, 2, "gaussian"), fm.drawProbes(r, 1, 4, 2)]; },
  hutchinson: () => [linearField(2), batch(4, 2), 0.5, fm.drawProbes(new fm.Random(3), 2, 4, 2)],
  integrate: () => [(_t: number, y: fm.Batch, out: fm.Batch) => { for (let i = 0; i < y.data.length; i++) out.data[i] = -(y.data[i] as number); }, batch(4, 2), { steps: 8, method: "rk4" }],
  jacobianVectorProduct: () => [linearField(2), batch(4, 2), 0.5, batch(4, 2, 0.3)],
  logLikelihood: () => [linearField(2), batch(4, 2), { steps: 8, method: "rk4" }],
  logLikelihoodForward: () => [linearField(2), batch(4, 2), { steps: 8, method: "rk4" }],
  sample: () => [linearField(2), batch(4, 2), { steps: 8, method: "rk4" }],
  pathEnergy: () => [linearField(2), batch(4, 2), { steps: 8, method: "rk4" }],
  mahalanobis: () => [[1, 4]],
  maskSource: () => [3], uniformSource: () => [3],
  mixtureGeneralizedKL: () => [batch(2, 3), fm.tokensFromRows([[2], [1]]), fm.tokensFromRows([[2], [0]]), 0.5, fm.condOT()],
  mixtureGeneralizedKLGradient: () => [batch(2, 3), fm.tokensFromRows([[2], [1]]), fm.tokensFromRows([[2], [0]]), 0.5, fm.condOT()],
  posteriorToVelocity: () => [fm.fromRows([[0.5, 0.5]]), fm.tokensFromRows([[0]]), 0.5, fm.condOT()],
  mixtureKappa: () => [fm.condOT(), 0.25, "f"],
  mlp: () => [{ dim: 2, hidden: [4], seed: 1 }],
  mlpSpecFromJSON: () => [JSON.stringify(fm.mlp({ dim: 2, hidden: [4], seed: 1 }).toJSON())],
  mlpSpecToJSON: () => [fm.mlp({ dim: 2, hidden: [4], seed: 1 }).toSpec()],
  outputBatch: () => ["f", undefined, 4, 2],
  pairwiseCost: () => [batch(4, 2), batch(3, 2)],
  polynomial: () => [2],
  riemannianSample: () => [linearField(3), fm.sphere(3), fm.fromRows([[1, 0, 0], [0, 1, 0]]), { steps: 5 }],
  samplePlan: () => [fm.fromRows([[0, 0.5], [0.5, 0]]), 4, new fm.Random(1)],
  scheduleTransform: () => [linearField(2), { from: fm.condOT(), to: fm.cosine() }],
  schedulerValues: () => [fm.condOT(), new Float64Array([0, 0.5])],
  sinkhorn: () => [null, null, fm.fromRows([[0, 1], [1, 0]]), { reg: 0.5 }],
  sinkhornUnbalanced: () => [null, null, fm.fromRows([[0, 1], [1, 0]]), { reg: 0.5, regMarginal: 1 }],
  snr: () => [fm.condOT(), 0.5],
  solveAssignment: () => [fm.fromRows([[0, 1], [1, 0]])],
  standardNormal: () => [2], sphere: () => [3], torus: () => [2], euclidean: () => [2],
  tableau: () => ["rk4"],
  timeAt: () => [new Float64Array([0.1, 0.9]), 1],
  uniformBox: () => [{ low: [0, 0], high: [2, 2] }],
  train: () => [trainOptions()],
  trainSync: () => [trainOptions()],
  zeros: () => [4, 2],
  gpuMarginalVelocity: () => [fm.condOT(), batch(5, 2), { backend: "cpu-f64", poolSize: 1 }],
  gpuMlpField: () => [fm.mlp({ dim: 2, hidden: [4], seed: 1 }), { backend: "cpu-f32", poolSize: 1 }],
  isSoftwareRenderer: () => ["SwiftShader"],
  selectBackend: () => [{ backend: "cpu-f32" }],
  batchArb: () => [2, { rows: 3 }],
  checkBoundaries: () => [fm.condOT()],
  checkDerivatives: () => [fm.condOT(), { numRuns: 5 }],
  checkMonotoneSnr: () => [fm.condOT(), { numRuns: 5 }],
  checkScheduler: () => [fm.condOT(), { numRuns: 5 }],
  checkConversions: () => [fm.affinePath(fm.condOT()), { numRuns: 5 }],
  checkGeneratesPath: () => [fm.affinePath(fm.condOT()), { numRuns: 3, samples: 16 }],
  checkPathBoundaries: () => [fm.affinePath(fm.condOT())],
  checkPath: () => [fm.affinePath(fm.condOT()), { generates: { numRuns: 3, samples: 16 }, conversions: { numRuns: 3 }, scheduler: { numRuns: 3 } }],
  timeArb: () => [{ min: 0.2, max: 0.8 }],
  // methods of any export's objects, by method name
  ".expRow": (c) => [unit(c.dim, 0), 0, tangent(c.dim), 0, new Float64Array(c.dim), 0],
  ".logRow": (c) => [unit(c.dim, 0), 0, unit(c.dim, 1), 0, new Float64Array(c.dim), 0],
  ".projxRow": (c) => [unit(c.dim, 0), 0, new Float64Array(c.dim), 0, "f"],
  ".projuRow": (c) => [unit(c.dim, 0), 0, tangent(c.dim), 0, new Float64Array(c.dim), 0],
  ".geodesicRow": (c) => [unit(c.dim, 0), 0, tangent(c.dim), 0, 0.5, new Float64Array(c.dim), 0, new Float64Array(c.dim), 0],
  ".distSquaredRow": (c) => [unit(c.dim, 0), 0, unit(c.dim, 1), 0],
  ".calibrate": (c) => [batch(8, c.dim), 0.5, { repeats: 1, warmup: 0 }],
  ".categorical": () => [[1, 2, 3]],
  ".categoricalMany": () => [[1, 2, 3], 4],
  ".fillUniform": () => [new Float64Array(4), -1, 2],
  ".fillNormal": () => [new Float64Array(4), 1, 2],
  ".fillRademacher": () => [new Float64Array(4)],
  "ParameterEma.update": () => [new Float64Array([2, 2, 2])],
  "ParameterEma.copyTo": () => [new Float64Array(3)],
  "MixtureDiscretePath.sample": () => [fm.tokensFromRows([[0, 1]]), fm.tokensFromRows([[2, 3]]), 0.5, new fm.Random(1)],
  "mixtureDiscretePath.sample": () => [fm.tokensFromRows([[0, 1]]), fm.tokensFromRows([[2, 3]]), 0.5, new fm.Random(1)],
};

/** The unit vector e_k of R^dim (a point of every built-in manifold). */
function unit(dim: number, k: number): Float64Array {
  const e = new Float64Array(dim);
  e[Math.min(k, dim - 1)] = 1;
  return e;
}

/** A small vector tangent to the sphere at e_0. */
function tangent(dim: number): Float64Array {
  const v = new Float64Array(dim);
  if (dim > 1) v[1] = 0.3;
  return v;
}

/** Small valid training options: 2 steps of batch 8. */
export function trainOptions(): Record<string, unknown> {
  return { model: fm.mlp({ dim: 2, hidden: [4], seed: 1 }), source: fm.standardNormal(2), target: fm.moons(), path: fm.affinePath(fm.condOT()), steps: 2, batchSize: 8, rng: new fm.Random(1) };
}

/**
 * Exports and methods whose output may hold non-finite numbers by their documentation:
 * log densities are -Infinity outside the support.
 */
export const documentedNonFinite = new Set<string>(["logProb", "logDensity"]);

/** Argument positions that receive results by contract, where parameter names are not visible (the checked row kernels take `...args`). */
export const outputPositions: Record<string, number[]> = {
  expRow: [4], logRow: [4], projxRow: [2], projuRow: [4], geodesicRow: [5, 7],
};

/** Exports and methods that write into an argument by their documentation (in-place updates). */
export const documentedMutation = new Set<string>(["clipGradNorm", "step", "update", "fillUniform", "fillNormal", "fillRademacher", "setParameters", "zeroGrad", "copyFrom", "copyTo", "load", "set"]);

/** Methods not called: they would only print, serialise by design or hand work to other threads without an argument. */
export const skipMethods = new Set<string>(["constructor", "toString", "toLocaleString", "valueOf", "dispose"]);

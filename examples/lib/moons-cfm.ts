/*
 * Shared by the examples and the training test: trains an MLP velocity field from
 * 8 Gaussians to moons with a given coupling, then samples it and measures it.
 */
import {
  Random, adam, affinePath, condOT, cosineSchedule, eightGaussians, mlp, moons, pathEnergy, sample, trainSync, wasserstein,
  type Coupling, type Mlp, type StepInfo, type TrainHistory,
} from "../../src/index.js";
import { withSolveProgress } from "../progress.js";

export interface MoonsRun {
  model: Mlp;
  history: TrainHistory;
  trainSeconds: number;
  /** Exact W2 between `samples` generated samples and as many fresh moons samples. */
  w2: number;
  /** Mean kinetic energy of the learned flow along trajectories from 8 Gaussians samples. */
  energy: number;
  /** Generated samples (flat x, y). */
  generated: Float64Array;
  /** Source samples they came from. */
  source: Float64Array;
  /** Trajectories of the first `trajectories` rows at 21 times: trajectory[k] flat [x, y, ...]. */
  paths: Float64Array[];
}

export function trainMoons(coupling: Coupling | undefined, options: { steps?: number; samples?: number; seed?: number; onStep?: (s: StepInfo) => void } = {}): MoonsRun {
  const steps = options.steps ?? 3000;
  const seed = options.seed ?? 0;
  const lr = 2e-3;
  const model = mlp({ dim: 2, hidden: [64, 64, 64], activation: "selu", seed });
  const start = performance.now();
  const history = trainSync({
    model, source: eightGaussians(), target: moons(), path: affinePath(condOT()), ...(coupling ? { coupling } : {}),
    steps, batchSize: 256, rng: new Random(seed + 1), optimizer: adam({ lr }), learningRate: cosineSchedule(lr, steps, lr / 20),
    ...(options.onStep ? { onStep: options.onStep } : {}),
  });
  const trainSeconds = (performance.now() - start) / 1000;
  const n = options.samples ?? 2000;
  const rng = new Random(seed + 7);
  const x0 = eightGaussians().sample(n, rng);
  const times = Array.from({ length: 21 }, (_, k) => k / 20);
  const sampling = withSolveProgress(model, "sampling");
  const run = sample(sampling.field, x0, { method: "dopri5", rtol: 1e-5, atol: 1e-5, times });
  sampling.done();
  const w2 = wasserstein(run.y, moons().sample(n, new Random(seed + 8)), { p: 2, method: "exact" });
  const energySolve = withSolveProgress(model, "path energy");
  const energy = pathEnergy(energySolve.field, x0, { rtol: 1e-5, atol: 1e-5 }).meanEnergy;
  energySolve.done();
  const paths: Float64Array[] = [];
  for (let i = 0; i < Math.min(200, n); i++) {
    const p = new Float64Array(2 * times.length);
    (run.trajectory ?? []).forEach((b, k) => { p[2 * k] = b.data[2 * i]!; p[2 * k + 1] = b.data[2 * i + 1]!; });
    paths.push(p);
  }
  return { model, history, trainSeconds, w2, energy, generated: run.y.data, source: x0.data, paths };
}

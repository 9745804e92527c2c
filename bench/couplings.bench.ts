import { defineBenchmarks, type Benchmark } from "./harness.js";
import {
  Random, adam, affinePath, condOT, eightGaussians, entropicOTCoupling, exactOTCoupling, independentCoupling, mlp, moons,
  pairwiseCost, schrodingerBridgeCoupling, sinkhorn, trainSync, type Batch, type Coupling,
} from "../src/index.js";

/*
 * What each coupling costs, for docs/choosing-a-coupling.md: `npx tsx bench/run.ts couplings`.
 * - "pair <coupling> n=<n>": one `coupling.pair(x0, x1, rng)` on n rows of 8 Gaussians (x0)
 *   and moons (x1), the OT-CFM setting; metric `pairDistance` = mean ||x0_i - x1_i||^2 of the
 *   pairs (lower: straighter conditional paths). With FM_ANCHOR, the exact coupling is put
 *   beside POT's ot.emd on the same kind of data (`assignment --pair eight-moons`), what
 *   torchcfm's OT-CFM calls per batch.
 * - "10 train steps <coupling> batch 256": ten trainSync steps, MLP [3-64-64-64-2] SELU, Adam:
 *   what the coupling adds to a training step.
 * Entropic couplings use the library's defaults (tolerance 1e-6, epsilon scaling); their
 * `sinkhornIterations` metric is that of one solve at the same regularisation.
 */
interface Candidate { name: string; coupling: () => Coupling; reg?: number; tolerance?: number }
const candidates: Candidate[] = [
  { name: "independent", coupling: () => independentCoupling() },
  { name: "exact OT", coupling: () => exactOTCoupling() },
  { name: "entropic reg=0.5", coupling: () => entropicOTCoupling(0.5), reg: 0.5 },
  { name: "entropic reg=0.5 tol=1e-3", coupling: () => entropicOTCoupling(0.5, { tolerance: 1e-3 }), reg: 0.5, tolerance: 1e-3 },
  { name: "bridge sigma=1", coupling: () => schrodingerBridgeCoupling(1), reg: 2 },
];

interface PairState { x0: Batch; x1: Batch; coupling: Coupling; rng: Random }

function pairBench(c: Candidate, n: number): Benchmark<PairState> {
  return {
    name: `pair ${c.name} n=${n}`,
    setup: () => {
      const rng = new Random(0);
      return { x0: eightGaussians().sample(n, rng), x1: moons().sample(n, rng), coupling: c.coupling(), rng: new Random(1) };
    },
    run: (s) => s.coupling.pair(s.x0, s.x1, s.rng),
    repeats: n >= 1024 ? 3 : 7,
    warmup: n >= 1024 ? 1 : 2,
    metrics: (s) => {
      const p = s.coupling.pair(s.x0, s.x1, new Random(2));
      let sum = 0;
      for (let k = 0; k < p.x0.data.length; k++) sum += (p.x0.data[k]! - p.x1.data[k]!) ** 2;
      const out: Record<string, number> = { pairDistance: sum / n };
      if (c.reg !== undefined) out.sinkhornIterations = sinkhorn(null, null, pairwiseCost(s.x0, s.x1), { reg: c.reg, tolerance: c.tolerance ?? 1e-6 }).iterations;
      return out;
    },
    ...(c.name === "exact OT" ? {
      anchor: {
        workload: "assignment", args: ["--n", String(n), "--pair", "eight-moons"], label: "POT ot.emd",
        ms: (json: Record<string, unknown>) => json.emd_ms as number,
      },
    } : {}),
  };
}

interface StepState { step: () => void }

function stepBench(c: Candidate): Benchmark<StepState> {
  return {
    name: `10 train steps ${c.name} batch 256`,
    setup: () => {
      const model = mlp({ dim: 2, hidden: [64, 64, 64], activation: "selu", seed: 0 });
      const options = {
        model, source: eightGaussians(), target: moons(), path: affinePath(condOT()), coupling: c.coupling(),
        steps: 10, batchSize: 256, rng: new Random(3), optimizer: adam({ lr: 1e-3 }),
      };
      return { step: () => { trainSync(options); } };
    },
    run: (s) => s.step(),
    repeats: 5,
    warmup: 1,
    metrics: (_s, ms) => ({ msPerStep: ms / 10 }),
  };
}

export default defineBenchmarks([
  ...[256, 1024].flatMap((n) => candidates.map((c) => pairBench(c, n))),
  ...candidates.map(stepBench),
]);

import { defineBenchmarks, type Benchmark } from "./harness.js";
import {
  Random, adam, affinePath, condOT, eightGaussians, entropicOTCoupling, exactOTCoupling, independentCoupling, mlp, moons,
  pairwiseCost, schrodingerBridgeCoupling, sinkhorn, trainSync, type Batch, type Coupling,
  conditionalOTCoupling, fromData, solveAssignment, standardNormal,
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
    // enough calls at n = 256 for the JIT to reach optimised code (two left the exact solve at 3x its warm time)
    warmup: n >= 1024 ? 1 : 10,
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


/*
 * Condition-aware OT with integer labels (issue 18): `npx tsx bench/run.ts couplings labels`.
 * - "labels pair <variant> n=512 classes=8": x0 ~ N(0, I) with labels drawn from those of x1,
 *   x1 from an 8-component mixture (one component per label). "conditional OT, one solve per
 *   label block" is conditionalOTCoupling (what training uses); "one penalised solve" is the
 *   same optimum from one assignment over the whole batch with M > n max C added to every
 *   cross-label cost (test/couplings/conditional-ot.test.ts proves the two costs equal);
 *   "independent" pairs in order and mixes labels. Metrics: mean pair cost, cross-label pairs.
 * - "labels 5 train steps <coupling> batch 512": five trainSync steps of a labelled MLP
 *   [2 + 1 + 9 - 64 - 64 - 2] SiLU with Adam, the per-step cost a user sees.
 */
const labelMeans = Array.from({ length: 8 }, (_, k) => [4 * Math.cos((2 * Math.PI * k) / 8), 4 * Math.sin((2 * Math.PI * k) / 8)]);
const labelledTarget = {
  dim: 2,
  sampleWithLabels(n: number, rng: Random) {
    const labels = Int32Array.from({ length: n }, () => rng.int(8));
    const x = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < 2; j++) x[2 * i + j] = (labelMeans[labels[i]!]![j] as number) + 0.4 * rng.normal();
    return { x: fromData(x, [n, 2]), labels };
  },
};

interface LabelPairState { x0: Batch; x1: Batch; labels0: Int32Array; labels1: Int32Array }
type LabelVariant = "conditional OT, one solve per label block" | "one penalised solve" | "independent";

function penalisedSolve(s: LabelPairState): Int32Array {
  const n = s.labels0.length;
  const c = pairwiseCost(s.x0, s.x1);
  let mx = 0;
  for (const v of c.data) mx = Math.max(mx, v);
  const big = 2 * n * mx + 1;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (s.labels0[i] !== s.labels1[j]) c.data[i * n + j]! += big;
  return solveAssignment(c).rowToColumn;
}

function labelIndices(variant: LabelVariant, s: LabelPairState): Int32Array {
  if (variant === "one penalised solve") return penalisedSolve(s);
  if (variant === "independent") return Int32Array.from(s.labels0, (_, i) => i);
  return conditionalOTCoupling().pair(s.x0, s.x1, { labels0: s.labels0, labels1: s.labels1 }).indices1;
}

function labelPairBench(variant: LabelVariant, n: number): Benchmark<LabelPairState> {
  return {
    name: `labels pair ${variant} n=${n} classes=8`,
    setup: () => {
      const rng = new Random(0);
      const target = labelledTarget.sampleWithLabels(n, rng);
      const x0 = rng.normalBatch(n, 2);
      return { x0, x1: target.x, labels0: Int32Array.from(rng.permutation(n), (k) => target.labels[k]!), labels1: target.labels };
    },
    run: (s) => labelIndices(variant, s),
    repeats: 9,
    warmup: 2,
    metrics: (s) => {
      const idx = labelIndices(variant, s);
      let cost = 0, cross = 0;
      for (let i = 0; i < n; i++) {
        const j = idx[i]!;
        cost += (s.x0.data[2 * i]! - s.x1.data[2 * j]!) ** 2 + (s.x0.data[2 * i + 1]! - s.x1.data[2 * j + 1]!) ** 2;
        if (s.labels0[i] !== s.labels1[j]) cross++;
      }
      return { pairDistance: cost / n, crossLabelPairs: cross };
    },
  };
}

function labelStepBench(name: string, coupling: () => Coupling | undefined): Benchmark<StepState> {
  return {
    name: `labels 5 train steps ${name} batch 512`,
    setup: () => {
      const model = mlp({ dim: 2, hidden: [64, 64], classes: 8, seed: 0 });
      const c = coupling();
      const options = {
        model, source: standardNormal(2), target: labelledTarget, path: affinePath(condOT()), ...(c ? { coupling: c } : {}),
        steps: 5, batchSize: 512, rng: new Random(3), optimizer: adam({ lr: 1e-3 }),
      };
      return { step: () => { trainSync(options); } };
    },
    run: (s) => s.step(),
    repeats: 9,
    warmup: 2,
    metrics: (_s, ms) => ({ msPerStep: ms / 5 }),
  };
}

export default defineBenchmarks([
  ...[256, 1024].flatMap((n) => candidates.map((c) => pairBench(c, n))),
  ...candidates.map(stepBench),
  ...(["conditional OT, one solve per label block", "one penalised solve", "independent"] as const).map((v) => labelPairBench(v, 512)),
  labelStepBench("independent (no coupling)", () => undefined),
  labelStepBench("conditional OT (blocks)", () => conditionalOTCoupling()),
]);

import { defineBenchmarks } from "./harness.js";
import { solveAssignment } from "../src/couplings/assignment.js";
import { pairwiseCost, type CostMatrix } from "../src/couplings/cost.js";
import { lapjv } from "../src/couplings/lapjv.js";
import { lapjvSparse } from "../src/couplings/lapjv-sparse.js";
import { eightGaussians, moons } from "../src/distributions/index.js";
import { Random } from "../src/random/random.js";
import type { Batch } from "../src/core/batch.js";

/*
 * WORKLOADS.md "assignment": squared Euclidean costs between n source and n target 2-D
 * points, optimal permutation, for the three pairs of the anchor (`--pair`): normal-normal
 * (both N(0, I): the easy case), normal-moons and eight-moons (what OT-CFM training pairs).
 * Ours: solveAssignment (network simplex); anchor: POT ot.emd on the same workload (its own
 * numpy draws of the same distributions), same run. `sparse-lapjv` rows time the solver of
 * release 0.x (sparse-candidate Jonker–Volgenant, the default until this change) on the same
 * matrices, for the "no slower than before" check.
 */
type Pair = "normal-normal" | "normal-moons" | "eight-moons";
const pairs: Pair[] = ["normal-normal", "normal-moons", "eight-moons"];

function draw(pair: Pair, n: number): CostMatrix {
  const rng = new Random(0);
  const x: Batch = pair === "eight-moons" ? eightGaussians().sample(n, rng) : rng.normalBatch(n, 2);
  const y: Batch = pair === "normal-normal" ? rng.normalBatch(n, 2) : moons().sample(n, rng);
  return pairwiseCost(x, y);
}

/** The previous default: sparse candidates from n = 384, dense Jonker–Volgenant below. */
function previous(C: CostMatrix): number {
  const n = C.shape[0] as number;
  return ((n >= 384 ? lapjvSparse(C.data, n, 16) : null) ?? lapjv(C.data, n)).x.length;
}

export default defineBenchmarks(pairs.flatMap((pair) => [256, 512, 1024].flatMap((n) => [{
  name: `${pair} n=${n}`,
  setup: (): CostMatrix => draw(pair, n),
  run: (C: CostMatrix) => solveAssignment(C),
  // the first benchmark of a process otherwise times V8's compilation of the simplex
  warmup: n <= 256 ? 40 : 5,
  repeats: n >= 1024 ? 5 : 7,
  metrics: (C: CostMatrix) => ({ cost: solveAssignment(C).cost }),
  anchor: {
    workload: "assignment", args: ["--pair", pair, "--n", String(n), "--repeats", n >= 1024 ? "5" : "7"],
    label: "POT ot.emd",
    ms: (json: Record<string, unknown>) => json.emd_ms as number,
  },
}, ...(pair === "normal-normal" || process.env.FM_BENCH_PREVIOUS ? [{
  name: `${pair} n=${n} sparse-lapjv (previous default)`,
  setup: (): CostMatrix => draw(pair, n),
  run: previous,
  repeats: n >= 1024 ? 5 : 7,
}] : [])])));

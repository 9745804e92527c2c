import { defineBenchmarks } from "./harness.js";
import { solveAssignment } from "../src/couplings/assignment.js";
import { pairwiseCost, type CostMatrix } from "../src/couplings/cost.js";
import { Random } from "../src/random/random.js";

/* WORKLOADS.md "assignment": squared Euclidean costs between n standard normal 2-D points each. */
export default defineBenchmarks([256, 512, 1024].map((n) => ({
  name: `assignment n=${n}`,
  setup: (): CostMatrix => {
    const rng = new Random(0);
    return pairwiseCost(rng.normalBatch(n, 2), rng.normalBatch(n, 2));
  },
  run: (C: CostMatrix) => solveAssignment(C),
  repeats: n >= 1024 ? 5 : 7,
  metrics: (C: CostMatrix) => ({ cost: solveAssignment(C).cost }),
  anchor: {
    workload: "assignment", args: ["--n", String(n)], label: "scipy linear_sum_assignment",
    ms: (json: Record<string, unknown>) => json.linear_sum_assignment_ms as number,
  },
})));

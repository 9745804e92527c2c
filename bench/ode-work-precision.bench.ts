/*
 * The dop853/dopri5 work-precision table of docs/solvers.md: Hairer's Arenstorf orbit,
 * Pleiades and rigid body and a flow-matching Gaussian-mixture field, rtol = atol = 1e-4 ...
 * 1e-12; our solvers with the default step control and with the defaults of 0.1 against
 * SciPy's DOP853 / RK45 (fixture test/solvers/fixtures/work-precision-scipy.json, made by
 * scripts/ode-work-precision.py). Prints, per problem and tolerance, evaluations / end-point
 * error, and each setting's evaluations relative to SciPy's at equal error (geometric mean).
 * Counts and errors are deterministic; the timed part is the whole sweep of one setting.
 */
import { defineBenchmarks } from "./harness.js";
import type { StepController } from "../src/solvers/integrate.js";
import {
  geometricMean, problems, ratiosAtEqualError, scipyFixture, scipyMethod, solvePoint, type WorkPrecisionPoint,
} from "../test/solvers/work-precision-problems.js";

type Method = "dop853" | "dopri5";
const OLD: Record<Method, StepController> = {
  dop853: { beta: 0.04, safety: 0.9, minFactor: 0.333, maxFactor: 6 },
  dopri5: { beta: 0, safety: 0.9, minFactor: 0.2, maxFactor: 10 },
};
const tolerances = scipyFixture.tolerances;
const sweep = (method: Method, controller?: StepController): WorkPrecisionPoint[][] =>
  problems.map((p) => tolerances.map((tol) => solvePoint(p, method, tol, controller)));

function table(method: Method): Record<string, string | number> {
  const now = sweep(method), before = sweep(method, OLD[method]);
  const cell = (q: WorkPrecisionPoint): string => `${q.nfe} / ${q.error.toExponential(1)}`;
  const lines = [`| problem | setting | ${tolerances.map((t) => t.toExponential(0)).join(" | ")} | vs SciPy at equal error |`, `|---|---|${tolerances.map(() => "---").join("|")}|---|`];
  const metrics: Record<string, string | number> = {};
  problems.forEach((p, k) => {
    const scipy = scipyFixture.problems[p.name]![scipyMethod[method]];
    const rNow = geometricMean(ratiosAtEqualError(now[k]!, scipy)), rBefore = geometricMean(ratiosAtEqualError(before[k]!, scipy));
    lines.push(`| ${p.name} | ${method} (defaults) | ${now[k]!.map(cell).join(" | ")} | ${rNow.toFixed(3)} |`);
    lines.push(`| ${p.name} | ${method} (0.1 defaults) | ${before[k]!.map(cell).join(" | ")} | ${rBefore.toFixed(3)} |`);
    lines.push(`| ${p.name} | SciPy ${scipyMethod[method]} ${scipyFixture.scipy} | ${scipy.map(cell).join(" | ")} | 1 |`);
    metrics[p.name] = Number(rNow.toFixed(3));
  });
  console.log(`\n${method}: evaluations / end-point error (Euclidean) at rtol = atol; last column: evaluations relative to SciPy's at equal error (< 1 = fewer)\n${lines.join("\n")}\n`);
  return metrics;
}

export default defineBenchmarks((["dop853", "dopri5"] as Method[]).map((method) => ({
  name: `work-precision ${method} (4 problems x 9 tolerances)`,
  repeats: 3,
  warmup: 1,
  run: () => sweep(method),
  metrics: () => table(method),
})));

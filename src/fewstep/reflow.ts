import type { Batch } from "../core/batch.js";
import { gatherRows } from "../core/batch.js";
import { checkCount, checkFunction, checkInteger, checkMethods, checkOptions } from "../core/check.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Distribution, ProbabilityPath, VelocityField } from "../core/interfaces.js";
import { pairedCoupling } from "../couplings/paired.js";
import { affinePath } from "../paths/affine.js";
import { condOT } from "../schedulers/builtin.js";
import type { IntegrateOptions } from "../solvers/integrate.js";
import { sample } from "../solvers/sample.js";
import type { FitHistory, FitOptions, TrainableField } from "./fit.js";
import { checkDistribution, fit, nextModel, planFit, regressField } from "./fit.js";
import { straightness } from "./straightness.js";

/** Options of {@link reflow}. @category Few-step generation */
export interface ReflowOptions extends FitOptions {
  /** The trained flow of round 0 (for example an `Mlp` fitted by `train`). */
  field: VelocityField;
  /** Source distribution p0 of the pairs. */
  source: Distribution;
  /** Number of reflow rounds k >= 1. */
  rounds: number;
  /** Pairs (x0, x1 = ODE(x0)) generated per round (default 4096). */
  pairs?: number;
  /** Solver that generates the pairs and measures straightness (default dopri5, rtol = atol = 1e-5). */
  solver?: IntegrateOptions;
  /** Path the new field is trained on (default `affinePath(condOT())`, the straight interpolation). */
  path?: ProbabilityPath;
  /** The model of round k, trained in place (default: a copy of the previous field when it is an `Mlp`, as in Liu et al. 2022). */
  model?: (round: number, previous: VelocityField) => TrainableField;
  /** Replaces training: returns the field of round k fitted to the pairs (for an exact regression, for example). */
  fitPairs?: (x0: Batch, x1: Batch, round: number) => VelocityField;
  /** Source points drawn once to measure straightness and path energy of every round (default 512). */
  measureSamples?: number;
}

/** One round of {@link reflow} (round 0 is the given field). @category Few-step generation */
export interface ReflowRound {
  /** 0 for the given field, k for the k-th rectified field. */
  round: number;
  /** The field of this round. */
  field: VelocityField;
  /** Mean straightness of this field (see {@link straightness}). */
  straightness: number;
  /** Mean path energy of this field. */
  pathEnergy: number;
  /** Training record (absent for round 0 and with `fitPairs`). */
  history?: FitHistory;
  /** Milliseconds spent generating this round's pairs and fitting (0 for round 0). */
  elapsedMs: number;
}

/**
 * Reflow (rectified flow, Liu et al. 2022, Algorithm 1), k times: draw x0 ~ p0, solve
 * x1 = ODE_{field}(x0), and fit a new field to the paired coupling (x0, x1) by flow matching on
 * the straight interpolation (`pairedCoupling`: x_t = (1 - t) x0 + t x1, target x1 - x0);
 * the new field's flow has the same marginals and a straighter, non-crossing transport, so
 * fewer solver steps suffice. Every round reports the straightness and path energy
 * measured from the same source points.
 *
 * @param options - see {@link ReflowOptions}
 * @returns rounds 0..k, each with its field, straightness, path energy and time
 * @throws {@link DomainError} or {@link ShapeError} for invalid options (among them a source or path without its methods,
 *   a solver that is not an options object, fitPairs, model, learningRate or onStep that is not a function); the errors
 *   of `sample` and of training
 * @example
 * ```ts
 * const base = mlp({ dim: 2, hidden: [16], seed: 0 });
 * reflow({ field: base, source: standardNormal(2), rounds: 1, pairs: 64, steps: 5, batchSize: 16, rng: new Random(0) }).length // => 2
 * ```
 * @category Few-step generation
 */
export function reflow(options: ReflowOptions): ReflowRound[] {
  const fn = "reflow";
  const plan = planFit(fn, options);
  const o = options;
  if (!o.field || typeof o.field.evaluate !== "function") throw new DomainError(fn, "options.field", "be a velocity field", describeValue(o.field));
  const dim = o.field.dim;
  checkDistribution(fn, "options.source", o.source, dim, "the field");
  const rounds = checkInteger(fn, "options.rounds", o.rounds, 1);
  const count = checkCount(fn, "options.pairs", o.pairs ?? 4096, 1);
  const measured = checkCount(fn, "options.measureSamples", o.measureSamples ?? 512, 1);
  const solver: IntegrateOptions = { method: "dopri5", rtol: 1e-5, atol: 1e-5, ...checkOptions<IntegrateOptions>(fn, "options.solver", o.solver) };
  const path = o.path ?? affinePath(condOT());
  checkMethods(fn, "options.path", path, ["sample"], "a probability path");
  if (o.fitPairs !== undefined) checkFunction(fn, "options.fitPairs", o.fitPairs);
  if (o.model !== undefined) checkFunction(fn, "options.model", o.model);
  const rng = plan.rng;
  const probe = o.source.sample(measured, rng);
  const measure = (field: VelocityField) => straightness(field, probe, solver);
  const first = measure(o.field);
  const out: ReflowRound[] = [{ round: 0, field: o.field, straightness: first.straightness, pathEnergy: first.pathEnergy, elapsedMs: 0 }];
  let previous: VelocityField = o.field;
  for (let k = 1; k <= rounds; k++) {
    const start = performance.now();
    const x0 = o.source.sample(count, rng);
    const x1 = sample(previous, x0, solver).y;
    let field: VelocityField;
    let history: FitHistory | undefined;
    if (o.fitPairs !== undefined) {
      field = o.fitPairs(x0, x1, k);
      if (!field || typeof field.evaluate !== "function" || field.dim !== dim) throw new DomainError(fn, "options.fitPairs", `return a velocity field of dim ${dim}`, describeValue(field));
    } else {
      const model = nextModel(fn, "options.model", o.model, k, previous);
      const coupling = pairedCoupling();
      history = fit(fn, model, plan, () => {
        const rows = new Int32Array(plan.batchSize);
        for (let i = 0; i < rows.length; i++) rows[i] = rng.int(count);
        const pair = coupling.pair(gatherRows(x0, rows), gatherRows(x1, rows), rng);
        const at = path.sample(pair.x0, pair.x1, rng.fillUniform(new Float64Array(plan.batchSize)), rng);
        return regressField(model, at.xt, at.t, at.dxt);
      });
      field = model;
    }
    const elapsedMs = performance.now() - start;
    const m = measure(field);
    out.push({ round: k, field, straightness: m.straightness, pathEnergy: m.pathEnergy, ...(history ? { history } : {}), elapsedMs });
    previous = field;
  }
  return out;
}

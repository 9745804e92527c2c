import { asBatch, fromData, type Batch } from "../core/batch.js";
import { checkFiniteArray, checkInRange } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeShape, describeValue } from "../core/format.js";
import type { Distribution } from "../core/interfaces.js";
import { pairWithConditions } from "../couplings/pair-conditions.js";
import type { Random } from "../random/random.js";
import type { ConditionedDistribution, LabelledDistribution, TrainableModel, TrainOptions } from "./train-options.js";

/** One step's coupled batch and the condition of each pair (labels, a condition batch, or none). */
export interface DrawnBatch {
  x0: Batch;
  x1: Batch;
  condition: Int32Array | Batch | undefined;
}

/**
 * The batch drawer of a training run: checks once that the target's kind (plain, labelled,
 * conditioned) fits the model's (`classes`, `conditionDim`), then each step draws x0 ~ p0,
 * (x1, condition) ~ target, pairs them with the coupling (the conditions riding with their
 * rows; the source rows get the target's conditions, so a condition-aware coupling pairs
 * within labels or near conditions) and drops conditions to the null one with the dropout rate.
 * For labels the draws, their order and the label moves are those of the label-only loop.
 */
export function batchDrawer(
  fn: string, o: Pick<TrainOptions, "source" | "target" | "coupling" | "labelDropout" | "conditionDropout" | "nullCondition">,
  model: Pick<TrainableModel, "classes" | "conditionDim">,
): (batchSize: number, rng: Random) => DrawnBatch {
  const { source, target } = o;
  const labelled = "sampleWithLabels" in target;
  const conditioned = !labelled && "sampleWithConditions" in target;
  const classes = model.classes ?? 0;
  const conditionDim = model.conditionDim ?? 0;
  if (o.labelDropout !== undefined && o.conditionDropout !== undefined && o.labelDropout !== o.conditionDropout) {
    throw new DomainError(fn, "options.conditionDropout", "equal options.labelDropout when both are given (labelDropout is its older name)", `${o.conditionDropout} and ${o.labelDropout}`);
  }
  const dropout = checkInRange(fn, o.conditionDropout !== undefined ? "options.conditionDropout" : "options.labelDropout", o.conditionDropout ?? o.labelDropout ?? 0, 0, 1);
  if (labelled && classes === 0) throw new DomainError(fn, "options.model", "be conditional (classes > 0) for a labelled target", "classes = 0");
  if (conditioned && conditionDim === 0) throw new DomainError(fn, "options.model", "take a continuous condition (conditionDim > 0) for a conditioned target", "conditionDim = 0");
  if (!conditioned && conditionDim > 0) {
    throw new DomainError(fn, "options.target", `be a conditioned distribution (sampleWithConditions) for a model with conditionDim ${conditionDim}`, labelled ? "a labelled target" : "an unconditioned target");
  }
  let nullRow = new Float64Array(0);
  if (conditioned) {
    const width = (target as ConditionedDistribution).conditionDim;
    if (width !== conditionDim) throw new ShapeError(fn, "options.target.conditionDim", `be the model's conditionDim ${conditionDim}`, describeValue(width));
    nullRow = o.nullCondition === undefined ? new Float64Array(conditionDim) : Float64Array.from(checkFiniteArray(fn, "options.nullCondition", o.nullCondition));
    if (nullRow.length !== conditionDim) throw new ShapeError(fn, "options.nullCondition", `have conditionDim = ${conditionDim} entries`, String(nullRow.length));
  } else if (o.nullCondition !== undefined) {
    throw new DomainError(fn, "options.nullCondition", "be absent without a conditioned target (labels drop to the null label)", describeValue(o.nullCondition));
  }

  const dim = source.dim;
  /** A distribution's draw: an [n, dim] batch (the path checks its numbers). */
  const drawn = (call: string, x: unknown, n: number): Batch => asBatch(fn, call, x, { dim, rows: n, finite: false });
  /** A coupling's result: an object whose x0 and x1 are [m, dim] batches. */
  const coupled = (r: { x0: Batch; x1: Batch } | undefined): { x0: Batch; x1: Batch } => {
    if (r === null || typeof r !== "object") throw new DomainError(fn, "options.coupling.pair(x0, x1, rng)", "return { x0, x1, indices0, indices1 }", describeValue(r));
    asBatch(fn, "options.coupling.pair(x0, x1, rng).x0", r.x0, { dim, finite: false });
    asBatch(fn, "options.coupling.pair(x0, x1, rng).x1", r.x1, { dim, finite: false });
    return r;
  };

  return (batchSize, rng) => {
    const x0 = drawn("options.source.sample(n, rng)", source.sample(batchSize, rng), batchSize);
    if (labelled) {
      const s = (target as LabelledDistribution).sampleWithLabels(batchSize, rng);
      if (s === null || typeof s !== "object") throw new DomainError(fn, "options.target.sampleWithLabels(n, rng)", "return { x, labels }", describeValue(s));
      drawn("options.target.sampleWithLabels(n, rng).x", s.x, batchSize);
      let labels = s.labels;
      let pair = { x0, x1: s.x };
      if (o.coupling) {
        const r = pairWithConditions(o.coupling, x0, s.x, rng, { labels0: labels, labels1: labels });
        pair = coupled(r);
        labels = r.labels1 as Int32Array;
      }
      if (dropout > 0) {
        // the target's own array (it may keep and reuse it) is not ours to overwrite
        labels = copyLabels(fn, labels);
        for (let i = 0; i < labels.length; i++) if (rng.uniform() < dropout) labels[i] = classes;
      }
      return { ...pair, condition: labels };
    }
    if (conditioned) {
      const s = (target as ConditionedDistribution).sampleWithConditions(batchSize, rng);
      const rows = asBatch(fn, "options.target.sampleWithConditions(n, rng).x", s?.x, { dim, finite: false }).shape[0] as number;
      const c = asBatch(fn, "options.target.sampleWithConditions(n, rng).condition", s.condition, { dim: conditionDim, finite: false });
      if (c.shape[0] !== rows) {
        throw new ShapeError(fn, "options.target.sampleWithConditions(n, rng).condition", `have one row per sample (${rows} rows)`, describeShape(c.shape));
      }
      checkFiniteArray(fn, "options.target.sampleWithConditions(n, rng).condition", c.data);
      let pair = { x0, x1: s.x };
      let condition: Batch;
      if (o.coupling) {
        const r = pairWithConditions(o.coupling, x0, s.x, rng, { c0: c, c1: c });
        pair = coupled(r);
        condition = r.c1 as Batch;
      } else condition = fromData(Float64Array.from(c.data), [rows, conditionDim]);
      if (dropout > 0) {
        const m = condition.shape[0] as number;
        for (let i = 0; i < m; i++) if (rng.uniform() < dropout) condition.data.set(nullRow, i * conditionDim);
      }
      return { ...pair, condition };
    }
    const x1 = drawn("options.target.sample(n, rng)", (target as Distribution).sample(batchSize, rng), batchSize);
    if (!o.coupling) return { x0, x1, condition: undefined };
    const r = coupled(o.coupling.pair(x0, x1, rng));
    return { x0: r.x0, x1: r.x1, condition: undefined };
  };
}

/** A copy of a batch's labels that dropout may overwrite (an Int32Array stays one; other arrays keep their values as they are, for the model to check). */
function copyLabels(fn: string, labels: ArrayLike<number>): Int32Array {
  if (labels === null || typeof labels !== "object" || typeof labels.length !== "number") {
    throw new DomainError(fn, "options.target.sampleWithLabels(n, rng).labels", "be an array of integer labels", describeValue(labels));
  }
  return (labels instanceof Int32Array ? labels.slice() : Array.from(labels)) as Int32Array;
}

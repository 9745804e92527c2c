import ndarray, { type NdArray } from "ndarray";
import { asBatch } from "../core/batch.js";
import { checkBoolean, checkInteger, MAX_ELEMENTS, checkRandom, checkOptions } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import type { Random } from "../random/random.js";
import type { SparsePlan } from "./emd.js";

/**
 * Options of {@link samplePlan}.
 *
 * @category Couplings
 */
export interface SamplePlanOptions {
  /**
   * Draw with replacement (default true): the pairs are then independent draws from the
   * plan, so an average over them is an unbiased estimate of the expectation under the plan
   * (what the conditional flow matching loss needs); this is also torchcfm's default.
   * Without replacement, the pairs are distinct cells (i, j) drawn successively with
   * probability proportional to P_ij (Efraimidis–Spirakis keys), which lowers repetition at
   * the price of dependence between pairs.
   */
  replace?: boolean;
}

/**
 * Draws `count` index pairs (i, j) with probability `P_ij / sum P` from a transport plan.
 *
 * @param plan - non-negative plan, dense of shape [n, m] or a {@link SparsePlan}, positive total
 * @param count - number of pairs (without replacement at most the number of positive cells)
 * @param rng - seeded generator
 * @param options - with or without replacement
 * @returns `indices0[k] = i` and `indices1[k] = j` of the k-th pair
 * @throws {@link DomainError} for negative entries, a zero plan or too many pairs without replacement
 * @example
 * ```ts
 * const { indices0, indices1 } = samplePlan(fromRows([[0, 0.5], [0.5, 0]]), 4, new Random(1));
 * Array.from(indices0).map((i, k) => i + indices1[k]) // => [1, 1, 1, 1]
 * ```
 * @category Couplings
 */
export function samplePlan(plan: NdArray<Float64Array> | SparsePlan, count: number, rng: Random, options: SamplePlanOptions = {}):
  { indices0: Int32Array; indices1: Int32Array } {
  const fn = "samplePlan";
  options = checkOptions(fn, "options", options);
  checkInteger(fn, "count", count, 0, MAX_ELEMENTS);
  checkRandom(fn, "rng", rng);
  const replace = checkBoolean(fn, "options.replace", options.replace, true);
  if (isSparse(plan)) {
    checkSparse(fn, plan);
    // draw cells of the sparse plan, then map them to (row, column)
    const cells = samplePlan(ndarray(plan.values, [1, plan.values.length]), count, rng, options).indices1;
    const indices0 = new Int32Array(count), indices1 = new Int32Array(count);
    for (let k = 0; k < count; k++) {
      const c = cells[k] as number;
      indices0[k] = plan.rows[c] as number;
      indices1[k] = plan.columns[c] as number;
    }
    return { indices0, indices1 };
  }
  const p = asBatch(fn, "plan", plan);
  const m = p.shape[1] as number;
  const data = p.data;
  let positive = 0;
  for (let k = 0; k < data.length; k++) {
    const x = data[k] as number;
    if (x < 0) throw new DomainError(fn, `plan[${Math.floor(k / m)}, ${k % m}]`, "be >= 0", String(x));
    if (x > 0) positive++;
  }
  if (positive === 0) throw new DomainError(fn, "plan", "have a positive total", "0");
  const indices0 = new Int32Array(count), indices1 = new Int32Array(count);
  if (replace) {
    const cells = rng.categoricalMany(data, count);
    for (let k = 0; k < count; k++) {
      const c = cells[k] as number;
      indices0[k] = Math.floor(c / m);
      indices1[k] = c % m;
    }
    return { indices0, indices1 };
  }
  if (count > positive) throw new DomainError(fn, "count", `be <= ${positive} (positive cells) without replacement`, String(count));
  // Efraimidis–Spirakis: the count largest keys ln(U)/w_k are a weighted draw without replacement
  const keys = new Float64Array(positive), cellOf = new Int32Array(positive);
  let t = 0;
  for (let k = 0; k < data.length; k++) {
    const w = data[k] as number;
    if (w > 0) { keys[t] = Math.log(rng.uniform()) / w; cellOf[t++] = k; }
  }
  const order = Array.from({ length: positive }, (_, k) => k).sort((x, y) => (keys[y] as number) - (keys[x] as number));
  for (let k = 0; k < count; k++) {
    const c = cellOf[order[k] as number] as number;
    indices0[k] = Math.floor(c / m);
    indices1[k] = c % m;
  }
  return { indices0, indices1 };
}

/** The sparse plan's cells: equal lengths, indices within [0, n) x [0, m). */
function checkSparse(fn: string, plan: SparsePlan): void {
  const { rows, columns, values, n, m } = plan;
  if (rows.length !== values.length || columns.length !== values.length) {
    throw new ShapeError(fn, "plan", "have rows, columns and values of one length", `${rows.length}, ${columns.length}, ${values.length}`);
  }
  for (let k = 0; k < values.length; k++) {
    const i = rows[k] as number, j = columns[k] as number;
    if (!(i >= 0 && i < n && j >= 0 && j < m)) {
      throw new ShapeError(fn, `plan cell ${k}`, `lie in [0, ${n}) x [0, ${m})`, `(${i}, ${j})`);
    }
  }
}

function isSparse(plan: NdArray<Float64Array> | SparsePlan): plan is SparsePlan {
  return plan !== null && typeof plan === "object" && (plan as SparsePlan).values instanceof Float64Array &&
    (plan as SparsePlan).rows instanceof Int32Array && (plan as SparsePlan).columns instanceof Int32Array;
}

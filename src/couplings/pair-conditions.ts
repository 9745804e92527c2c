import { asBatch, gatherRows, type Batch } from "../core/batch.js";
import { checkFinite, checkFiniteArray, checkMethods } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeShape, describeValue } from "../core/format.js";
import type { CoupledBatch, Coupling, PairConditions } from "../core/interfaces.js";
import type { Random } from "../random/random.js";

/**
 * Pairs two batches with any {@link Coupling} and moves each row's condition with it: output
 * row i of x0 carries the condition of input row `indices0[i]`, output row i of x1 that of
 * `indices1[i]` (`labels0`/`labels1`, or `c0`/`c1` of shape [n, c]). The coupling receives the
 * conditions too, so a condition-aware one ({@link conditionalOTCoupling}) pairs by them; for the
 * others the conditions just ride along. The training loop conditions pair i on the data side's
 * condition (`labels1[i]` or row i of `c1`).
 *
 * @param coupling - any coupling
 * @param x0 - source rows [n, d]
 * @param x1 - data rows [n, d]
 * @param rng - generator passed to the coupling
 * @param conditions - `{ labels0, labels1 }` (integers >= 0, one per row) or `{ c0, c1 }` (finite batches with one row per row and the same width)
 * @returns the coupling's result with the conditions of its rows
 * @throws {@link ShapeError} for conditions whose row count differs from their batch's, or c0 and c1 of different widths;
 *   {@link DomainError} for labels that are not integers >= 0, a malformed `conditions` or out-of-range indices from the coupling;
 *   {@link NonFiniteError} for NaN/Inf conditions; the coupling's own errors
 * @example
 * ```ts
 * const r = pairWithConditions(exactOTCoupling(), fromRows([[0], [10]]), fromRows([[11], [1]]), new Random(1), { labels0: [0, 0], labels1: [7, 3] });
 * r.labels1 // => Int32Array [3, 7] (x1's rows swapped, and their labels with them)
 * ```
 * @category Couplings
 */
export function pairWithConditions(coupling: Coupling, x0: Batch, x1: Batch, rng: Random, conditions: PairConditions): CoupledBatch {
  const fn = "pairWithConditions";
  checkMethods(fn, "coupling", coupling, ["pair"], "a Coupling");
  const n0 = asBatch(fn, "x0", x0).shape[0] as number;
  const n1 = asBatch(fn, "x1", x1).shape[0] as number;
  const checked = checkPairConditions(fn, conditions, n0, n1);
  const result = coupling.pair(x0, x1, rng, checked);
  const m = checkIndices(fn, "indices0", result?.indices0, n0);
  if (checkIndices(fn, "indices1", result.indices1, n1) !== m) {
    throw new ShapeError(fn, "coupling.pair(...).indices1", `have the length of indices0 (${m})`, String(result.indices1.length));
  }
  const out: CoupledBatch = { x0: result.x0, x1: result.x1, indices0: result.indices0, indices1: result.indices1 };
  if ("labels0" in checked) {
    out.labels0 = gatherLabels(checked.labels0 as Int32Array, result.indices0);
    out.labels1 = gatherLabels(checked.labels1 as Int32Array, result.indices1);
  } else {
    out.c0 = gatherRows(checked.c0, result.indices0);
    out.c1 = gatherRows(checked.c1, result.indices1);
  }
  return out;
}

/**
 * @internal Validated copies of pair conditions: Int32Array labels or contiguous finite condition batches,
 * one entry per row of their side.
 */
export function checkPairConditions(fn: string, conditions: PairConditions, n0: number, n1: number): PairConditions {
  if (conditions === null || typeof conditions !== "object") throw new DomainError(fn, "conditions", "be { labels0, labels1 } or { c0, c1 }", describeValue(conditions));
  if ("labels0" in conditions && "labels1" in conditions) {
    return { labels0: checkLabels(fn, "conditions.labels0", conditions.labels0, n0), labels1: checkLabels(fn, "conditions.labels1", conditions.labels1, n1) };
  }
  if (!("c0" in conditions) || !("c1" in conditions)) throw new DomainError(fn, "conditions", "be { labels0, labels1 } or { c0, c1 }", describeValue(conditions));
  const c0 = checkRows(fn, "conditions.c0", conditions.c0, n0);
  const c1 = checkRows(fn, "conditions.c1", conditions.c1, n1);
  if (c0.shape[1] !== c1.shape[1]) throw new ShapeError(fn, "conditions.c1", `have ${c0.shape[1]} columns like conditions.c0`, describeShape(c1.shape));
  return { c0, c1 };
}

function checkLabels(fn: string, argument: string, labels: ArrayLike<number>, n: number): Int32Array {
  if (labels === null || typeof labels !== "object" || typeof labels.length !== "number") throw new DomainError(fn, argument, "be an array of integer labels", describeValue(labels));
  if (labels.length !== n) throw new ShapeError(fn, argument, `have one label per row (${n})`, `length ${labels.length}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = checkFinite(fn, `${argument}[${i}]`, labels[i]);
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new DomainError(fn, `${argument}[${i}]`, "be an integer >= 0", describeValue(v));
    out[i] = v;
  }
  return out;
}

function checkRows(fn: string, argument: string, c: Batch, n: number): Batch {
  const cb = asBatch(fn, argument, c, { finite: false });
  if (cb.shape[0] !== n) throw new ShapeError(fn, argument, `have one row per row of its batch (${n} rows)`, describeShape(cb.shape));
  checkFiniteArray(fn, argument, cb.data);
  return cb;
}

function checkIndices(fn: string, name: string, indices: unknown, n: number): number {
  if (!(indices instanceof Int32Array)) throw new DomainError(fn, `coupling.pair(...).${name}`, "be an Int32Array", describeValue(indices));
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i] as number;
    if (k < 0 || k >= n) throw new DomainError(fn, `coupling.pair(...).${name}[${i}]`, `be a row index in [0, ${n})`, String(k));
  }
  return indices.length;
}

function gatherLabels(labels: Int32Array, indices: Int32Array): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < out.length; i++) out[i] = labels[indices[i] as number] as number;
  return out;
}

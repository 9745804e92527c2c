import ndarray from "ndarray";
import { asBatch, gatherRows, type Batch } from "../core/batch.js";
import { checkNonNegative, checkOptions } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { CoupledBatch, PairConditions } from "../core/interfaces.js";
import type { Random } from "../random/random.js";
import { solveAssignment } from "./assignment.js";
import { pairwiseCost } from "./cost.js";
import { checkPair } from "./independent.js";
import { checkPairConditions } from "./pair-conditions.js";

/**
 * The pairs of a {@link ConditionalCoupling}, with the conditions moved with their rows:
 * `labels[i]` is the (common) label of pair i, or `c0`/`c1` are the conditions of x0 and x1
 * in the order of the pairs.
 *
 * @category Couplings
 */
export interface ConditionalCoupledBatch extends CoupledBatch {
  /** With labels: the label of each pair (equal on both sides). */
  labels?: Int32Array;
  /** With continuous conditions: the condition of each pair's x0, shape [n, c]. */
  c0?: Batch;
  /** With continuous conditions: the condition of each pair's x1, shape [n, c]. */
  c1?: Batch;
}

/**
 * A minibatch coupling that pairs rows with regard to their conditions. {@link conditionalOTCoupling} is one.
 * It is a {@link Coupling} (`pair(x0, x1, rng, conditions)`, so the training loop and
 * {@link pairWithConditions} take it) and also takes the conditions as third argument.
 *
 * @category Couplings
 */
export interface ConditionalCoupling {
  /** Pairs the rows of x0 with rows of x1 given the conditions of both (the generator is unused: the pairing is deterministic). */
  pair(x0: Batch, x1: Batch, rng: Random, conditions?: PairConditions): ConditionalCoupledBatch;
  /** The same, without a generator. */
  pair(x0: Batch, x1: Batch, conditions: PairConditions): ConditionalCoupledBatch;
}

/**
 * Condition-aware minibatch exact OT. With labels, pairs only rows of the same label: for
 * each label the rows of x0 and x1 that carry it are matched by an exact assignment
 * ({@link solveAssignment}) minimising sum ||x0_i - x1_sigma(i)||^2 within the block, so no pair
 * mixes classes (each label must appear equally often on both sides). With continuous
 * conditions, one exact assignment for the cost ||x0_i - x1_j||^2 + lambda ||c0_i - c1_j||^2:
 * lambda = 0 is plain OT, large lambda matches conditions first. x0 keeps its order
 * (`indices0` is the identity); `indices1`, `labels` (with `labels0`, `labels1`), `c0` and `c1` follow the pairs.
 * Without conditions, `pair` throws: a conditional coupling that silently ignored them would
 * mix the classes it is meant to keep apart.
 *
 * @param options - `lambda` >= 0, the weight of the condition cost (default 1; continuous conditions only)
 * @returns a {@link ConditionalCoupling} (deterministic)
 * @throws {@link DomainError} for lambda < 0; (from `pair`) {@link ShapeError} for batches of different shapes,
 *   label or condition arrays with the wrong row count, or labels whose counts differ between the sides;
 *   {@link DomainError} for labels that are not integers >= 0 or missing conditions; {@link NonFiniteError} for NaN/Inf rows or conditions
 * @example
 * ```ts
 * const c = conditionalOTCoupling().pair(fromRows([[0], [10]]), fromRows([[1], [11]]), { labels0: [0, 1], labels1: [1, 0] });
 * c.indices1 // => Int32Array [1, 0] (0 pairs with 11: the only row of label 0)
 * ```
 * @category Couplings
 */
export function conditionalOTCoupling(options: { lambda?: number } = {}): ConditionalCoupling {
  options = checkOptions("conditionalOTCoupling", "options", options);
  const lambda = checkNonNegative("conditionalOTCoupling", "options.lambda", options.lambda ?? 1);
  return {
    pair(x0: Batch, x1: Batch, third: Random | PairConditions, fourth?: PairConditions): ConditionalCoupledBatch {
      const fn = "conditionalOTCoupling.pair";
      const [a, b] = checkPair(fn, x0, x1);
      const n = a.shape[0] as number;
      const given = third !== null && typeof third === "object" && ("labels0" in third || "c0" in third) ? third as PairConditions : fourth;
      if (given === undefined) throw new DomainError(fn, "conditions", "be given ({ labels0, labels1 } or { c0, c1 }): this coupling pairs by conditions", "undefined");
      const conditions = checkPairConditions(fn, given, n, n);
      const indices0 = new Int32Array(n);
      for (let i = 0; i < n; i++) indices0[i] = i;
      if ("labels0" in conditions) {
        const l0 = conditions.labels0 as Int32Array;
        const l1 = conditions.labels1 as Int32Array;
        const indices1 = pairWithinLabels(fn, a, b, l0, l1);
        return { x0: gatherRows(a, indices0), x1: gatherRows(b, indices1), indices0, indices1, labels: l0, labels0: l0, labels1: Int32Array.from(indices1, (j) => l1[j] as number) };
      }
      const { c0, c1 } = conditions;
      const cost = pairwiseCost(a, b);
      if (lambda > 0) {
        const extra = pairwiseCost(c0, c1).data;
        for (let k = 0; k < cost.data.length; k++) cost.data[k] = (cost.data[k] as number) + lambda * (extra[k] as number);
      }
      const indices1 = solveAssignment(cost).rowToColumn;
      return { x0: gatherRows(a, indices0), x1: gatherRows(b, indices1), indices0, indices1, c0: gatherRows(c0, indices0), c1: gatherRows(c1, indices1) };
    },
  };
}

/** For each label, an exact assignment between its rows of a and of b; returns sigma with a_i paired to b_sigma(i). */
function pairWithinLabels(fn: string, a: Batch, b: Batch, l0: Int32Array, l1: Int32Array): Int32Array {
  const n = l0.length;
  const d = a.shape[1] as number;
  const rows0 = groupRows(l0);
  const rows1 = groupRows(l1);
  const indices1 = new Int32Array(n);
  for (const [label, r0] of rows0) {
    const r1 = rows1.get(label) ?? [];
    if (r1.length !== r0.length) {
      throw new ShapeError(fn, "conditions.labels1", `hold label ${label} as often as conditions.labels0 (${r0.length} times)`, `${r1.length} times`);
    }
    const block = solveAssignment(pairwiseCost(gatherBlock(a, r0, d), gatherBlock(b, r1, d))).rowToColumn;
    for (let k = 0; k < r0.length; k++) indices1[r0[k] as number] = r1[block[k] as number] as number;
  }
  for (const [label, r1] of rows1) {
    if (!rows0.has(label)) throw new ShapeError(fn, "conditions.labels1", `hold only labels of conditions.labels0`, `label ${label} ${r1.length} times`);
  }
  return indices1;
}

function groupRows(labels: Int32Array): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i] as number;
    const g = groups.get(l);
    if (g === undefined) groups.set(l, [i]);
    else g.push(i);
  }
  return groups;
}

function gatherBlock(x: Batch, rows: readonly number[], d: number): ndarray.NdArray<Float64Array> {
  const out = new Float64Array(rows.length * d);
  for (let k = 0; k < rows.length; k++) out.set(x.data.subarray((rows[k] as number) * d, ((rows[k] as number) + 1) * d), k * d);
  return ndarray(out, [rows.length, d]);
}

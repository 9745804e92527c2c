import { asBatch, fromData, type Batch } from "../core/batch.js";
import { checkFiniteArray } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeShape, describeValue } from "../core/format.js";
import type { DiscretePosteriorModel } from "./ctmc-sampler.js";
import type { Tokens } from "./tokens.js";
import { asTokens } from "./tokens.js";

/**
 * A posterior model of a discrete path conditioned on a continuous (or embedded) condition:
 * p_{1|t}(y | x_t, c), row i of the condition for sequence i. The discrete counterpart of a
 * conditioned velocity field.
 *
 * @category Discrete
 */
export interface ConditionedPosteriorModel {
  /** Number S of states per position. */
  readonly states: number;
  /** Width c of a condition row. */
  readonly conditionDim: number;
  /** Probabilities over the S states for every (sequence, position), shape [n * positions, S], given each sequence's condition. */
  posteriorConditioned(xt: Tokens, t: number, condition: Batch): Batch;
}

/**
 * Binds one condition row per sequence to a conditioned posterior model, giving a
 * {@link DiscretePosteriorModel} for {@link ctmcSample}: sequence i is always evaluated with
 * row i of `condition` (the sampler keeps its batch whole). The condition is copied.
 *
 * @param model - the conditioned posterior model
 * @param condition - one condition row per sequence, shape [n, model.conditionDim]
 * @returns the model with its conditions bound
 * @throws {@link DomainError} for a model without `posteriorConditioned`; {@link ShapeError} for a condition of the wrong width and (from
 *   the bound model) for an `xt` that is not a batch of tokens or whose row count differs from the condition's; {@link NonFiniteError} for NaN/Inf conditions
 * @example
 * ```ts
 * // every position jumps to the state given by its sequence's condition
 * const m = { states: 3, conditionDim: 1, posteriorConditioned: (x, t, c) => fromRows(Array.from(x.data, (_, k) => [0, 1, 2].map((s) => (s === c.data[Math.floor(k / 2)] ? 1 : 0)))) };
 * ctmcSample(withPosteriorCondition(m, fromRows([[2], [0]])), tokensFromRows([[1, 1], [1, 1]]), { scheduler: condOT(), rng: new Random(0), steps: 4 }).x.data // => Int32Array [2, 2, 0, 0]
 * ```
 * @category Discrete
 */
export function withPosteriorCondition(model: ConditionedPosteriorModel, condition: Batch): DiscretePosteriorModel {
  const fn = "withPosteriorCondition";
  if (model === null || typeof model !== "object" || typeof model.posteriorConditioned !== "function" || !Number.isInteger(model.conditionDim) || model.conditionDim < 1) {
    throw new DomainError(fn, "model", "be a conditioned posterior model (states, conditionDim, posteriorConditioned)", describeValue(model));
  }
  const given = asBatch(fn, "condition", condition, { finite: false });
  if (given.shape[1] !== model.conditionDim) throw new ShapeError(fn, "condition", `have ${model.conditionDim} columns (model.conditionDim)`, describeShape(given.shape));
  checkFiniteArray(fn, "condition", given.data);
  const n = given.shape[0] as number;
  const c = fromData(Float64Array.from(given.data), [n, model.conditionDim]);
  return {
    states: model.states,
    posterior(xt: Tokens, t: number): Batch {
      const rows = asTokens(fn, "xt", xt).shape[0];
      if (rows !== n) throw new ShapeError(fn, "condition", `have one row per sequence of xt (${describeValue(rows)})`, describeShape(c.shape));
      return model.posteriorConditioned(xt, t, c);
    },
  };
}

import ndarray from "ndarray";
import { MAX_ELEMENTS, checkElements, checkInteger, checkRandom } from "../core/check.js";
import type { Random } from "../random/random.js";
import type { Tokens } from "./tokens.js";

/**
 * A source distribution p0 over token sequences that factorises over positions: every
 * position is drawn independently from `probabilities()`.
 *
 * @category Discrete
 */
export interface DiscreteSource {
  /** `"uniform(K)"` or `"mask(K)"`. */
  readonly name: string;
  /** Number K of data tokens. */
  readonly vocabulary: number;
  /** Number of states a position can take: K, or K + 1 with a mask token. */
  readonly states: number;
  /** p0 over the states, one entry per state (length `states`). */
  probabilities(): Float64Array;
  /** `n` sequences of `positions` tokens drawn from p0. */
  sample(n: number, positions: number, rng: Random): Tokens;
}

/**
 * The uniform source over K tokens: p0(y) = 1/K for y in [0, K).
 *
 * @param vocabulary - K, an integer >= 1
 * @returns the source
 * @throws {@link DomainError} when `vocabulary` is not an integer >= 1
 * @example
 * ```ts
 * uniformSource(4).probabilities() // => Float64Array [0.25, 0.25, 0.25, 0.25]
 * ```
 * @category Discrete
 */
export function uniformSource(vocabulary: number): DiscreteSource {
  const K = checkInteger("uniformSource", "vocabulary", vocabulary, 1, MAX_ELEMENTS - 1);
  return {
    name: `uniform(${K})`,
    vocabulary: K,
    states: K,
    probabilities: () => new Float64Array(K).fill(1 / K),
    sample(n: number, positions: number, rng: Random): Tokens {
      checkInteger("uniformSource.sample", "n", n);
      checkInteger("uniformSource.sample", "positions", positions);
      checkElements("uniformSource.sample", "n * positions", n, positions);
      checkRandom("uniformSource.sample", "rng", rng);
      const data = new Int32Array(n * positions);
      for (let k = 0; k < data.length; k++) data[k] = rng.int(K);
      return ndarray(data, [n, positions]);
    },
  };
}

/**
 * The mask source of masked discrete flow matching: every position holds the extra mask
 * token K (state K of K + 1), p0 = delta_K. Models used with it predict over K + 1 states.
 *
 * @param vocabulary - K, the number of data tokens, an integer >= 1
 * @returns the source
 * @throws {@link DomainError} when `vocabulary` is not an integer >= 1
 * @example
 * ```ts
 * maskSource(3).sample(1, 2, new Random(0)).data // => Int32Array [3, 3]
 * ```
 * @category Discrete
 */
export function maskSource(vocabulary: number): DiscreteSource {
  const K = checkInteger("maskSource", "vocabulary", vocabulary, 1, MAX_ELEMENTS - 1);
  return {
    name: `mask(${K})`,
    vocabulary: K,
    states: K + 1,
    probabilities: () => {
      const p = new Float64Array(K + 1);
      p[K] = 1;
      return p;
    },
    sample(n: number, positions: number): Tokens {
      checkInteger("maskSource.sample", "n", n);
      checkInteger("maskSource.sample", "positions", positions);
      checkElements("maskSource.sample", "n * positions", n, positions);
      return ndarray(new Int32Array(n * positions).fill(K), [n, positions]);
    },
  };
}

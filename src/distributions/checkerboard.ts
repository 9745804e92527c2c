import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import { checkInteger, checkPositive, checkDraw, checkOptions } from "../core/check.js";
import { NonFiniteError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { DensityDistribution } from "../core/interfaces.js";
import type { Random } from "../random/random.js";

/** Options of {@link checkerboard}. @category Distributions */
export interface CheckerboardOptions {
  /** Side of one square (default 1): the board covers [-2 side, 2 side)^2. */
  side?: number;
}

/**
 * The checkerboard: uniform on the 8 "black" squares of a 4 x 4 board on
 * [-2s, 2s)^2, the squares [i s, (i+1) s) x [j s, (j+1) s) with i + j even. Its density is
 * 1/(8 s^2) on the support and 0 elsewhere, so `logProb` is -ln(8 s^2) or -Infinity (finite for
 * any side: -ln 8 - 2 ln s where 8 s^2 overflows or underflows).
 *
 * @throws {@link DomainError} for side <= 0; {@link NonFiniteError} for a non-finite side, or a side above
 *   Number.MAX_VALUE / 2 (the board's corner 2 side would overflow)
 * @example
 * ```ts
 * checkerboard().logProb(fromRows([[0.5, 0.5], [0.5, -0.5]])) // => Float64Array [-2.0794415416798357, -Infinity]
 * ```
 * @category Distributions
 */
export function checkerboard(options: CheckerboardOptions = {}): DensityDistribution {
  options = checkOptions("checkerboard", "options", options);
  const side = checkPositive("checkerboard", "side", options.side ?? 1);
  if (!(2 * side <= Number.MAX_VALUE)) {
    throw new NonFiniteError("checkerboard", "side", "be <= Number.MAX_VALUE / 2 so that the board [-2 side, 2 side)^2 is finite", describeValue(side));
  }
  const area = 8 * side * side;
  // 8 s^2 overflows for s > 4.7e153 and loses its bits below 2^-1022: take logs of the factors there
  const logDensity = area <= Number.MAX_VALUE && area >= 2 ** -1022 ? -Math.log(area) : -(Math.log(8) + 2 * Math.log(side));
  return {
    dim: 2,
    sample(n: number, rng: Random): Batch {
      checkDraw("checkerboard.sample", n, 2, rng);
      const data = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        // pick one of the 8 black squares: column c in -2..1, row r of matching parity
        const k = rng.int(8);
        const c = (k >> 1) - 2;
        const r = 2 * (k & 1) - 2 + (((c % 2) + 2) % 2);
        data[2 * i] = (c + rng.uniform()) * side;
        data[2 * i + 1] = (r + rng.uniform()) * side;
      }
      return ndarray(data, [n, 2]);
    },
    logProb(x: Batch): Float64Array {
      const b = asBatch("checkerboard.logProb", "x", x, { dim: 2 });
      const n = b.shape[0] as number;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const c = Math.floor((b.data[2 * i] as number) / side);
        const r = Math.floor((b.data[2 * i + 1] as number) / side);
        const onBoard = c >= -2 && c < 2 && r >= -2 && r < 2;
        out[i] = onBoard && (((c + r) % 2) + 2) % 2 === 0 ? logDensity : -Infinity;
      }
      return out;
    },
  };
}

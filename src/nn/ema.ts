import { checkFiniteArray, checkInRange } from "../core/check.js";
import { NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";

/**
 * Exponential moving average of parameters, shadow <- decay shadow + (1 - decay) theta,
 * as used to sample from flow-matching models with averaged weights.
 *
 * @example
 * ```ts
 * const p = new Float64Array([0]); const ema = new ParameterEma(p, 0.5);
 * p[0] = 2; ema.update(p); ema.shadow[0] // => 1
 * ```
 * @category Neural networks
 */
export class ParameterEma {
  /** The averaged parameters. */
  readonly shadow: Float64Array;
  /** Decay in [0, 1]. */
  readonly decay: number;

  /**
   * @param parameters - the initial parameters (copied)
   * @param decay - weight of the old average, in [0, 1] (default 0.999)
   * @throws {@link DomainError} for a decay outside [0, 1]; {@link NonFiniteError} for a NaN or infinite parameter
   */
  constructor(parameters: Float64Array, decay = 0.999) {
    if (!(parameters instanceof Float64Array)) throw new ShapeError("ParameterEma", "parameters", "be a Float64Array", describeValue(parameters));
    checkFiniteArray("ParameterEma", "parameters", parameters);
    this.decay = checkInRange("ParameterEma", "decay", decay, 0, 1);
    this.shadow = Float64Array.from(parameters);
  }

  /**
   * Moves the average towards `parameters`.
   * @param parameters - the current parameters, same length as the shadow
   * @throws {@link ShapeError} for a length mismatch; {@link NonFiniteError} naming the first NaN or
   *   infinite entry of `parameters` (the shadow keeps its value there; the other entries are averaged)
   */
  update(parameters: Float64Array): void {
    if (!(parameters instanceof Float64Array)) throw new ShapeError("ParameterEma.update", "parameters", "be a Float64Array", describeValue(parameters));
    if (parameters.length !== this.shadow.length) throw new ShapeError("ParameterEma.update", "parameters", `have length ${this.shadow.length}`, String(parameters.length));
    // a NaN or infinite parameter makes the new average non-finite: that entry keeps its old average
    let bad = -1;
    for (let i = average(0, this.shadow, parameters, this.decay); i >= 0; i = average(i + 1, this.shadow, parameters, this.decay)) {
      if (bad < 0) bad = i;
    }
    if (bad >= 0) {
      throw new NonFiniteError("ParameterEma.update", "parameters", "contain only finite numbers",
        `${describeValue(parameters[bad])} at index ${bad}; the shadow keeps its value there, the other entries were averaged`);
    }
  }

  /**
   * Copies the average into `target` (for example a model's `parameters`) and returns it.
   * @param target - destination of the shadow's length
   * @returns `target`
   * @throws {@link ShapeError} for a length mismatch
   */
  copyTo(target: Float64Array): Float64Array {
    if (!(target instanceof Float64Array)) throw new ShapeError("ParameterEma.copyTo", "target", "be a Float64Array", describeValue(target));
    if (target.length !== this.shadow.length) throw new ShapeError("ParameterEma.copyTo", "target", `have length ${this.shadow.length}`, String(target.length));
    target.set(this.shadow);
    return target;
  }
}

/** shadow <- decay shadow + (1 - decay) parameters from entry `start` on, stopping before the first non-finite result: returns its index (that entry untouched), or -1. */
function average(start: number, shadow: Float64Array, parameters: Float64Array, decay: number): number {
  const d = decay;
  for (let i = start; i < parameters.length; i++) {
    const next = d * (shadow[i] as number) + (1 - d) * (parameters[i] as number);
    if (next - next !== 0) return i;
    shadow[i] = next;
  }
  return -1;
}

import { checkInRange } from "../core/check.js";
import { ShapeError } from "../core/errors.js";
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
   * @throws {@link DomainError} for a decay outside [0, 1]
   */
  constructor(parameters: Float64Array, decay = 0.999) {
    if (!(parameters instanceof Float64Array)) throw new ShapeError("ParameterEma", "parameters", "be a Float64Array", describeValue(parameters));
    this.decay = checkInRange("ParameterEma", "decay", decay, 0, 1);
    this.shadow = Float64Array.from(parameters);
  }

  /**
   * Moves the average towards `parameters`.
   * @param parameters - the current parameters, same length as the shadow
   * @throws {@link ShapeError} for a length mismatch
   */
  update(parameters: Float64Array): void {
    if (!(parameters instanceof Float64Array)) throw new ShapeError("ParameterEma.update", "parameters", "be a Float64Array", describeValue(parameters));
    if (parameters.length !== this.shadow.length) throw new ShapeError("ParameterEma.update", "parameters", `have length ${this.shadow.length}`, String(parameters.length));
    const d = this.decay;
    for (let i = 0; i < parameters.length; i++) this.shadow[i] = d * (this.shadow[i] as number) + (1 - d) * (parameters[i] as number);
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

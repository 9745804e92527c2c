import { FlowMatchingError } from "../core/errors.js";
import { describeValue } from "../core/format.js";

/**
 * Thrown by every check of `flow-matching/testing` when a property fails. The message
 * names the violated condition first, then the counterexample, so it reads well in any runner:
 * `derivative dAlpha = d alpha_t / dt violated by scheduler "mine": at t = 0.5, dAlpha = 2 but the central difference is 1`.
 *
 * @example
 * ```ts
 * try { checkBoundaries(brokenScheduler) } catch (e) { (e as PropertyCheckError).condition } // => "boundary alpha_0 = 0"
 * ```
 * It is a {@link FlowMatchingError} with code `"PROPERTY_VIOLATED"`, `fn` the subject checked
 * and `argument` the violated condition, so one `instanceof FlowMatchingError` catches every
 * error of the library.
 * @category Testing
 */
export class PropertyCheckError extends FlowMatchingError {
  /** The violated condition, for example `"boundary sigma_1 = 0"`. */
  readonly condition: string;
  /** The input that violated it (time, batch, ...), or undefined. */
  readonly counterexample: unknown;

  /**
   * @param condition - the violated condition
   * @param subject - what was checked, for example `scheduler "condOT"`
   * @param detail - the counterexample in words
   * @param counterexample - the failing input
   */
  constructor(condition: string, subject: string, detail: string, counterexample?: unknown) {
    super("PROPERTY_VIOLATED", subject, condition, "hold", detail);
    this.message = `${this.argument} violated by ${this.fn}: ${typeof detail === "string" ? detail : describeValue(detail)}`;
    this.condition = this.argument;
    this.counterexample = counterexample;
  }
}

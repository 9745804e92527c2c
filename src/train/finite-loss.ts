import { NonFiniteError } from "../core/errors.js";

/**
 * Runs a training step's forward pass or loss computation; a NonFiniteError from inside it (a model
 * whose layers overflow, finite predictions so large that the divergence overflows, or a model fed
 * the non-finite outputs of huge parameters: a diverging run or unscaled data) is reported as the
 * training loop's `fn`, naming `what` and the step, with the hint. The loops update parameters only
 * after the loss and gradient, so the model still holds its last finite parameters. Not exported from
 * the package. @internal
 */
export function finiteLoss<T>(fn: string, what: string, step: number, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (!(error instanceof NonFiniteError)) throw error;
    throw new NonFiniteError(fn, what, `be finite at step ${step} (the run diverged: lower the learning rate, or rescale the data)`,
      `${error.message}; the model keeps its last finite parameters`);
  }
}

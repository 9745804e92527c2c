import { checkFinite, checkFunction, checkInteger, checkNonNegative, checkPositive } from "../core/check.js";

/**
 * A learning-rate schedule: the rate at step k = 0, 1, 2, ...
 *
 * @category Neural networks
 */
export type LearningRateSchedule = (step: number) => number;

/**
 * The constant schedule lr_k = lr.
 *
 * @param lr - the rate (> 0)
 * @returns the schedule
 * @throws {@link DomainError} for a non-positive rate
 * @example
 * ```ts
 * constantSchedule(1e-3)(100) // => 0.001
 * ```
 * @category Neural networks
 */
export function constantSchedule(lr: number): LearningRateSchedule {
  checkPositive("constantSchedule", "lr", lr);
  return (k) => {
    checkFinite("constantSchedule", "step", k);
    return lr;
  };
}

/**
 * Cosine decay (Loshchilov & Hutter 2017, without restarts):
 * lr_k = minLr + (lr - minLr) (1 + cos(pi min(k, steps) / steps)) / 2.
 *
 * @param lr - the initial rate (> 0)
 * @param steps - the number of steps over which it decays (>= 1); later steps stay at minLr
 * @param minLr - the final rate (default 0)
 * @returns the schedule
 * @throws {@link DomainError} for invalid arguments
 * @example
 * ```ts
 * cosineSchedule(1, 100)(50) // => 0.5 (approximately)
 * ```
 * @category Neural networks
 */
export function cosineSchedule(lr: number, steps: number, minLr = 0): LearningRateSchedule {
  checkPositive("cosineSchedule", "lr", lr);
  checkInteger("cosineSchedule", "steps", steps, 1);
  checkNonNegative("cosineSchedule", "minLr", minLr);
  return (k) => {
    checkFinite("cosineSchedule", "step", k);
    return minLr + ((lr - minLr) * (1 + Math.cos((Math.PI * Math.min(Math.max(k, 0), steps)) / steps))) / 2;
  };
}

/**
 * Linear warm-up in front of another schedule: lr_k = inner(k) (k + 1) / warmupSteps for
 * k < warmupSteps, then inner(k).
 *
 * @param inner - the schedule after warm-up
 * @param warmupSteps - number of warm-up steps (>= 0)
 * @returns the schedule
 * @throws {@link DomainError} for an `inner` that is not a function, or a negative or non-integer warmupSteps
 * @example
 * ```ts
 * warmupSchedule(constantSchedule(1), 4)(1) // => 0.5
 * ```
 * @category Neural networks
 */
export function warmupSchedule(inner: LearningRateSchedule, warmupSteps: number): LearningRateSchedule {
  checkFunction("warmupSchedule", "inner", inner);
  checkInteger("warmupSchedule", "warmupSteps", warmupSteps, 0);
  return (k) => (checkFinite("warmupSchedule", "step", k) < warmupSteps ? (inner(k) * (k + 1)) / warmupSteps : inner(k));
}

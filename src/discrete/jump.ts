import { DomainError } from "../core/errors.js";
import type { Scheduler } from "../core/interfaces.js";
import { mixtureKappa } from "./kappa.js";

/** The jump coefficient c = kappa'_t / (1 - kappa_t) with its factors; kappa_t < 1 is checked. @internal */
export interface JumpCoefficient {
  c: number;
  kappa: number;
  dKappa: number;
}

/**
 * c = kappa'_t / (1 - kappa_t) of the mixture path at time t, finite where kappa_t < 1 unless
 * kappa' is absurd (above 2^971). @internal
 */
export function jumpCoefficient(fn: string, scheduler: Scheduler, t: number): JumpCoefficient {
  const { kappa, dKappa } = mixtureKappa(scheduler, t, fn);
  if (kappa === 1) throw new DomainError(fn, "t", "be a time where kappa_t < 1 (the rate kappa'/(1 - kappa) is infinite at kappa = 1)", String(t));
  return { c: dKappa / (1 - kappa), kappa, dKappa };
}

/** kappa' v / (1 - kappa), for where c itself overflowed (finite where c v would be). @internal */
export function scaleBy(jump: JumpCoefficient, v: number): number {
  return (jump.dKappa * v) / (1 - jump.kappa);
}

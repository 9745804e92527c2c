import { ConvergenceError, DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";

/**
 * What a transport solver or coupling reports about its last solve.
 *
 * @category Couplings
 */
export interface TransportStatus {
  /** Whether the stopping rule (optimality for exact solvers) was met within the iteration limit. */
  converged: boolean;
  /** Iterations run: pivots of the network simplex, Sinkhorn iterations (all epsilon stages). */
  iterations: number;
  /** `||P 1 - a||_1 + ||P^T 1 - b||_1` of the returned plan (for unbalanced OT: the deviation from a and b). */
  marginalError: number;
  /** Transport cost `sum_ij P_ij C_ij` of the returned plan, on the caller's (unnormalised) costs. */
  cost: number;
}

/**
 * What to do when a solver stops before its stopping rule holds: `'throw'` a
 * {@link ConvergenceError} carrying the result, `'warn'` once per solve with `console.warn`
 * (torchcfm's behaviour) and use the plan reached, or `'ignore'` and use it silently; the
 * status always says `converged: false`.
 *
 * @category Couplings
 */
export type NonConvergencePolicy = "throw" | "warn" | "ignore";

/** Validates a policy option. @internal */
export function readPolicy(fn: string, value: unknown, fallback: NonConvergencePolicy): NonConvergencePolicy {
  if (value === undefined) return fallback;
  if (value === "throw" || value === "warn" || value === "ignore") return value;
  throw new DomainError(fn, "options.onNonConvergence", "be 'throw', 'warn' or 'ignore'", describeValue(value));
}

/** Applies the policy to a finished solve. @internal */
export function reportConvergence<R extends TransportStatus>(fn: string, policy: NonConvergencePolicy, result: R, what: string): R {
  if (result.converged || policy === "ignore") return result;
  if (policy === "throw") {
    throw new ConvergenceError(fn, "options.maxIterations", `suffice to reach ${what}`,
      `marginal error ${result.marginalError} after ${result.iterations} iterations`, result);
  }
  console.warn(`${fn}(): not converged to ${what} after ${result.iterations} iterations (marginal error ${result.marginalError}); using the plan reached`);
  return result;
}

/**
 * `C / max C` (torchcfm's normalize_cost) when asked, else C; returns the factor applied.
 * @throws {@link DomainError} (naming `fn`'s options.normalizeCost) when a quotient leaves the float64 range (max C tiny against a large negative cost)
 * @internal
 */
export function normalizeCostData(C: Float64Array, normalize: boolean, fn = "normalizeCost"): { data: Float64Array; scale: number } {
  if (!normalize) return { data: C, scale: 1 };
  let max = 0;
  for (let k = 0; k < C.length; k++) max = Math.max(max, C[k] as number);
  if (!(max > 0)) return { data: C, scale: 1 };
  const data = new Float64Array(C.length);
  for (let k = 0; k < C.length; k++) {
    const q = (C[k] as number) / max;
    if (!Number.isFinite(q)) {
      throw new DomainError(fn, "options.normalizeCost", "leave C / max C finite (max C is tiny against a negative cost)",
        `C[${k}] / max C = ${C[k]} / ${max}`);
    }
    data[k] = q;
  }
  return { data, scale: max };
}

import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import type { VelocityField } from "../core/interfaces.js";
import type { IntegrateOptions } from "../solvers/integrate.js";
import type { OdeStatistics } from "../solvers/evaluate.js";
import { pathEnergy } from "../solvers/path-energy.js";

/** Result of {@link straightness}. @category Few-step generation */
export interface StraightnessResult {
  /** Mean over rows of S(x0) = integral_0^1 |(x1 - x0) - u_t(x_t)|^2 dt; 0 for straight trajectories at constant speed. */
  straightness: number;
  /** S(x0) for each row. */
  perRow: Float64Array;
  /** Mean path energy integral_0^1 |u_t(x_t)|^2 dt. */
  pathEnergy: number;
  /** Mean squared displacement |x1 - x0|^2 (the path energy's lower bound). */
  displacement: number;
  /** The end points x1, [n, dim]. */
  x1: Batch;
  /** Counters of the solve. */
  statistics: OdeStatistics;
}

/**
 * The straightness of a flow (Liu et al. 2022, rectified flow, eq. 6):
 * S = E integral_0^1 |(x_1 - x_0) - u_t(x_t)|^2 dt along the trajectories from x_0.
 * Because integral_0^1 u_t(x_t) dt = x_1 - x_0, expanding the square gives
 * S = E [integral_0^1 |u_t(x_t)|^2 dt - |x_1 - x_0|^2]: the path energy minus the squared
 * displacement, computed in one solve by `pathEnergy`. By Cauchy-Schwarz each term is >= 0,
 * with equality exactly when the trajectory is a straight line run at constant speed,
 * which one Euler step then integrates exactly. A slightly negative value is solver error.
 *
 * @param field - the velocity field
 * @param x0 - starting points [n, field.dim] (not modified)
 * @param options - solver options (default dopri5, rtol = atol = 1e-6)
 * @returns the mean and per-row straightness, path energy, displacement and end points
 * @throws the errors of `sample`
 * @example
 * ```ts
 * // u = x: x_t = x0 e^t is straight but accelerates; S = x0^2 ((e^2 - 1)/2 - (e - 1)^2) = 0.24203 x0^2
 * const field = { dim: 1, evaluate: (x: Batch, t: Time, out = zeros(x.shape[0], 1)) => { out.data.set(x.data); return out; } };
 * straightness(field, fromRows([[1]]), { rtol: 1e-10, atol: 1e-10 }).straightness // => 0.2420... (approximately)
 * ```
 * @category Few-step generation
 */
export function straightness(field: VelocityField, x0: Batch, options: IntegrateOptions = {}): StraightnessResult {
  const start = asBatch("straightness", "x0", x0, { dim: field?.dim });
  const n = start.shape[0] as number, d = start.shape[1] as number;
  const run = pathEnergy(field, start, options);
  const perRow = new Float64Array(n);
  let total = 0, moved = 0;
  for (let i = 0; i < n; i++) {
    let squared = 0;
    for (let j = 0; j < d; j++) {
      const delta = (run.x1.data[i * d + j] as number) - (start.data[i * d + j] as number);
      squared += delta * delta;
    }
    perRow[i] = (run.energy[i] as number) - squared;
    total += perRow[i] as number;
    moved += squared;
  }
  return {
    straightness: n > 0 ? total / n : 0, perRow, pathEnergy: run.meanEnergy, displacement: n > 0 ? moved / n : 0,
    x1: run.x1, statistics: run.statistics,
  };
}

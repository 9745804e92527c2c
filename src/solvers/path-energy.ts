import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch } from "../core/batch.js";
import type { VelocityField } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import type { IntegrateOptions } from "./integrate.js";
import type { OdeStatistics } from "./evaluate.js";
import { planOde, solve } from "./integrate.js";
import { checkField, checkUnitTimes } from "./sample.js";
import { settle } from "../divergence/field-steps.js";
import { checkOptions } from "../core/check.js";

/** Result of {@link pathEnergy}. @category Solvers */
export interface PathEnergyResult {
  /** E_i = integral_{t0}^{t1} |u_t(x_i(t))|^2 dt for each row. */
  energy: Float64Array;
  /** Mean of `energy` over rows. */
  meanEnergy: number;
  /** x at t1, shape [n, dim]. */
  x1: Batch;
  /** Counters of the solve. */
  statistics: OdeStatistics;
}

/**
 * Kinetic energy of the flow along its trajectories,
 * E(x0) = integral_0^1 |u_t(x_t)|^2 dt with dx_t/dt = u_t(x_t), x_0 = x0, computed by
 * integrating the augmented ODE (x, E)' = (u_t(x), |u_t(x)|^2) with the solver's error
 * control on both. Straighter flows (as from optimal-transport couplings) have lower
 * energy; for a flow that is the displacement interpolation of an OT map T, E(x0) equals
 * |T(x0) - x0|^2, its lower bound.
 *
 * @param field - the velocity field
 * @param x0 - starting points, shape [n, field.dim] (not modified)
 * @param options - options of {@link integrate} (default dopri5, rtol = atol = 1e-6); t0 and t1 in [0, 1]
 * @returns per-row and mean energies, the end points and solver statistics
 * @throws the errors of {@link sample}
 * @example
 * ```ts
 * // constant velocity (3, 4): |u|^2 = 25 over unit time
 * const field = { dim: 2, evaluate: (x, t, out = zeros(x.shape[0], 2)) => { for (let i = 0; i < x.shape[0]; i++) { out.data[2 * i] = 3; out.data[2 * i + 1] = 4; } return out; } };
 * pathEnergy(field, fromRows([[0, 0]])).meanEnergy // => 25 (to rounding)
 * ```
 * @category Solvers
 */
export function pathEnergy(field: VelocityField, x0: Batch, options: IntegrateOptions = {}): PathEnergyResult {
  options = checkOptions("pathEnergy", "options", options);
  const fn = "pathEnergy";
  checkField(fn, field);
  checkUnitTimes(fn, options);
  const d = field.dim;
  const start = asBatch(fn, "x0", x0, { dim: d });
  const n = start.shape[0] as number;
  const augmented = new Float64Array(n * (d + 1));
  for (let i = 0; i < n; i++) augmented.set(start.data.subarray(i * d, (i + 1) * d), i * (d + 1));
  let x = ndarray(new Float64Array(0), [0, d]) as Batch;
  let u = ndarray(new Float64Array(0), [0, d]) as Batch;
  const f = (t: Time, y: Batch, out: Batch): void => {
    const rows = y.shape[0] as number;
    if (x.shape[0] !== rows) {
      x = ndarray(new Float64Array(rows * d), [rows, d]);
      u = ndarray(new Float64Array(rows * d), [rows, d]);
    }
    for (let i = 0; i < rows; i++) x.data.set(y.data.subarray(i * (d + 1), i * (d + 1) + d), i * d);
    settle(fn, "evaluate", field.evaluate(x, t, u), u);
    for (let i = 0; i < rows; i++) {
      let speed = 0;
      for (let j = 0; j < d; j++) {
        const v = u.data[i * d + j] as number;
        out.data[i * (d + 1) + j] = v;
        speed += v * v;
      }
      out.data[i * (d + 1) + d] = speed;
    }
  };
  // planned under this function's name, so that errors name pathEnergy and its options
  const result = solve(planOde(fn, f, ndarray(augmented, [n, d + 1]), { t0: 0, t1: 1, method: "dopri5", rtol: 1e-6, atol: 1e-6, ...options }));
  const energy = new Float64Array(n);
  const x1 = new Float64Array(n * d);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = result.y.data.subarray(i * (d + 1), (i + 1) * (d + 1));
    x1.set(row.subarray(0, d), i * d);
    energy[i] = row[d] as number;
    total += row[d] as number;
  }
  return { energy, meanEnergy: n > 0 ? total / n : 0, x1: ndarray(x1, [n, d]), statistics: result.statistics };
}

import ndarray from "ndarray";
import type { Batch } from "../../src/core/batch.js";
import type { VelocityField } from "../../src/core/interfaces.js";

/** Test-only classic RK4 from t = 0 to 1 in `steps` equal steps (the library's solvers are written in parallel). */
export function rk4(field: VelocityField, x0: Batch, steps: number): Batch {
  const n = x0.shape[0] as number, d = x0.shape[1] as number;
  let x = Float64Array.from(x0.data);
  const h = 1 / steps;
  const at = (y: Float64Array, t: number) => field.evaluate(ndarray(y, [n, d]) as Batch, Math.min(t, 1)).data;
  for (let i = 0; i < steps; i++) {
    const t = i * h;
    const k1 = at(x, t);
    const k2 = at(x.map((v, j) => v + 0.5 * h * (k1[j] as number)), t + 0.5 * h);
    const k3 = at(x.map((v, j) => v + 0.5 * h * (k2[j] as number)), t + 0.5 * h);
    const k4 = at(x.map((v, j) => v + h * (k3[j] as number)), i === steps - 1 ? 1 : t + h);
    x = x.map((v, j) => v + (h / 6) * ((k1[j] as number) + 2 * (k2[j] as number) + 2 * (k3[j] as number) + (k4[j] as number)));
  }
  return ndarray(x, [n, d]) as Batch;
}

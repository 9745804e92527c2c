import type { OdeSteps, SolveContext } from "./evaluate.js";
import { checkCall, request } from "./evaluate.js";
import { pow } from "../core/pow.js";

/**
 * @internal Hairer's initial step (Hairer, Norsett, Wanner I, II.4, and HINIT in dopri5.f)
 * with per-row RMS norms sc = atol + rtol |y0|: h0 = 0.01 ||y0|| / ||f0||, one Euler trial
 * step, h1 = (0.01 / max(||f0||, ||f1 - f0|| / h0))^(1/order), h = min(100 h0, h1, hmax).
 * Shared steps combine rows by the max norm; per-sample steps get one h per row. Costs one
 * evaluation of f. Writes the (positive) step sizes into `out` (length m).
 */
export function* initialStep(
  ctx: SolveContext, m: number, t0: number, dir: number, y0: Float64Array, f0: Float64Array,
  rtol: number, atol: number, order: number, hmax: number, perSample: boolean, out: Float64Array,
): OdeSteps<void> {
  const d = ctx.d;
  const d0 = new Float64Array(m);
  const d1 = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s0 = 0;
    let s1 = 0;
    for (let j = i * d; j < (i + 1) * d; j++) {
      const sc = atol + rtol * Math.abs(y0[j] as number);
      s0 += ((y0[j] as number) / sc) ** 2;
      s1 += ((f0[j] as number) / sc) ** 2;
    }
    d0[i] = Math.sqrt(s0 / d);
    d1[i] = Math.sqrt(s1 / d);
  }
  if (!perSample) reduceMax(d0, d1);
  const h0 = new Float64Array(m);
  const y1 = new Float64Array(m * d);
  const times = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const a = d0[i] as number;
    const b = d1[i] as number;
    let h = a < 1e-5 || b < 1e-5 ? 1e-6 : (0.01 * a) / b;
    // tolerances far below the solution's scale overflow both norms (Infinity / Infinity) or one of them
    if (!(h > 0 && h < Infinity)) h = 1e-6;
    h = Math.min(h, hmax);
    h0[i] = h;
    times[i] = t0 + dir * h;
    for (let j = i * d; j < (i + 1) * d; j++) y1[j] = (y0[j] as number) + dir * h * (f0[j] as number);
  }
  const f1 = new Float64Array(m * d);
  const time = perSample ? times : (times[0] as number);
  yield request(ctx, time, y1, f1, m);
  checkCall(ctx, time, f1, m);
  const d2 = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s2 = 0;
    for (let j = i * d; j < (i + 1) * d; j++) {
      const sc = atol + rtol * Math.abs(y0[j] as number);
      s2 += (((f1[j] as number) - (f0[j] as number)) / sc) ** 2;
    }
    d2[i] = Math.sqrt(s2 / d) / (h0[i] as number);
  }
  if (!perSample) reduceMax(d2, d2);
  for (let i = 0; i < m; i++) {
    const h = h0[i] as number;
    const big = Math.max(d1[i] as number, d2[i] as number);
    let h1 = big <= 1e-15 ? Math.max(1e-6, h * 1e-3) : pow(0.01 / big, 1 / order);
    // an overflowed norm (big = Infinity) asks for a step of 0: start small and let the controller decide
    if (!(h1 > 0)) h1 = h * 1e-3;
    out[i] = Math.min(100 * h, h1, hmax);
  }
}

/** Replaces every entry of a and b by the maximum of a and of b respectively. */
function reduceMax(a: Float64Array, b: Float64Array): void {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) {
    ma = Math.max(ma, a[i] as number);
    mb = Math.max(mb, b[i] as number);
  }
  a.fill(ma);
  b.fill(mb);
}

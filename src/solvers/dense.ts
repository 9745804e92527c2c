import type { ButcherTableau } from "./tableau.js";
import type { RkWorkspace } from "./rk-step.js";
import { combine, stageTimes } from "./rk-step.js";
import { checkCall, request } from "./evaluate.js";
import type { OdeSteps, SolveContext } from "./evaluate.js";
import { TSIT5_DENSE } from "./tsit5.js";
import { DOP853_A, DOP853_C, DOP853_D } from "./dop853.js";

// Continuous extension (Shampine 1986) of dopri5, as in Hairer's dopri5.f CONTD5.
const D5 = [
  -12715105075 / 11282082432, 0, 87487479700 / 32700410799, -10690763975 / 1880347072,
  701980252875 / 199316789632, -1453857185 / 822651844, 69997945 / 29380423,
];

/**
 * @internal Writes y(t + theta h) of compact row i into out[offset .. offset + d). Uses the
 * method's own continuous extension (dopri5: 4th order, tsit5: 4th order, dop853: 7th order)
 * or the cubic Hermite interpolant through (y0, f0) and (y1, f1) (3rd order).
 * `fNew` holds f(t + h, y1) (the next step's first stage).
 */
export function interpolateRow(
  tab: ButcherTableau, ws: RkWorkspace, fNew: Float64Array, i: number, d: number,
  theta: number, h: number, y0: Float64Array, out: Float64Array, offset: number,
): void {
  const k = ws.k;
  const y1 = ws.yNew;
  const s1 = 1 - theta;
  for (let col = 0; col < d; col++) {
    const idx = i * d + col;
    const a = y0[idx] as number;
    const b = y1[idx] as number;
    const dy = b - a;
    const f0 = (k[0] as Float64Array)[idx] as number;
    const f1 = fNew[idx] as number;
    let v: number;
    if (tab.dense === "dopri5") {
      const r3 = h * f0 - dy;
      const r4 = dy - h * f1 - r3;
      let r5 = 0;
      for (let s = 0; s < 7; s++) if (D5[s] !== 0) r5 += (D5[s] as number) * ((k[s] as Float64Array)[idx] as number);
      r5 *= h;
      v = a + theta * (dy + s1 * (r3 + theta * (r4 + s1 * r5)));
    } else if (tab.dense === "tsit5") {
      let acc = 0;
      for (let s = 0; s < 7; s++) {
        const r = TSIT5_DENSE[s] as readonly number[];
        const bs = theta * ((r[0] as number) + theta * ((r[1] as number) + theta * ((r[2] as number) + theta * (r[3] as number))));
        acc += bs * ((k[s] as Float64Array)[idx] as number);
      }
      v = a + h * acc;
    } else if (tab.dense === "dop853") {
      const F = [dy, h * f0 - dy, 2 * dy - h * (f1 + f0)];
      for (const drow of DOP853_D) {
        let acc = 0;
        for (let s = 0; s < 16; s++) {
          const w = drow[s] as number;
          if (w !== 0) acc += w * ((k[s] as Float64Array)[idx] as number);
        }
        F.push(h * acc);
      }
      let p = F[6] as number;
      for (let j = 5; j >= 0; j--) p = (F[j] as number) + (j % 2 === 1 ? theta : s1) * p;
      v = a + theta * p;
    } else {
      // cubic Hermite: y0 + theta dy + theta (theta - 1) ((1 - 2 theta) dy + (theta - 1) h f0 + theta h f1)
      v = a + theta * dy + theta * (theta - 1) * ((1 - 2 * theta) * dy + (theta - 1) * h * f0 + theta * h * f1);
    }
    out[offset + col] = v;
  }
}

/**
 * @internal The three extra stages of DOP853's dense output (stages 13..15), for m compact
 * rows; needs k[12] = f(t + h, y1) already in place.
 */
export function* dop853Extras(
  ctx: SolveContext, ws: RkWorkspace, m: number, t: Float64Array, h: Float64Array, y: Float64Array, scalarTime: boolean,
): OdeSteps<void> {
  for (let s = 13; s < 16; s++) {
    combine(DOP853_A[s] as readonly number[], ws.k, m, ctx.d, h, y, ws.yStage);
    const cs = DOP853_C[s] as number;
    const time = stageTimes(ws, t, h, cs, m, scalarTime);
    yield request(ctx, time, ws.yStage, ws.k[s] as Float64Array, m);
    checkCall(ctx, time, ws.k[s] as Float64Array, m);
  }
}

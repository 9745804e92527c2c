import type { ButcherTableau } from "./tableau.js";
import { request } from "./evaluate.js";
import type { OdeRequest, SolveContext } from "./evaluate.js";

/** @internal Buffers of one Runge-Kutta solve: stages k[s] and the trial state, each n * d. */
export interface RkWorkspace {
  k: Float64Array[];
  yStage: Float64Array;
  yNew: Float64Array;
  stageTime: Float64Array;
}

/** @internal Allocates buffers for `stages` stages over n rows of dimension d. */
export function rkWorkspace(stages: number, n: number, d: number): RkWorkspace {
  const k: Float64Array[] = [];
  for (let s = 0; s < stages; s++) k.push(new Float64Array(n * d));
  return { k, yStage: new Float64Array(n * d), yNew: new Float64Array(n * d), stageTime: new Float64Array(n) };
}

/**
 * @internal Stage s (1 <= s < stages) of an explicit Runge-Kutta step for m compact rows: row
 * i is at time t[i] with step h[i]. Forms yStage = y + h sum_j a_sj k_j and returns the request
 * f(t + c_s h, yStage) into k[s]; the caller yields it, then calls {@link checkCall}. With
 * `scalarTime`, every row shares t[0] and h[0] and f receives one number. A step is: k[0] =
 * f(t, y) in place, the stages 1..stages-1, then {@link rkFinish}. (The stage loop is written
 * out in each runner: a nested generator per step costs a tenth of the time of small solves.)
 */
export function rkStage(
  tab: ButcherTableau, ctx: SolveContext, ws: RkWorkspace, s: number, m: number,
  t: Float64Array, h: Float64Array, y: Float64Array, scalarTime: boolean,
): OdeRequest {
  combine(tab.a[s] as readonly number[], ws.k, m, ctx.d, h, y, ws.yStage);
  return request(ctx, stageTimes(ws, t, h, tab.c[s] as number, m, scalarTime), ws.yStage, ws.k[s] as Float64Array, m);
}

/** @internal After the stages: yNew = y + h sum_s b_s k_s (the last stage's state for FSAL methods). */
export function rkFinish(tab: ButcherTableau, ws: RkWorkspace, m: number, d: number, h: Float64Array, y: Float64Array): void {
  if (tab.fsal) ws.yNew.set(ws.yStage.subarray(0, m * d));
  else combine(tab.b, ws.k, m, d, h, y, ws.yNew);
}

/** The times t + c h of a stage: one number when all rows share t and h, else per row in `ws.stageTime`. @internal */
export function stageTimes(ws: RkWorkspace, t: Float64Array, h: Float64Array, c: number, m: number, scalarTime: boolean): number | Float64Array {
  if (scalarTime) return (t[0] as number) + c * (h[0] as number);
  const st = ws.stageTime.subarray(0, m);
  for (let i = 0; i < m; i++) st[i] = (t[i] as number) + c * (h[i] as number);
  return st;
}

/** @internal out = y + h * sum_j w_j k_j, row by row, skipping zero weights. */
export function combine(
  w: readonly number[], k: readonly Float64Array[], m: number, d: number,
  h: Float64Array, y: Float64Array, out: Float64Array,
): void {
  const nz: number[] = [];
  for (let j = 0; j < w.length; j++) if (w[j] !== 0) nz.push(j);
  for (let i = 0; i < m; i++) {
    const hi = h[i] as number;
    const base = i * d;
    for (let col = 0; col < d; col++) {
      const idx = base + col;
      let acc = 0;
      for (const j of nz) acc += (w[j] as number) * ((k[j] as Float64Array)[idx] as number);
      out[idx] = (y[idx] as number) + hi * acc;
    }
  }
}

/**
 * @internal Per-row scaled error norms, written to `out` (length m). Standard pairs:
 * err_i = sqrt(mean_j (h_i sum_s e_s k_sj / sc_j)^2), sc_j = atol + rtol max(|y_j|, |yNew_j|).
 * DOP853 (Hairer's dop853.f): err = |h| E5 / sqrt(d (E5 + 0.01 E3)), E5, E3 the summed
 * squares of the 5th- and 3rd-order estimates. A non-finite estimate becomes Infinity.
 */
export function errorNorms(
  tab: ButcherTableau, e3: readonly number[] | null, ws: RkWorkspace, m: number, d: number,
  h: Float64Array, y: Float64Array, rtol: number, atol: number, out: Float64Array,
): void {
  const e = tab.e as readonly number[];
  const k = ws.k;
  const yNew = ws.yNew;
  const stages = e.length;
  for (let i = 0; i < m; i++) {
    const hi = h[i] as number;
    let sum5 = 0;
    let sum3 = 0;
    for (let col = 0; col < d; col++) {
      const idx = i * d + col;
      const sc = atol + rtol * Math.max(Math.abs(y[idx] as number), Math.abs(yNew[idx] as number));
      let acc = 0;
      for (let s = 0; s < stages; s++) {
        const es = e[s] as number;
        if (es !== 0) acc += es * ((k[s] as Float64Array)[idx] as number);
      }
      const q = acc / sc;
      sum5 += q * q;
      if (e3 !== null) {
        let acc3 = 0;
        for (let s = 0; s < stages; s++) {
          const es = e3[s] as number;
          if (es !== 0) acc3 += es * ((k[s] as Float64Array)[idx] as number);
        }
        const q3 = acc3 / sc;
        sum3 += q3 * q3;
      }
    }
    let err: number;
    if (e3 === null) err = Math.abs(hi) * Math.sqrt(sum5 / d);
    else {
      const deno = sum5 + 0.01 * sum3;
      err = deno > 0 ? (Math.abs(hi) * sum5) / Math.sqrt(d * deno) : 0;
    }
    out[i] = Number.isFinite(err) ? err : Infinity;
  }
}

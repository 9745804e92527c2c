import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { ConvergenceError } from "../core/errors.js";
import type { OdeStatistics, OdeSteps, SolveContext } from "./evaluate.js";
import { checkCall, request } from "./evaluate.js";
import type { OdePartial, OdePlan, OdeResult } from "./integrate.js";
import { errorNorms, rkFinish, rkStage, rkWorkspace } from "./rk-step.js";
import { dop853Extras, interpolateRow } from "./dense.js";
import { initialStep } from "./initial-step.js";
import { DOP853_E3 } from "./dop853.js";
import { pow } from "../core/pow.js";


/**
 * @internal Adaptive integration. Rows are kept in compact order (`rows` maps a compact
 * position to the original row); with per-sample steps, finished rows are written out and
 * dropped so that they cost no further evaluations. Step-size control follows Hairer's
 * dopri5.f / dop853.f: PI controller h_new = h err^(-expo1) facOld^beta / safety with
 * expo1 = 1/(q+1) - 0.75 beta, factor bounds, no
 * increase right after a rejection, and exact landing (h = target - t once t + 1.01 h
 * passes the target). A landing step shorter than the step proposed for it (an output time
 * close ahead) says nothing about the step the solution allows: the next step resumes from the
 * proposal (as torchdiffeq and SciPy do), so two output times an ulp apart cost one short step,
 * not a collapse of the step size. The step-size floor applies to steps that do not land: a
 * landing step ends exactly on its target, however short.
 */
export function* runAdaptive(plan: OdePlan): OdeSteps<OdeResult> {
  const { n, d, tab, t0, t1, rtol, atol, perSample } = plan;
  const dir = t1 >= t0 ? 1 : -1;
  const hmax = Math.abs(t1 - t0);
  const stages = tab.c.length;
  const isDop853 = tab.dense === "dop853";
  const { beta, safety: SAFE, minFactor: facMin, maxFactor: facMax } = plan.controller;
  const expo1 = (tab.errorExponent as number) - beta * 0.75;
  const stats: OdeStatistics = { nfe: 0, accepted: 0, rejected: 0, rowEvaluations: 0 };
  const rows = new Int32Array(n).map((_, i) => i);
  const ctx: SolveContext = { fn: plan.fn, d, stats, step: 0, rows: perSample ? rows : null, views: new Map() };
  const ws = rkWorkspace(isDop853 ? 16 : stages + 1, n, d);
  const kF = tab.fsal ? (ws.k[stages - 1] as Float64Array) : (ws.k[stages] as Float64Array);
  const times = plan.times ?? new Float64Array(0);
  const nt = times.length;
  const trajectory: Float64Array[] = [];
  for (let k = 0; k < nt; k++) trajectory.push(new Float64Array(n * d));
  const yOut = new Float64Array(n * d);
  const Y = Float64Array.from(plan.y0);
  const T = new Float64Array(n).fill(t0);
  const H = new Float64Array(n);
  const hUse = new Float64Array(n);
  const facOld = new Float64Array(n).fill(1e-4);
  const lastRejected = new Uint8Array(n);
  const landing = new Uint8Array(n);
  const accepted = new Uint8Array(n);
  const done = new Uint8Array(n);
  const outIdx = new Int32Array(n);
  const errs = new Float64Array(n);
  const tNew = new Float64Array(n);
  let m = n;

  // outputs requested at t0 itself
  for (let i = 0; i < n; i++) {
    while ((outIdx[i] as number) < nt && times[outIdx[i] as number] === t0) {
      trajectory[outIdx[i] as number]?.set(Y.subarray(i * d, (i + 1) * d), i * d);
      outIdx[i] = (outIdx[i] as number) + 1;
    }
  }
  // a state of width 0 has nothing to integrate (its error norm would be 0 / 0)
  if (t0 === t1 || d === 0) {
    yOut.set(Y);
    return finish(plan, yOut, trajectory, stats);
  }
  yield request(ctx, t0, Y, ws.k[0] as Float64Array, n);
  checkCall(ctx, t0, ws.k[0] as Float64Array, n);
  if (plan.initialStep !== null) H.fill(Math.min(plan.initialStep, hmax));
  else yield* initialStep(ctx, n, t0, dir, Y, ws.k[0] as Float64Array, rtol, atol, tab.order, hmax, perSample, H);

  let iterations = 0;
  while (m > 0) {
    if (iterations >= plan.maxSteps) {
      throw new ConvergenceError(plan.fn, "options.maxSteps", `suffice to reach t1 = ${t1}`,
        `t = ${T[0]} after ${iterations} steps`, partial(plan, Y, T, rows, m, yOut, stats, perSample));
    }
    ctx.step = iterations++;
    for (let i = 0; i < m; i++) {
      const t = T[i] as number;
      const h = H[i] as number;
      const target = (outIdx[i] as number) < nt && !plan.interpolate ? (times[outIdx[i] as number] as number) : t1;
      const land = dir * (t + 1.01 * dir * h - target) >= 0;
      if (!land && (0.1 * h <= Math.abs(t) * Number.EPSILON || h === 0)) {
        throw new ConvergenceError(plan.fn, "options.rtol", `allow a step size above the floor 10 eps |t| (step size underflow)`,
          `h = ${h} at t = ${t} (row ${rows[i]}, step ${iterations})`, partial(plan, Y, T, rows, m, yOut, stats, perSample));
      }
      landing[i] = land ? 1 : 0;
      hUse[i] = land ? target - t : dir * h;
      tNew[i] = land ? target : t + dir * h;
    }
    for (let s = 1; s < stages; s++) {
      const q = rkStage(tab, ctx, ws, s, m, T, hUse, Y, !perSample);
      yield q;
      checkCall(ctx, q.t, q.out.data, m);
    }
    rkFinish(tab, ws, m, d, hUse, Y);
    errorNorms(tab, isDop853 ? DOP853_E3 : null, ws, m, d, hUse, Y, rtol, atol, errs);
    if (!perSample) {
      let e = 0;
      for (let i = 0; i < m; i++) e = Math.max(e, errs[i] as number);
      errs.fill(e, 0, m);
    }
    let anyAccepted = false;
    let needF = false;
    let needInterp = false;
    for (let i = 0; i < m; i++) {
      const err = errs[i] as number;
      const h = Math.abs(hUse[i] as number);
      const fac11 = pow(err, expo1);
      let hNew: number;
      if (err <= 1) {
        let fac = fac11 / pow(facOld[i] as number, beta);
        fac = Math.max(1 / facMax, Math.min(1 / facMin, fac / SAFE));
        hNew = h / fac;
        if (lastRejected[i]) hNew = Math.min(hNew, h);
        // a landing step cut short of its proposal H[i] (an output time close ahead): resume from the proposal
        const proposal = H[i] as number;
        if (landing[i] === 1 && h < proposal && hNew < proposal) hNew = proposal;
        else facOld[i] = Math.max(err, 1e-4);
        lastRejected[i] = 0;
        accepted[i] = 1;
        anyAccepted = true;
        const finishing = landing[i] === 1 && tNew[i] === t1;
        const interp = plan.interpolate && (outIdx[i] as number) < nt && dir * ((times[outIdx[i] as number] as number) - (tNew[i] as number)) <= 0;
        if (!finishing || interp) needF = true;
        if (interp) needInterp = true;
      } else {
        hNew = h / Math.min(1 / facMin, fac11 / SAFE);
        lastRejected[i] = 1;
        accepted[i] = 0;
      }
      H[i] = Math.min(hNew, hmax);
    }
    if (!perSample) {
      if (anyAccepted) stats.accepted++;
      else stats.rejected++;
    }
    if (!anyAccepted) {
      if (perSample) stats.rejected += m;
      continue;
    }
    if (needF && !tab.fsal) {
      const time = perSample ? tNew.subarray(0, m) : (tNew[0] as number);
      yield request(ctx, time, ws.yNew, kF, m);
      checkCall(ctx, time, kF, m);
    }
    if (needInterp && isDop853) yield* dop853Extras(ctx, ws, m, T, hUse, Y, !perSample);
    let removed = 0;
    for (let i = 0; i < m; i++) {
      if (!accepted[i]) {
        if (perSample) stats.rejected++;
        continue;
      }
      if (perSample) stats.accepted++;
      const row = rows[i] as number;
      const tn = tNew[i] as number;
      if (plan.interpolate) {
        while ((outIdx[i] as number) < nt && dir * ((times[outIdx[i] as number] as number) - tn) <= 0) {
          const k = outIdx[i] as number;
          const theta = ((times[k] as number) - (T[i] as number)) / (hUse[i] as number);
          interpolateRow(tab, ws, kF, i, d, theta, hUse[i] as number, Y, trajectory[k] as Float64Array, row * d);
          outIdx[i] = (outIdx[i] as number) + 1;
        }
      }
      const off = i * d;
      Y.set(ws.yNew.subarray(off, off + d), off);
      if (needF) (ws.k[0] as Float64Array).set(kF.subarray(off, off + d), off);
      T[i] = tn;
      if (landing[i]) {
        while ((outIdx[i] as number) < nt && times[outIdx[i] as number] === tn) {
          (trajectory[outIdx[i] as number] as Float64Array).set(Y.subarray(off, off + d), row * d);
          outIdx[i] = (outIdx[i] as number) + 1;
        }
        if (tn === t1) {
          done[i] = 1;
          removed++;
          yOut.set(Y.subarray(off, off + d), row * d);
        }
      }
    }
    if (removed > 0) m = compact(m, d, done, Y, ws.k[0] as Float64Array, [T, H, facOld], [lastRejected], [rows, outIdx]);
  }
  return finish(plan, yOut, trajectory, stats);
}

/** Moves the rows not marked done to the front of every array, in order; returns their count. */
function compact(
  m: number, d: number, done: Uint8Array, Y: Float64Array, K0: Float64Array,
  scalars: Float64Array[], flags: Uint8Array[], ints: Int32Array[],
): number {
  let w = 0;
  for (let i = 0; i < m; i++) {
    if (done[i]) continue;
    if (w !== i) {
      Y.copyWithin(w * d, i * d, (i + 1) * d);
      K0.copyWithin(w * d, i * d, (i + 1) * d);
      for (const a of scalars) a[w] = a[i] as number;
      for (const a of flags) a[w] = a[i] as number;
      for (const a of ints) a[w] = a[i] as number;
    }
    w++;
  }
  done.fill(0);
  return w;
}

/** The state reached so far, in original row order, for a ConvergenceError. */
function partial(
  plan: OdePlan, Y: Float64Array, T: Float64Array, rows: Int32Array, m: number,
  yOut: Float64Array, stats: OdeStatistics, perSample: boolean,
): OdePartial {
  const { n, d, t1 } = plan;
  const y = Float64Array.from(yOut);
  const t = new Float64Array(n).fill(t1);
  for (let i = 0; i < m; i++) {
    const row = rows[i] as number;
    y.set(Y.subarray(i * d, (i + 1) * d), row * d);
    t[row] = T[i] as number;
  }
  return { t: perSample ? t : (T[0] as number), y: ndarray(y, [n, d]), statistics: { ...stats } };
}

/** Packs the result. */
function finish(plan: OdePlan, yOut: Float64Array, trajectory: Float64Array[], stats: OdeStatistics): OdeResult {
  const { n, d } = plan;
  const result: OdeResult = { t: plan.t1, y: ndarray(yOut, [n, d]), statistics: stats };
  if (plan.times !== null) {
    result.times = Float64Array.from(plan.times);
    result.trajectory = trajectory.map((data): Batch => ndarray(data, [n, d]));
  }
  return result;
}

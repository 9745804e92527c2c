import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { ConvergenceError } from "../core/errors.js";
import type { OdeStatistics, OdeSteps, SolveContext } from "./evaluate.js";
import { checkCall, request } from "./evaluate.js";
import type { OdePartial, OdePlan, OdeResult } from "./integrate.js";
import { rkFinish, rkStage, rkWorkspace } from "./rk-step.js";

/**
 * @internal Fixed-step integration. Between consecutive checkpoints (the output times, then
 * t1) the interval is split into ceil(length / stepSize) equal steps, so every output time
 * is landed on exactly. FSAL methods reuse their last stage as the next first stage.
 */
export function* runFixed(plan: OdePlan): OdeSteps<OdeResult> {
  const { n, d, tab, t0, t1 } = plan;
  const stepSize = plan.stepSize as number;
  const stats: OdeStatistics = { nfe: 0, accepted: 0, rejected: 0, rowEvaluations: 0 };
  const ctx: SolveContext = { fn: plan.fn, d, stats, step: 0, rows: null, views: new Map() };
  const ws = rkWorkspace(tab.c.length, n, d);
  let y: Float64Array = Float64Array.from(plan.y0);
  let t = t0;
  const checkpoints = checkpointsOf(plan);
  const trajectory: Batch[] = [];
  const nodeTimes: number[] = [];
  if (plan.intermediates) {
    nodeTimes.push(t0);
    trajectory.push(ndarray(Float64Array.from(y), [n, d]));
  }
  const hArr = new Float64Array(n);
  const tArr = new Float64Array(n);
  let haveK0 = false;
  for (let c = 0; c < checkpoints.length; c++) {
    const { t: target, record } = checkpoints[c] as Checkpoint;
    const span = target - t;
    const count = span === 0 ? 0 : plan.grid !== null ? 1 : Math.max(1, Math.ceil(Math.abs(span) / stepSize - 1e-9));
    for (let s = 0; s < count; s++) {
      if (stats.accepted >= plan.maxSteps) {
        const partial: OdePartial = { t, y: ndarray(y, [n, d]), statistics: { ...stats } };
        throw new ConvergenceError(plan.fn, "options.maxSteps", `suffice to reach t1 = ${t1}`,
          `t = ${t} after ${stats.accepted} steps`, partial);
      }
      const h = s === count - 1 ? target - t : span / count;
      ctx.step = stats.accepted;
      if (!haveK0) {
        yield request(ctx, t, y, ws.k[0] as Float64Array, n);
        checkCall(ctx, t, ws.k[0] as Float64Array, n);
      }
      hArr.fill(h);
      tArr.fill(t);
      for (let stage = 1; stage < tab.c.length; stage++) {
        const q = rkStage(tab, ctx, ws, stage, n, tArr, hArr, y, true);
        yield q;
        checkCall(ctx, q.t, q.out.data, n);
      }
      rkFinish(tab, ws, n, d, hArr, y);
      const next = ws.yNew;
      ws.yNew = y;
      y = next;
      t = s === count - 1 ? target : t + h;
      stats.accepted++;
      if (tab.fsal) {
        const last = ws.k[tab.c.length - 1] as Float64Array;
        ws.k[tab.c.length - 1] = ws.k[0] as Float64Array;
        ws.k[0] = last;
        haveK0 = true;
      } else haveK0 = false;
      if (plan.intermediates) {
        nodeTimes.push(t);
        trajectory.push(ndarray(Float64Array.from(y), [n, d]));
      }
    }
    if (record && !plan.intermediates) trajectory.push(ndarray(Float64Array.from(y), [n, d]));
  }
  const result: OdeResult = { t: t1, y: ndarray(y, [n, d]), statistics: stats };
  if (plan.intermediates) {
    result.times = Float64Array.from(nodeTimes);
    result.trajectory = trajectory;
  } else if (plan.times !== null) {
    result.times = Float64Array.from(plan.times);
    result.trajectory = trajectory;
  }
  return result;
}

interface Checkpoint {
  /** A time the solve lands on. */
  t: number;
  /** Whether it is a requested output time. */
  record: boolean;
}

/**
 * The times the fixed-step solve lands on, in order: the output times then t1; with a grid,
 * the grid's nodes after t0 merged with the output times (each segment is then one step).
 */
function checkpointsOf(plan: OdePlan): Checkpoint[] {
  const times = plan.times ?? new Float64Array(0);
  if (plan.grid === null) return [...Array.from(times, (t) => ({ t, record: true })), { t: plan.t1, record: false }];
  const dir = plan.t1 >= plan.t0 ? 1 : -1;
  const out: Checkpoint[] = [];
  let i = 0;
  for (let j = 1; j < plan.grid.length; j++) {
    const node = plan.grid[j] as number;
    while (i < times.length && dir * ((times[i] as number) - node) <= 0) out.push({ t: times[i++] as number, record: true });
    out.push({ t: node, record: false });
  }
  return out;
}

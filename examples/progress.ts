/*
 * Progress of the examples' long phases, on stderr (stdout keeps the results):
 * - in a terminal, one line redrawn in place at most every 100 ms:
 *     training OT-CFM [########............]  41%  1230/3000  52.1/s  ETA 0:34  loss 0.512
 *   and, when the phase ends, the same line with the time it took;
 * - elsewhere (CI logs, the example tests, a pipe), one plain line at each quarter, or none
 *   with PROGRESS=off.
 * Training reports through the library's `onStep` hook (`trainingProgress`); solves report
 * through their field: `withSolveProgress` wraps a velocity field and reads how far the
 * solver's time has come.
 */
import type { StepInfo, Time, VelocityField } from "../src/index.js";

/** A progress display for one phase of `total` units of work. */
export interface Progress {
  /** Reports `done` units of `total` (clamped), with optional text after the figures. */
  update(done: number, extra?: string): void;
  /** Ends the phase: the final line, with the elapsed time. */
  finish(extra?: string): void;
}

export interface ProgressOptions {
  /** The stream to write to (default process.stderr). */
  stream?: NodeJS.WriteStream;
  /** Show "done/total" counts (default true); false for fractions such as solver time. */
  counts?: boolean;
  /** Unit of the rate, for example "steps" (default "/s" after the count). */
  rateUnit?: string;
}

const BAR = 20;
const REDRAW_MS = 100;

/** A progress display for `total` units of work named `label`. */
export function createProgress(label: string, total: number, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const counts = options.counts ?? true;
  const quiet = /^(0|off|false|no)$/i.test(process.env.PROGRESS ?? "");
  const tty = stream.isTTY === true && !quiet;
  const start = performance.now();
  let lastDraw = -Infinity;
  let quarter = 0;
  let finished = false;
  let latest = 0;

  const line = (done: number, extra: string, final: boolean): string => {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const seconds = (performance.now() - start) / 1000;
    const filled = Math.round(fraction * BAR);
    const parts = [`${label} [${"#".repeat(filled)}${".".repeat(BAR - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`];
    if (counts) parts.push(`${done}/${total}`);
    if (final) parts.push(`in ${clock(seconds)}`);
    else if (done > 0 && seconds > 0) {
      if (counts) parts.push(`${(done / seconds).toFixed(1)}${options.rateUnit ? ` ${options.rateUnit}` : "/s"}`);
      parts.push(`ETA ${clock((seconds * (1 - fraction)) / fraction)}`);
    }
    if (extra) parts.push(extra);
    return parts.join("  ");
  };

  const write = (text: string, final: boolean) => {
    if (tty) {
      const width = stream.columns || 120; // 0 or undefined when the terminal does not say
      stream.write(`\r${text.slice(0, Math.max(20, width - 1))}\x1b[K${final ? "\n" : ""}`);
    } else if (!quiet) stream.write(`${text}\n`);
  };

  return {
    update(done, extra = "") {
      if (finished) return;
      latest = Math.max(0, Math.min(done, total));
      const now = performance.now();
      if (tty) {
        if (now - lastDraw < REDRAW_MS) return;
        lastDraw = now;
        write(line(latest, extra, false), false);
      } else {
        const q = total > 0 ? Math.floor((4 * latest) / total) : 4;
        if (q > quarter && q < 4) {
          quarter = q;
          write(line(latest, extra, false), false);
        }
      }
    },
    finish(extra = "") {
      if (finished) return;
      finished = true;
      write(line(counts ? Math.max(latest, total) : total, extra, true), true);
    },
  };
}

/** An `onStep` callback for `train`/`trainSync` that shows steps, rate, ETA and the loss. */
export function trainingProgress(label: string, steps: number): (info: StepInfo) => void {
  const bar = createProgress(label, steps, { rateUnit: "steps/s" });
  return (info) => {
    const extra = `loss ${info.loss.toFixed(3)}`;
    if (info.step >= steps) bar.finish(extra);
    else bar.update(info.step, extra);
  };
}

/**
 * Wraps a velocity field so that a solve over [t0, t1] shows how far its time has come
 * (adaptive solvers make that the honest measure of progress). The wrapper forwards
 * `jvp` and `divergence`, so likelihood solves keep their exact divergence. Call
 * `done()` when the solve has returned.
 */
export function withSolveProgress(field: VelocityField, label: string, t0 = 0, t1 = 1): { field: VelocityField; done: () => void } {
  const bar = createProgress(label, 1, { counts: false });
  let furthest = 0;
  const report = (t: Time) => {
    const now = typeof t === "number" ? t : (t[0] ?? t0);
    furthest = Math.max(furthest, Math.abs(now - t0) / Math.abs(t1 - t0));
    bar.update(furthest);
  };
  const wrapped: VelocityField = {
    dim: field.dim,
    evaluate(x, t, out) { report(t); return field.evaluate(x, t, out); },
  };
  const { jvp, divergence } = field;
  if (jvp) wrapped.jvp = (x, t, v, out) => { report(t); return jvp.call(field, x, t, v, out); };
  if (divergence) wrapped.divergence = (x, t, out) => { report(t); return divergence.call(field, x, t, out); };
  return { field: wrapped, done: () => bar.finish() };
}

/** m:ss, or h:mm:ss past an hour. */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(r).padStart(2, "0")}`;
}

import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { CalibrationOptions, GpuReport, Settings } from "./backend.js";
import type { BackendChoice, GpuFieldKind } from "./select.js";
import { candidates } from "./select.js";

/** A candidate implementation as calibration sees it (internal). */
export interface Timed<E> {
  choice: BackendChoice;
  engine: E;
  ms: number;
}

/**
 * Times `run` on every candidate once built by `make`: `warmup` untimed runs, then the median of
 * `repeats` timed runs. A candidate that throws (a disallowed fallback, an unsupported backend)
 * gets `Infinity`. Returns the fastest (its engine kept) and every timing; the other engines are
 * disposed (internal).
 */
export async function timeCandidates<E>(
  list: readonly BackendChoice[],
  make: (c: BackendChoice) => E,
  run: (engine: E) => unknown,
  dispose: (engine: E) => void,
  repeats: number,
  warmup: number,
): Promise<{ best: Timed<E> | null; timings: Record<string, number> }> {
  const timings: Record<string, number> = {};
  let best: Timed<E> | null = null;
  for (const choice of list) {
    let engine: E | null = null;
    let ms = Infinity;
    try {
      engine = make(choice);
      for (let i = 0; i < warmup; i++) await run(engine);
      const times: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const t0 = performance.now();
        await run(engine);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      ms = times[times.length >> 1] as number;
    } catch {
      ms = Infinity;
    }
    timings[choice.backend] = ms;
    if (engine === null) continue;
    if (best === null || ms < best.ms) {
      if (best !== null) dispose(best.engine);
      best = { choice, engine, ms };
    } else {
      dispose(engine);
    }
  }
  if (best !== null && !Number.isFinite(best.ms)) {
    dispose(best.engine);
    best = null;
  }
  return { best, timings };
}

/**
 * Calibrates a field (internal): validates `options`, times the available candidates (or those
 * named) on the caller's shapes, and returns the fastest engine with a reason listing every
 * timing, or null (keep the current engine) when none succeeded.
 */
export async function calibrateEngines<E>(
  fn: string,
  settings: Settings,
  options: CalibrationOptions,
  rows: number,
  field: GpuFieldKind,
  make: (c: BackendChoice) => E,
  run: (engine: E) => unknown,
  dispose: (engine: E) => void,
): Promise<{ engine: E | null; reason: string; timings: Record<string, number> }> {
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object", describeValue(options));
  if (options.probes !== undefined && field !== "mlp") throw new DomainError(fn, "options.probes", "be absent (the marginal field has no tangents)", `${options.probes.length} probes`);
  const repeats = options.repeats ?? 3;
  const warmup = options.warmup ?? 1;
  // bounded, so that 2^53 or Infinity is an error instead of a calibration that never ends
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 10_000) throw new DomainError(fn, "options.repeats", "be an integer in [1, 10000]", describeValue(repeats));
  if (!Number.isInteger(warmup) || warmup < 0 || warmup > 10_000) throw new DomainError(fn, "options.warmup", "be an integer in [0, 10000]", describeValue(warmup));
  let list = await candidates(settings.allowSoftware, settings.async, field);
  if (options.backends !== undefined) {
    const wanted = options.backends;
    if (!Array.isArray(wanted) || wanted.length === 0) throw new DomainError(fn, "options.backends", "be a non-empty array of backends", describeValue(wanted));
    list = list.filter((c) => wanted.includes(c.backend));
    if (list.length === 0) throw new DomainError(fn, "options.backends", `name an available backend (${(await candidates(settings.allowSoftware, settings.async, field)).map((c) => c.backend).join(", ")})`, wanted.join(", "));
  }
  const { best, timings } = await timeCandidates(list, make, run, dispose, repeats, warmup);
  const table = Object.entries(timings).map(([b, ms]) => `${b} ${Number.isFinite(ms) ? ms.toFixed(2) : "failed"}`).join(", ");
  const contract = settings.async ? "async" : "sync";
  if (best === null) return { engine: null, reason: `calibration on ${rows} rows (${contract}): every candidate failed (${table}); kept the previous backend`, timings };
  const workload = options.probes === undefined ? "" : `, hutchinson with ${options.probes.length} probes`;
  return { engine: best.engine, reason: `calibrated on ${rows} rows (${contract}${workload}, median of ${repeats} ms): ${best.choice.backend} fastest (${table})`, timings };
}

/**
 * Applies a calibration result to a field (internal): swaps in the winning engine (disposing
 * the current one), copies its report, and records the reason and timings. Returns the
 * engine the field should use from now on.
 */
export function adoptCalibration<E extends { dispose(): void; report: object }>(
  current: E,
  result: { engine: E | null; reason: string; timings: Record<string, number> },
  report: GpuReport,
): E {
  let engine = current;
  if (result.engine !== null) {
    current.dispose();
    engine = result.engine;
    Object.assign(report, engine.report);
  }
  report.reason = result.reason;
  report.timings = result.timings;
  return engine;
}

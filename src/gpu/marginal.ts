import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { DomainError } from "../core/errors.js";
import type { Scheduler } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import type { CalibrationOptions, GpuOptions, GpuReport, Settings } from "./backend.js";
import { checkCall, checkOptions } from "./backend.js";
import { adoptCalibration, calibrateEngines } from "./calibrate.js";
import type { MarginalEngineOfField as MarginalEngine } from "./marginal-engine.js";
import { marginalEngine } from "./marginal-engine.js";
import type { GpuVelocityField } from "./mlp-field.js";
import type { BackendChoice } from "./select.js";
import { chooseBackend } from "./select.js";

/**
 * Options of {@link gpuMarginalVelocity}.
 *
 * @category GPU
 */
export interface GpuMarginalOptions extends GpuOptions {
  /** Data points per kernel tile (default 4096); any number of points works. */
  dataTile?: number;
}

/**
 * The closed-form marginal velocity of an empirical target on gpu.js:
 * u_t(x) = alpha'_t y_hat + sigma'_t (x - alpha_t y_hat) / sigma_t with
 * y_hat = sum_i w_i y_i, w = softmax_i(-|x / sigma_t - (alpha_t / sigma_t) y_i|^2 / 2).
 * Per tile of data points, kernels compute the scaled logits, their row maximum, the weights
 * exp(logit - max) and the weighted sums; the host merges tiles by a stable log-sum-exp in
 * float64. Where sigma_t <= 2^-52 alpha_t it returns (alpha'_t / alpha_t) x like the CPU field.
 * Kernel arithmetic is float32. Backend `cpu-f64` (the `"auto"` choice without a hardware GPU)
 * is our float64 `marginalVelocity` on the same data, its rows split over `poolSize` threads
 * where Node's worker threads can block (results bit-identical to it).
 *
 * @param scheduler - the affine path's scheduler
 * @param data - target points [N, dim]
 * @param options - backend options and `dataTile`
 * @returns the field; call `dispose()` when done
 * @throws `DomainError` for bad options; `ShapeError` for an empty data set
 * @example
 * ```ts
 * const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
 * const u = gpuMarginalVelocity(condOT, fromRows([[2, 0]]), { backend: "webasm" });
 * u.evaluate(fromRows([[1, 1]]), 0.5).data // => Float64Array [2, -2] (to float32 rounding)
 * u.dispose();
 * ```
 * @category GPU
 */
export function gpuMarginalVelocity(scheduler: Scheduler, data: Batch, options: GpuMarginalOptions = {}): GpuVelocityField {
  const fn = "gpuMarginalVelocity";
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an options object", String(options));
  if (scheduler === null || typeof scheduler !== "object" || typeof scheduler.at !== "function") throw new DomainError(fn, "scheduler", "be a Scheduler", String(scheduler));
  const y = asBatch(fn, "data", data, {});
  const tile = options.dataTile ?? 4096;
  if (!Number.isInteger(tile) || tile < 1) throw new DomainError(fn, "options.dataTile", "be a positive integer", String(tile));
  const settings = checkOptions(fn, options);
  const make = (c: BackendChoice): MarginalEngine => marginalEngine(scheduler, y, tile, settings, c);
  return new MarginalField(fn, y.shape[1] as number, settings, make, make(chooseBackend(fn, settings.requested, settings.allowSoftware, "marginal")));
}

class MarginalField implements GpuVelocityField {
  readonly report: GpuReport;
  private disposed = false;

  constructor(private readonly fn: string, readonly dim: number, private readonly settings: Settings, private readonly make: (c: BackendChoice) => MarginalEngine, private engine: MarginalEngine) {
    this.report = { ...engine.report };
  }

  evaluate(x: Batch, t: Time, out?: Batch): Batch {
    const xb = this.check("evaluate", x, t);
    const n = xb.shape[0] as number;
    const result = outputBatch(`${this.fn}.evaluate`, out, n, this.dim);
    this.engine.pass(false, xb, t, result.data);
    this.engine.check(this.fn, this.report);
    return result;
  }

  async evaluateAsync(x: Batch, t: Time): Promise<Batch> {
    const xb = this.check("evaluateAsync", x, t);
    const n = xb.shape[0] as number;
    const result = ndarray(new Float64Array(n * this.dim), [n, this.dim]) as Batch;
    await this.engine.pass(true, xb, t, result.data);
    this.engine.check(this.fn, this.report);
    return result;
  }

  async calibrate(x: Batch, t: Time, options: CalibrationOptions = {}): Promise<GpuReport> {
    const xb = this.check("calibrate", x, t, true);
    const n = xb.shape[0] as number;
    const out = new Float64Array(n * this.dim);
    const result = await calibrateEngines(`${this.fn}.calibrate`, this.settings, options, n, "marginal", this.make,
      (e) => {
        const r = this.settings.async ? e.pass(true, xb, t, out) : e.pass(false, xb, t, out);
        e.check(this.fn, e.report);
        return r;
      },
      (e) => e.dispose());
    this.engine = adoptCalibration(this.engine, result, this.report);
    return this.report;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.dispose();
  }

  private check(method: string, x: Batch, t: Time, anyContract = false): Batch {
    return checkCall(`${this.fn}.${method}`, this.disposed, this.report.backend, !anyContract && !method.endsWith("Async"), x, t, this.dim);
  }
}

import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { DomainError } from "../core/errors.js";
import type { Scheduler } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import { checkTime, timeAt } from "../core/time.js";
import type { GpuOptions, RawKernel, GpuReport } from "./backend.js";
import { Runtime } from "./backend.js";
import { ACCUMULATE_SOURCE, LOGITS_SOURCE, ROWMAX_SOURCE, WEIGHTS_SOURCE } from "./kernels.js";
import type { GpuVelocityField } from "./mlp-field.js";
import { toInput } from "./mlp-field.js";
import { drive, driveAsync, readRows, readVector } from "./readback.js";

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
 * Kernel arithmetic is float32.
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
  if (scheduler === null || typeof scheduler !== "object" || typeof scheduler.at !== "function") throw new DomainError(fn, "scheduler", "be a Scheduler", String(scheduler));
  const y = asBatch(fn, "data", data, {});
  const tile = options.dataTile ?? 4096;
  if (!Number.isInteger(tile) || tile < 1) throw new DomainError(fn, "options.dataTile", "be a positive integer", String(tile));
  return new MarginalField(fn, scheduler, y, tile, new Runtime(fn, options));
}

class MarginalField implements GpuVelocityField {
  readonly dim: number;
  readonly report: GpuReport;
  private readonly tiles: { y: unknown; n: number }[] = [];
  private readonly kernels = new Map<string, RawKernel[]>();
  private disposed = false;

  constructor(private readonly fn: string, private readonly scheduler: Scheduler, data: Batch, private readonly dataTile: number, private readonly rt: Runtime) {
    this.dim = data.shape[1] as number;
    this.report = rt.report;
    const N = data.shape[0] as number;
    const d = this.dim;
    for (let s = 0; s < N; s += dataTile) {
      const n = Math.min(dataTile, N - s);
      this.tiles.push({ y: toInput(Float32Array.from(data.data.subarray(s * d, (s + n) * d)), d, n, rt.report.backend), n });
    }
  }

  evaluate(x: Batch, t: Time, out?: Batch): Batch {
    const n = this.check("evaluate", x, t);
    const result = outputBatch(`${this.fn}.evaluate`, out, n, this.dim);
    drive(this.run(false, x, t, result.data));
    this.rt.check(this.fn);
    return result;
  }

  async evaluateAsync(x: Batch, t: Time): Promise<Batch> {
    const n = this.check("evaluateAsync", x, t);
    const result = ndarray(new Float64Array(n * this.dim), [n, this.dim]) as Batch;
    await driveAsync(this.run(true, x, t, result.data));
    this.rt.check(this.fn);
    return result;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.kernels.clear();
    this.rt.dispose();
  }

  private check(method: string, x: Batch, t: Time): number {
    const name = `${this.fn}.${method}`;
    if (this.disposed) throw new DomainError(name, "this", "not be disposed", "a disposed field");
    if (this.report.backend === "webgpu" && !method.endsWith("Async")) throw new DomainError(name, "backend", "allow synchronous readback (webgpu does not: use the Async methods)", "webgpu");
    const n = asBatch(name, "x", x, { dim: this.dim }).shape[0] as number;
    checkTime(name, "t", t, n);
    return n;
  }

  private *run(async: boolean, x: Batch, t: Time, out: Float64Array): Generator<unknown, void, unknown> {
    const d = this.dim;
    const n = x.shape[0] as number;
    for (let start = 0; start < n; start += this.rt.tileRows) {
      const m = Math.min(this.rt.tileRows, n - start);
      const sx = new Float32Array(m);
      const sa = new Float32Array(m);
      const at = [];
      for (let r = 0; r < m; r++) {
        const v = this.scheduler.at(timeAt(t, start + r));
        at.push(v);
        const degenerate = !(v.sigma > 2 ** -52 * Math.abs(v.alpha));
        sx[r] = degenerate ? 0 : 1 / v.sigma;
        sa[r] = degenerate ? 0 : v.alpha / v.sigma;
      }
      const xs = toInput(Float32Array.from(x.data.subarray(start * d, (start + m) * d)), d, m, this.report.backend);
      const best = new Float64Array(m).fill(-Infinity);
      const sum = new Float64Array(m);
      const acc = new Float64Array(m * d);
      const part = new Float64Array(m * (d + 1));
      for (const tile of this.tiles) {
        const [logits, rowMax, weights, accumulate] = this.kernelsFor(m, tile.n, async);
        const l = yield (logits as RawKernel)(xs, tile.y, sx, sa);
        const mx = yield (rowMax as RawKernel)(l);
        const p = yield (weights as RawKernel)(l, mx);
        readRows(yield (accumulate as RawKernel)(p, tile.y), m, d + 1, part, 0);
        const mv = readVector(mx);
        for (let r = 0; r < m; r++) {
          const mr = mv[r] as number;
          const top = Math.max(best[r] as number, mr);
          const a = Math.exp((best[r] as number) - top);
          const b = Math.exp(mr - top);
          best[r] = top;
          sum[r] = (sum[r] as number) * a + (part[r * (d + 1) + d] as number) * b;
          for (let c = 0; c < d; c++) acc[r * d + c] = (acc[r * d + c] as number) * a + (part[r * (d + 1) + c] as number) * b;
        }
      }
      for (let r = 0; r < m; r++) {
        const v = at[r] as ReturnType<Scheduler["at"]>;
        const row = (start + r) * d;
        const degenerate = !(v.sigma > 2 ** -52 * Math.abs(v.alpha));
        for (let c = 0; c < d; c++) {
          const xv = x.data[row + c] as number;
          const yHat = (acc[r * d + c] as number) / (sum[r] as number);
          out[row + c] = degenerate ? (v.dAlpha / v.alpha) * xv : v.dAlpha * yHat + (v.dSigma * (xv - v.alpha * yHat)) / v.sigma;
        }
      }
    }
  }

  private kernelsFor(m: number, nt: number, async: boolean): RawKernel[] {
    const key = `${m}:${nt}:${async ? "a" : "s"}`;
    const cached = this.kernels.get(key);
    if (cached !== undefined) return cached;
    const d = this.dim;
    const ks = [
      this.rt.kernel(`logits[${m}x${nt}]`, LOGITS_SOURCE, [nt, m], { D: d }, d, true, async),
      this.rt.kernel(`rowmax[${m}x${nt}]`, ROWMAX_SOURCE, [m], { N: nt }, nt, true, async),
      this.rt.kernel(`weights[${m}x${nt}]`, WEIGHTS_SOURCE, [nt, m], {}, 0, true, async),
      this.rt.kernel(`accumulate[${m}x${nt}]`, ACCUMULATE_SOURCE, [d + 1, m], { D: d, N: nt }, nt, false, async),
    ];
    this.kernels.set(key, ks);
    return ks;
  }
}

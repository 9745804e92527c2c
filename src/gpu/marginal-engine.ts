import type { Batch } from "../core/batch.js";
import type { Scheduler } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import { timeAt } from "../core/time.js";
import { valuesAt } from "../velocity/scheduler-like.js";
import { MarginalEngine } from "../engine/marginal.js";
import type { GpuReport, RawKernel, Settings } from "./backend.js";
import { Runtime, reportThreadFailure } from "./backend.js";
import { toInput } from "./input.js";
import { ACCUMULATE_SOURCE, LOGITS_SOURCE, ROWMAX_SOURCE, WEIGHTS_SOURCE } from "./kernels.js";
import { drive, driveAsync, readRows, readVector } from "./readback.js";
import type { BackendChoice } from "./select.js";

/** One implementation of the marginal field on one backend (internal); inputs already validated. */
export interface MarginalEngineOfField {
  readonly report: GpuReport;
  pass(async: false, x: Batch, t: Time, out: Float64Array): void;
  pass(async: true, x: Batch, t: Time, out: Float64Array): Promise<void>;
  /** Checks for silent fallbacks (kernels, worker threads), applying the fallback policy and bringing `report` (the field's) up to date. */
  check(fn: string, report: GpuReport): void;
  dispose(): void;
}

/** The engine of a backend choice (internal). */
export function marginalEngine(scheduler: Scheduler, data: Batch, dataTile: number, settings: Settings, choice: BackendChoice): MarginalEngineOfField {
  return choice.backend === "cpu-f64" ? new CpuMarginal(scheduler, data, settings, choice) : new KernelMarginal(scheduler, data, dataTile, new Runtime(settings, choice));
}

/**
 * Our float64 closed-form marginal field (no gpu.js): the engine of the core `marginalVelocity`
 * (blocked GEMM logits, SIMD exp, rows over `poolSize` threads when the call is large), so
 * results are bit-identical to it; thread failures go through the fallback policy.
 */
class CpuMarginal extends MarginalEngine implements MarginalEngineOfField {
  readonly report: GpuReport;

  constructor(private readonly scheduler: Scheduler, data: Batch, private readonly settings: Settings, choice: BackendChoice) {
    super(Float64Array.from(data.data), data.shape[0] as number, data.shape[1] as number, { threads: settings.poolSize, tileRows: settings.tileRows }, "gpuMarginalVelocity");
    const where = this.threads > 1 ? `; float64 on up to ${this.threads} threads (the calling thread and ${this.threads - 1} worker${this.threads === 2 ? "" : "s"})` : "";
    this.report = { backend: "cpu-f64", async: settings.async, reason: `${choice.reason}${where}`, renderer: null, software: false, kernels: [{ name: "marginal rows (float64 GEMM logits, SIMD exp)", requested: "cpu-f64", ran: "cpu-f64", fallbackReason: null }], threads: this.threads };
  }

  pass(async: boolean, x: Batch, t: Time, out: Float64Array): Promise<void> & void {
    const n = x.shape[0] as number;
    const coef = new Float64Array(4 * n);
    for (let r = 0; r < n; r++) {
      const s = valuesAt("gpuMarginalVelocity.evaluate", this.scheduler, timeAt(t, r));
      coef[4 * r] = s.alpha;
      coef[4 * r + 1] = s.sigma;
      coef[4 * r + 2] = s.dAlpha;
      coef[4 * r + 3] = s.dSigma;
    }
    this.evaluate(x.data, coef, n, out);
    return (async ? Promise.resolve() : undefined) as Promise<void> & void;
  }

  check(fn: string, report: GpuReport): void {
    reportThreadFailure(this.failure.take(), fn, this.settings.policy, "cpu-f64", [report, this.report]);
  }
}

/** gpu.js kernels per tile of data points, merged by a float64 log-sum-exp on the host. */
class KernelMarginal implements MarginalEngineOfField {
  readonly dim: number;
  readonly report: GpuReport;
  private readonly tiles: { y: unknown; n: number }[] = [];
  private readonly kernels = new Map<string, RawKernel[]>();

  constructor(private readonly scheduler: Scheduler, data: Batch, dataTile: number, private readonly rt: Runtime) {
    this.dim = data.shape[1] as number;
    this.report = rt.report;
    const N = data.shape[0] as number;
    const d = this.dim;
    for (let s = 0; s < N; s += dataTile) {
      const n = Math.min(dataTile, N - s);
      this.tiles.push({ y: toInput(Float32Array.from(data.data.subarray(s * d, (s + n) * d)), d, n, rt.report.backend), n });
    }
  }

  pass(async: boolean, x: Batch, t: Time, out: Float64Array): Promise<void> & void {
    const gen = this.run(async, x, t, out);
    return (async ? driveAsync(gen) : drive(gen)) as Promise<void> & void;
  }

  check(fn: string): void {
    this.rt.check(fn);
  }

  dispose(): void {
    this.kernels.clear();
    this.rt.dispose();
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

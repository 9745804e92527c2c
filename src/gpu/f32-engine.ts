import type { Batch } from "../core/batch.js";
import type { Time } from "../core/time.js";
import { F32Mlp } from "../engine/f32-mlp.js";
import type { Labels } from "../nn/mlp.js";
import type { MlpSpec } from "../nn/spec.js";
import type { GpuReport, Settings } from "./backend.js";
import { reportThreadFailure } from "./backend.js";
import type { MlpEngine } from "./mlp-engine.js";
import type { BackendChoice } from "./select.js";

/**
 * Backend `cpu-f32` (internal): the engine's float32 MLP ({@link F32Mlp}) with the GPU fields'
 * report and fallback policy.
 */
export class F32Engine extends F32Mlp implements MlpEngine {
  readonly report: GpuReport;
  private readonly policy: Settings["policy"];

  constructor(spec: MlpSpec, settings: Settings, choice: BackendChoice) {
    super(spec, { threads: settings.poolSize, tileRows: settings.tileRows }, "gpuMlpField");
    this.policy = settings.policy;
    const where = this.threads > 1 ? `${this.threads} threads (the calling thread and ${this.threads - 1} worker${this.threads === 2 ? "" : "s"})` : "the calling thread";
    this.report = { backend: "cpu-f32", async: settings.async, reason: `${choice.reason}; float32 WebAssembly SIMD on ${where}`, renderer: null, software: false, kernels: [], threads: this.threads };
  }

  pass(async: boolean, x: Batch, t: Time, labels: Labels, dirs: Float64Array[] | null, values: Float64Array | null, dirsOut: Float64Array[]): Promise<void> & void {
    this.evaluate(x, t, labels, dirs, values, dirsOut);
    for (const name of this.ran) {
      if (!this.report.kernels.some((k) => k.name === name)) this.report.kernels.push({ name, requested: "cpu-f32", ran: "cpu-f32", fallbackReason: null });
    }
    return (async ? Promise.resolve() : undefined) as Promise<void> & void;
  }

  check(fn: string, report: GpuReport): void {
    reportThreadFailure(this.failure.take(), fn, this.policy, "cpu-f32", [report, this.report]);
  }
}

import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import type { Time } from "../core/time.js";
import type { Labels } from "../nn/mlp.js";
import { Mlp } from "../nn/mlp.js";
import type { MlpSpec } from "../nn/spec.js";
import type { GpuReport, RawKernel, Settings } from "./backend.js";
import { Runtime } from "./backend.js";
import { layerSource, tangentSource } from "./kernels.js";
import { drive, driveAsync, readRows } from "./readback.js";
import type { BackendChoice } from "./select.js";
import { toInput } from "./input.js";
import { mlpFeatures } from "../engine/features.js";
import { F32Engine } from "./f32-engine.js";

/**
 * One implementation of the MLP field on one backend (internal): `pass` computes the values
 * (into `values`, unless null) and the tangents (dv/dx) z for each direction z of `dirs` (into
 * `dirsOut`), inputs already validated.
 */
export interface MlpEngine {
  readonly report: GpuReport;
  pass(async: false, x: Batch, t: Time, labels: Labels, dirs: Float64Array[] | null, values: Float64Array | null, dirsOut: Float64Array[]): void;
  pass(async: true, x: Batch, t: Time, labels: Labels, dirs: Float64Array[] | null, values: Float64Array | null, dirsOut: Float64Array[]): Promise<void>;
  /** Replaces the weights by those of `spec` (same architecture, checked by the field). */
  load(spec: MlpSpec): void;
  /** Checks for silent fallbacks (kernels, worker threads), applying the fallback policy and bringing `report` (the field's) up to date. */
  check(fn: string, report: GpuReport): void;
  dispose(): void;
}

/** The engine of a backend choice (internal). */
export function mlpEngine(spec: MlpSpec, settings: Settings, choice: BackendChoice): MlpEngine {
  if (choice.backend === "cpu-f64") return new CpuEngine(spec, settings, choice);
  if (choice.backend === "cpu-f32") return new F32Engine(spec, settings, choice);
  return new KernelEngine(spec, new Runtime(settings, choice));
}

/** Our float64 CPU MLP (no gpu.js). */
class CpuEngine implements MlpEngine {
  readonly report: GpuReport;
  private net: Mlp;

  constructor(spec: MlpSpec, settings: Settings, choice: BackendChoice) {
    this.net = new Mlp(spec);
    this.report = { backend: "cpu-f64", async: settings.async, reason: choice.reason, renderer: null, software: false, kernels: [] };
  }

  pass(async: boolean, x: Batch, t: Time, labels: Labels, dirs: Float64Array[] | null, values: Float64Array | null, dirsOut: Float64Array[]): Promise<void> & void {
    const n = x.shape[0] as number;
    const d = this.net.dim;
    if (values !== null) values.set(this.net.evaluateLabeled(x, t, labels).data);
    for (const [p, z] of (dirs ?? []).entries()) {
      const zb = ndarray(z, [n, d]) as Batch;
      (dirsOut[p] as Float64Array).set(this.net.jvpLabeled(x, t, labels, zb).data);
    }
    return (async ? Promise.resolve() : undefined) as Promise<void> & void;
  }

  load(spec: MlpSpec): void {
    this.net = new Mlp(spec);
  }

  check(): void {}

  dispose(): void {}
}

interface Plan { primal: RawKernel[]; tangent: RawKernel[] }

/** gpu.js kernels: one per dense layer, pipelined, tile by tile. */
class KernelEngine implements MlpEngine {
  readonly report: GpuReport;
  private readonly inputs: number;
  private weights: Float32Array[];
  private biases: Float32Array[];
  private readonly plans = new Map<string, Plan>();

  constructor(private spec: MlpSpec, private readonly rt: Runtime) {
    this.report = rt.report;
    this.inputs = (spec.layers[0] as MlpSpec["layers"][number]).inputs;
    this.weights = spec.layers.map((l) => Float32Array.from(l.weight));
    this.biases = spec.layers.map((l) => Float32Array.from(l.bias));
  }

  pass(async: boolean, x: Batch, t: Time, labels: Labels, dirs: Float64Array[] | null, values: Float64Array | null, dirsOut: Float64Array[]): Promise<void> & void {
    const gen = this.forward(async, x, t, labels, dirs, values, dirsOut);
    return (async ? driveAsync(gen) : drive(gen)) as Promise<void> & void;
  }

  load(spec: MlpSpec): void {
    this.spec = spec;
    this.weights = spec.layers.map((l) => Float32Array.from(l.weight));
    this.biases = spec.layers.map((l) => Float32Array.from(l.bias));
  }

  check(fn: string): void {
    this.rt.check(fn);
  }

  dispose(): void {
    this.plans.clear();
    this.rt.dispose();
  }

  /** The kernel calls of a forward pass (values into `values`) and of tangent passes (into `dirsOut`), tile by tile. */
  private *forward(async: boolean, x: Batch, t: Time, labels: Labels, dirs: Float64Array[] | null, values: Float64Array | null, dirsOut: Float64Array[]): Generator<unknown, void, unknown> {
    const n = x.shape[0] as number;
    const d = this.spec.dim;
    const tile = this.rt.tileRows;
    const L = this.spec.layers.length;
    for (let start = 0; start < n; start += tile) {
      const m = Math.min(tile, n - start);
      const plan = this.plan(m, async);
      const hs: unknown[] = [toInput(mlpFeatures(this.spec, x, t, labels, start, m), this.inputs, m, this.report.backend)];
      const last = dirs === null || values !== null ? L : L - 1;
      for (let l = 0; l < last; l++) hs.push(yield (plan.primal[l] as RawKernel)(hs[l], this.weights[l], this.biases[l]));
      if (values !== null) readRows(hs[L], m, d, values, start * d);
      if (dirs === null) continue;
      for (let p = 0; p < dirs.length; p++) {
        const v = (dirs[p] as Float64Array).subarray(start * d, (start + m) * d);
        let dh: unknown = toInput(Float32Array.from(v), d, m, this.report.backend);
        for (let l = 0; l < L; l++) dh = yield (plan.tangent[l] as RawKernel)(hs[l], dh, this.weights[l], this.biases[l]);
        readRows(dh, m, d, dirsOut[p] as Float64Array, start * d);
      }
    }
  }

  private plan(m: number, async: boolean): Plan {
    const key = `${m}${async ? "a" : "s"}`;
    const cached = this.plans.get(key);
    if (cached !== undefined) return cached;
    const layers = this.spec.layers;
    const L = layers.length;
    const primal: RawKernel[] = [];
    const tangent: RawKernel[] = [];
    layers.forEach((layer, l) => {
      const act = l === L - 1 ? "linear" : this.spec.activation;
      const K = layer.inputs;
      const kt = l === 0 ? this.spec.dim : K;
      primal.push(this.rt.kernel(`layer${l}[${m}]`, layerSource(act), [layer.outputs, m], { K }, K, l < L - 1, async));
      tangent.push(this.rt.kernel(`tangent${l}[${m}]`, tangentSource(act), [layer.outputs, m], { K, KT: kt }, K, l < L - 1, async));
    });
    const plan = { primal, tangent };
    this.plans.set(key, plan);
    return plan;
  }
}

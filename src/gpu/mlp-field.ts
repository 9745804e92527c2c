import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { DomainError, ShapeError } from "../core/errors.js";
import type { VelocityField } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import type { MlpSpec } from "../nn/spec.js";
import type { Labels } from "../nn/mlp.js";
import { Mlp } from "../nn/mlp.js";
import type { CalibrationOptions, GpuOptions, GpuReport, Settings } from "./backend.js";
import { checkCall, checkOptions } from "./backend.js";
import { adoptCalibration, calibrateEngines } from "./calibrate.js";
import type { MlpEngine } from "./mlp-engine.js";
import { mlpEngine } from "./mlp-engine.js";
import { chooseBackend } from "./select.js";
import { checkFiniteResult, outputArray } from "../core/check.js";

/**
 * A velocity field evaluated by gpu.js kernels, with asynchronous twins of its methods for
 * backends whose readback is asynchronous. Results are float32 computations returned as
 * float64 batches.
 *
 * @category GPU
 */
export interface GpuVelocityField extends VelocityField {
  /** Which backend ran every kernel, and why it was chosen. */
  readonly report: GpuReport;
  /** u_t(x) under the asynchronous contract. */
  evaluateAsync(x: Batch, t: Time): Promise<Batch>;
  /**
   * Times every available backend (see {@link GpuBackend}; `cpu-f64` always among them) on these
   * shapes, `warmup` runs then the median of `repeats`, under the contract of
   * {@link GpuOptions.async}, switches the field to the fastest and records the timings and the
   * reason in {@link GpuReport}. The workload timed is `evaluate(x, t)`, or for the MLP field
   * with {@link CalibrationOptions.probes} `hutchinson(x, t, probes)`. WebGPU is a candidate only for the async contract and only after
   * gpu.js's adapter request answered.
   */
  calibrate(x: Batch, t: Time, options?: CalibrationOptions): Promise<GpuReport>;
  /** Releases every kernel and the gpu.js instance; the field is unusable afterwards. */
  dispose(): void;
}

/**
 * The MLP field on gpu.js, with forward-mode JVP kernels for divergences.
 *
 * @category GPU
 */
export interface GpuMlpField extends GpuVelocityField {
  /** v(x, t, y) with class labels like `Mlp.evaluateLabeled` (one label or one per row, integers in [0, classes], `classes` the null label); `evaluate` uses the null label. */
  evaluateLabeled(x: Batch, t: Time, labels: Labels, out?: Batch): Batch;
  /** {@link GpuMlpField.evaluateLabeled} under the asynchronous contract. */
  evaluateLabeledAsync(x: Batch, t: Time, labels: Labels): Promise<Batch>;
  /** (dv/dx)(x, t) v through the tangent kernels. */
  jvp(x: Batch, t: Time, v: Batch, out?: Batch): Batch;
  /** Exact divergence: `dim` tangent passes with the unit vectors, sharing one forward pass. */
  divergence(x: Batch, t: Time, out?: Float64Array): Float64Array;
  /** Hutchinson estimate mean_p z_p^T (dv/dx) z_p for the given probes (one forward pass, one tangent pass per probe). */
  hutchinson(x: Batch, t: Time, probes: readonly Batch[]): Float64Array;
  /** {@link GpuMlpField.jvp} under the asynchronous contract. */
  jvpAsync(x: Batch, t: Time, v: Batch): Promise<Batch>;
  /** {@link GpuMlpField.hutchinson} under the asynchronous contract. */
  hutchinsonAsync(x: Batch, t: Time, probes: readonly Batch[]): Promise<Float64Array>;
  /**
   * Replaces the weights and biases by those of `net`, which must have this field's
   * architecture (dim, time embedding, classes, activation, layer shapes), keeping the kernels
   * and the backend: for sampling a model between training steps. Worker threads of `cpu-f32`
   * restart with the new weights on the next call that needs them.
   */
  load(net: Mlp | MlpSpec): void;
}

/**
 * Builds the MLP velocity field v(x, t) on gpu.js (or, as backend `cpu-f64`, on our float64 CPU
 * {@link Mlp} built from the same spec): the time embedding and one-hot label
 * are assembled on the host in float32, then each dense layer act(W h + b) is one kernel
 * (output [width, rows], loop over the inputs as a constant bound), layers passing their
 * outputs to the next kernel without readback (textures on graphics backends, typed arrays on
 * webasm and cpu). Batches larger than `tileRows` are cut into tiles. Tangents use
 * act'(W h + b) (W dh) kernels, so `jvp`, `divergence` and `hutchinson` cost one forward pass
 * plus one tangent pass per direction. All arithmetic is float32 (relative error ~1e-6 per
 * layer); the results are copied into float64 batches.
 *
 * @param net - a CPU {@link Mlp} or its {@link MlpSpec}
 * @param options - backend options (see {@link GpuOptions})
 * @returns the field; call `dispose()` when done
 * @throws `DomainError` for bad options or a silent CPU fallback under `onFallback: "error"`
 * @example
 * ```ts
 * const net = mlp({ dim: 2, hidden: [64, 64] });
 * const field = gpuMlpField(net, { backend: "webasm" });
 * field.evaluate(fromRows([[0.5, -1]]), 0.3).shape // => [1, 2] (matches net.evaluate to ~1e-6)
 * field.report.backend // => "webasm"
 * field.dispose();
 * const auto = gpuMlpField(net); // Node without a GPU: our CPU path
 * auto.report.backend // => "cpu-f32" (our float32 WebAssembly-SIMD path on worker threads)
 * auto.dispose();
 * ```
 * @category GPU
 */
export function gpuMlpField(net: Mlp | MlpSpec, options: GpuOptions = {}): GpuMlpField {
  const fn = "gpuMlpField";
  const spec = specOf(fn, net);
  const settings = checkOptions(fn, options);
  return new MlpField(fn, spec, settings, mlpEngine(spec, settings, chooseBackend(fn, settings.requested, settings.allowSoftware, "mlp")));
}

class MlpField implements GpuMlpField {
  readonly dim: number;
  readonly report: GpuReport;
  private readonly classes: number;
  private disposed = false;

  constructor(private readonly fn: string, private spec: MlpSpec, private readonly settings: Settings, private engine: MlpEngine) {
    this.dim = spec.dim;
    this.classes = spec.classes ?? 0;
    this.report = { ...engine.report };
  }

  evaluate(x: Batch, t: Time, out?: Batch): Batch {
    return this.evaluateLabeled(x, t, this.classes, out);
  }

  evaluateLabeled(x: Batch, t: Time, labels: Labels, out?: Batch): Batch {
    const xb = this.check("evaluateLabeled", x, t, labels);
    const n = xb.shape[0] as number;
    const result = outputBatch(`${this.fn}.evaluateLabeled`, out, n, this.dim);
    this.engine.pass(false, xb, t, labels, null, result.data, []);
    this.engine.check(this.fn, this.report);
    checkFiniteResult(this.fn, "result", result.data);
    return result;
  }

  evaluateAsync(x: Batch, t: Time): Promise<Batch> {
    return this.evaluateLabeledAsync(x, t, this.classes);
  }

  async evaluateLabeledAsync(x: Batch, t: Time, labels: Labels): Promise<Batch> {
    const xb = this.check("evaluateLabeledAsync", x, t, labels);
    const n = xb.shape[0] as number;
    const result = ndarray(new Float64Array(n * this.dim), [n, this.dim]) as Batch;
    await this.engine.pass(true, xb, t, labels, null, result.data, []);
    this.engine.check(this.fn, this.report);
    checkFiniteResult(this.fn, "result", result.data);
    return result;
  }

  jvp(x: Batch, t: Time, v: Batch, out?: Batch): Batch {
    const xb = this.check("jvp", x, t, this.classes);
    const n = xb.shape[0] as number;
    const vb = asBatch(`${this.fn}.jvp`, "v", v, { dim: this.dim, rows: n });
    const result = outputBatch(`${this.fn}.jvp`, out, n, this.dim);
    this.engine.pass(false, xb, t, this.classes, [vb.data], null, [result.data]);
    this.engine.check(this.fn, this.report);
    checkFiniteResult(this.fn, "result", result.data);
    return result;
  }

  async jvpAsync(x: Batch, t: Time, v: Batch): Promise<Batch> {
    const xb = this.check("jvpAsync", x, t, this.classes);
    const n = xb.shape[0] as number;
    const vb = asBatch(`${this.fn}.jvpAsync`, "v", v, { dim: this.dim, rows: n });
    const result = ndarray(new Float64Array(n * this.dim), [n, this.dim]) as Batch;
    await this.engine.pass(true, xb, t, this.classes, [vb.data], null, [result.data]);
    this.engine.check(this.fn, this.report);
    checkFiniteResult(this.fn, "result", result.data);
    return result;
  }

  divergence(x: Batch, t: Time, out?: Float64Array): Float64Array {
    const xb = this.check("divergence", x, t, this.classes);
    const n = xb.shape[0] as number;
    outputArray(`${this.fn}.divergence`, out, n);
    const d = this.dim;
    const units: Float64Array[] = [];
    for (let j = 0; j < d; j++) {
      const e = new Float64Array(n * d);
      for (let r = 0; r < n; r++) e[r * d + j] = 1;
      units.push(e);
    }
    const jv = units.map(() => new Float64Array(n * d));
    this.engine.pass(false, xb, t, this.classes, units, null, jv);
    this.engine.check(this.fn, this.report);
    return this.contract(units, jv, n, out, 1);
  }

  hutchinson(x: Batch, t: Time, probes: readonly Batch[]): Float64Array {
    const xb = this.check("hutchinson", x, t, this.classes);
    const n = xb.shape[0] as number;
    const zs = this.probes("hutchinson", probes, n);
    const jv = zs.map(() => new Float64Array(n * this.dim));
    this.engine.pass(false, xb, t, this.classes, zs, null, jv);
    this.engine.check(this.fn, this.report);
    return this.contract(zs, jv, n, undefined, 1 / zs.length);
  }

  async hutchinsonAsync(x: Batch, t: Time, probes: readonly Batch[]): Promise<Float64Array> {
    const xb = this.check("hutchinsonAsync", x, t, this.classes);
    const n = xb.shape[0] as number;
    const zs = this.probes("hutchinsonAsync", probes, n);
    const jv = zs.map(() => new Float64Array(n * this.dim));
    await this.engine.pass(true, xb, t, this.classes, zs, null, jv);
    this.engine.check(this.fn, this.report);
    return this.contract(zs, jv, n, undefined, 1 / zs.length);
  }

  async calibrate(x: Batch, t: Time, options: CalibrationOptions = {}): Promise<GpuReport> {
    const xb = this.check("calibrate", x, t, this.classes, true);
    const n = xb.shape[0] as number;
    const labels = this.classes;
    const values = new Float64Array(n * this.dim);
    // with probes, the likelihood workload: the tangents of every probe (the values come with them)
    const dirs = options !== null && typeof options === "object" && options.probes !== undefined ? this.probes("calibrate", options.probes, n) : null;
    const dirsOut = (dirs ?? []).map(() => new Float64Array(n * this.dim));
    const result = await calibrateEngines(`${this.fn}.calibrate`, this.settings, options, n, "mlp",
      (c) => mlpEngine(this.spec, this.settings, c),
      (e) => {
        const r = this.settings.async ? e.pass(true, xb, t, labels, dirs, dirs === null ? values : null, dirsOut) : e.pass(false, xb, t, labels, dirs, dirs === null ? values : null, dirsOut);
        e.check(this.fn, e.report);
        return r;
      },
      (e) => e.dispose());
    this.engine = adoptCalibration(this.engine, result, this.report);
    return this.report;
  }

  load(net: Mlp | MlpSpec): void {
    const name = `${this.fn}.load`;
    if (this.disposed) throw new DomainError(name, "this", "not be disposed", "a disposed field");
    const spec = specOf(name, net);
    const mismatch = architectureMismatch(this.spec, spec);
    if (mismatch !== null) throw new DomainError(name, "net", "have the field's architecture", mismatch);
    this.spec = spec;
    this.engine.load(spec);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.dispose();
  }

  private check(method: string, x: Batch, t: Time, labels: Labels, anyContract = false): Batch {
    const name = `${this.fn}.${method}`;
    const xb = checkCall(name, this.disposed, this.report.backend, !anyContract && !method.endsWith("Async"), x, t, this.dim);
    checkLabels(name, labels, this.classes, xb.shape[0] as number);
    return xb;
  }

  private probes(method: string, probes: readonly Batch[], n: number): Float64Array[] {
    if (!Array.isArray(probes) || probes.length === 0) throw new DomainError(`${this.fn}.${method}`, "probes", "be a non-empty array of batches", String(probes));
    return probes.map((p, i) => asBatch(`${this.fn}.${method}`, `probes[${i}]`, p, { dim: this.dim, rows: n }).data);
  }

  /** sum_j z_j (Jz)_j per row, times `scale`, summed over the directions. */
  private contract(zs: Float64Array[], jv: Float64Array[], n: number, out: Float64Array | undefined, scale: number): Float64Array {
    const result = out ?? new Float64Array(n);
    result.fill(0);
    const d = this.dim;
    for (let p = 0; p < zs.length; p++) {
      const z = zs[p] as Float64Array;
      const j = jv[p] as Float64Array;
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let c = r * d; c < (r + 1) * d; c++) s += (z[c] as number) * (j[c] as number);
        result[r] = (result[r] as number) + scale * s;
      }
    }
    return checkFiniteResult(this.fn, "divergence", result);
  }
}

/** Labels like `Mlp.evaluateLabeled`'s: one integer in [0, classes] or one per row. */
function checkLabels(fn: string, labels: Labels, classes: number, n: number): void {
  const check = (y: unknown, name: string): void => {
    if (typeof y !== "number" || !Number.isInteger(y) || y < 0 || y > classes) throw new DomainError(fn, name, `be an integer label in [0, ${classes}]`, String(y));
  };
  if (typeof labels === "number") return check(labels, "labels");
  if (labels === null || typeof labels !== "object" || typeof labels.length !== "number") throw new DomainError(fn, "labels", "be a label or an array of labels", String(labels));
  if (labels.length !== n) throw new ShapeError(fn, "labels", `have length n = ${n}`, String(labels.length));
  for (let i = 0; i < n; i++) check(labels[i], `labels[${i}]`);
}

/** A validated copy of the spec of an Mlp or MlpSpec (duck-typed, not instanceof: the gpu entry's bundle has its own copy of the Mlp class). */
function specOf(fn: string, net: Mlp | MlpSpec): MlpSpec {
  if (net === null || typeof net !== "object") throw new DomainError(fn, "net", "be an Mlp or an MlpSpec", String(net));
  const spec = typeof (net as Partial<Mlp>).toSpec === "function" ? new Mlp((net as Mlp).toSpec()).toSpec() : new Mlp(net as MlpSpec).toSpec();
  if ((spec.conditionDim ?? 0) > 0) throw new DomainError(fn, "net", "have no continuous condition (the gpu kernels do not take conditionDim yet)", `conditionDim ${spec.conditionDim}`);
  return spec;
}

/** How `b` differs from `a` in architecture (shapes, activation, time embedding, classes), or null. */
function architectureMismatch(a: MlpSpec, b: MlpSpec): string | null {
  const shape = (s: MlpSpec) => s.layers.map((l) => `${l.inputs}x${l.outputs}`).join(",");
  const time = (s: MlpSpec) => (s.time.kind === "concat" ? "concat" : `fourier(${Array.from(s.time.frequencies).join(",")})`);
  const describe = (s: MlpSpec) => `dim ${s.dim}, layers ${shape(s)}, ${s.activation}, time ${time(s)}, classes ${s.classes ?? 0}`;
  return describe(a) === describe(b) ? null : `${describe(b)} (the field: ${describe(a)})`;
}

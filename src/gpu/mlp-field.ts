import ndarray from "ndarray";
import { Input } from "gpu.js";
import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { DomainError, ShapeError } from "../core/errors.js";
import type { VelocityField } from "../core/interfaces.js";
import type { Time } from "../core/time.js";
import { checkTime, timeAt } from "../core/time.js";
import type { MlpSpec } from "../nn/spec.js";
import { Mlp } from "../nn/mlp.js";
import type { GpuOptions, GpuReport, RawKernel } from "./backend.js";
import { Runtime } from "./backend.js";
import { layerSource, tangentSource } from "./kernels.js";
import { drive, driveAsync, readRows } from "./readback.js";

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
  /** Releases every kernel and the gpu.js instance; the field is unusable afterwards. */
  dispose(): void;
}

/**
 * The MLP field on gpu.js, with forward-mode JVP kernels for divergences.
 *
 * @category GPU
 */
export interface GpuMlpField extends GpuVelocityField {
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
}

/**
 * Builds the MLP velocity field v(x, t) on gpu.js: the time embedding and one-hot null label
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
 * ```
 * @category GPU
 */
export function gpuMlpField(net: Mlp | MlpSpec, options: GpuOptions = {}): GpuMlpField {
  const fn = "gpuMlpField";
  if (net === null || typeof net !== "object") throw new DomainError(fn, "net", "be an Mlp or an MlpSpec", String(net));
  const spec = net instanceof Mlp ? net.toSpec() : new Mlp(net).toSpec();
  return new MlpField(fn, spec, new Runtime(fn, options));
}

interface Plan { primal: RawKernel[]; tangent: RawKernel[] }

class MlpField implements GpuMlpField {
  readonly dim: number;
  readonly report: GpuReport;
  private readonly inputs: number;
  private readonly weights: Float32Array[];
  private readonly biases: Float32Array[];
  private readonly plans = new Map<string, Plan>();
  private disposed = false;

  constructor(private readonly fn: string, private readonly spec: MlpSpec, private readonly rt: Runtime) {
    this.dim = spec.dim;
    this.report = rt.report;
    this.inputs = (spec.layers[0] as MlpSpec["layers"][number]).inputs;
    this.weights = spec.layers.map((l) => Float32Array.from(l.weight));
    this.biases = spec.layers.map((l) => Float32Array.from(l.bias));
  }

  evaluate(x: Batch, t: Time, out?: Batch): Batch {
    const { n } = this.check("evaluate", x, t);
    const result = outputBatch(`${this.fn}.evaluate`, out, n, this.dim);
    drive(this.forward(false, x, t, null, result.data));
    this.rt.check(this.fn);
    return result;
  }

  async evaluateAsync(x: Batch, t: Time): Promise<Batch> {
    const { n } = this.check("evaluateAsync", x, t);
    const result = ndarray(new Float64Array(n * this.dim), [n, this.dim]) as Batch;
    await driveAsync(this.forward(true, x, t, null, result.data));
    this.rt.check(this.fn);
    return result;
  }

  jvp(x: Batch, t: Time, v: Batch, out?: Batch): Batch {
    const { n } = this.check("jvp", x, t);
    const vb = asBatch(`${this.fn}.jvp`, "v", v, { dim: this.dim, rows: n });
    const result = outputBatch(`${this.fn}.jvp`, out, n, this.dim);
    drive(this.forward(false, x, t, [vb.data], null, [result.data]));
    this.rt.check(this.fn);
    return result;
  }

  async jvpAsync(x: Batch, t: Time, v: Batch): Promise<Batch> {
    const { n } = this.check("jvpAsync", x, t);
    const vb = asBatch(`${this.fn}.jvpAsync`, "v", v, { dim: this.dim, rows: n });
    const result = ndarray(new Float64Array(n * this.dim), [n, this.dim]) as Batch;
    await driveAsync(this.forward(true, x, t, [vb.data], null, [result.data]));
    this.rt.check(this.fn);
    return result;
  }

  divergence(x: Batch, t: Time, out?: Float64Array): Float64Array {
    const { n } = this.check("divergence", x, t);
    if (out !== undefined && out.length !== n) throw new ShapeError(`${this.fn}.divergence`, "out", `have length ${n}`, String(out.length));
    const d = this.dim;
    const units: Float64Array[] = [];
    for (let j = 0; j < d; j++) {
      const e = new Float64Array(n * d);
      for (let r = 0; r < n; r++) e[r * d + j] = 1;
      units.push(e);
    }
    return this.contract(units, drive(this.forward(false, x, t, units, null, units.map(() => new Float64Array(n * d)))), n, out, 1);
  }

  hutchinson(x: Batch, t: Time, probes: readonly Batch[]): Float64Array {
    const { n } = this.check("hutchinson", x, t);
    const zs = this.probes("hutchinson", probes, n);
    const jv = drive(this.forward(false, x, t, zs, null, zs.map(() => new Float64Array(n * this.dim))));
    this.rt.check(this.fn);
    return this.contract(zs, jv, n, undefined, 1 / zs.length);
  }

  async hutchinsonAsync(x: Batch, t: Time, probes: readonly Batch[]): Promise<Float64Array> {
    const { n } = this.check("hutchinsonAsync", x, t);
    const zs = this.probes("hutchinsonAsync", probes, n);
    const jv = await driveAsync(this.forward(true, x, t, zs, null, zs.map(() => new Float64Array(n * this.dim))));
    this.rt.check(this.fn);
    return this.contract(zs, jv, n, undefined, 1 / zs.length);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.plans.clear();
    this.rt.dispose();
  }

  private check(method: string, x: Batch, t: Time): { n: number } {
    const name = `${this.fn}.${method}`;
    if (this.report.backend === "webgpu" && !method.endsWith("Async")) throw new DomainError(name, "backend", "allow synchronous readback (webgpu does not: use the Async methods)", "webgpu");
    if (this.disposed) throw new DomainError(name, "this", "not be disposed", "a disposed field");
    const n = asBatch(name, "x", x, { dim: this.dim }).shape[0] as number;
    checkTime(name, "t", t, n);
    return { n };
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
    return result;
  }

  /** The kernel calls of a forward pass (values into `values`) and of tangent passes (into `tangentsOut`), tile by tile. */
  private *forward(async: boolean, x: Batch, t: Time, tangents: Float64Array[] | null, values: Float64Array | null, tangentsOut: Float64Array[] = []): Generator<unknown, Float64Array[], unknown> {
    const n = x.shape[0] as number;
    const d = this.dim;
    const tile = this.rt.tileRows;
    const L = this.spec.layers.length;
    for (let start = 0; start < n; start += tile) {
      const m = Math.min(tile, n - start);
      const plan = this.plan(m, async);
      const features = toInput(this.features(x, t, start, m), this.inputs, m, this.report.backend);
      const hs: unknown[] = [features];
      const last = tangents === null ? L : L - 1;
      for (let l = 0; l < last; l++) hs.push(yield (plan.primal[l] as RawKernel)(hs[l], this.weights[l], this.biases[l]));
      if (values !== null) readRows(hs[L], m, d, values, start * d);
      if (tangents === null) continue;
      for (let p = 0; p < tangents.length; p++) {
        const v = (tangents[p] as Float64Array).subarray(start * d, (start + m) * d);
        let dh: unknown = toInput(Float32Array.from(v), d, m, this.report.backend);
        for (let l = 0; l < L; l++) dh = yield (plan.tangent[l] as RawKernel)(hs[l], dh, this.weights[l], this.biases[l]);
        readRows(dh, m, d, tangentsOut[p] as Float64Array, start * d);
      }
    }
    return tangentsOut;
  }

  /** The float32 first-layer input [x, time features, null one-hot] of rows start..start+m. */
  private features(x: Batch, t: Time, start: number, m: number): Float32Array {
    const d = this.dim;
    const K = this.inputs;
    const f = new Float32Array(m * K);
    const time = this.spec.time;
    const classes = this.spec.classes ?? 0;
    for (let r = 0; r < m; r++) {
      const base = r * K;
      for (let c = 0; c < d; c++) f[base + c] = x.data[(start + r) * d + c] as number;
      const tr = timeAt(t, start + r);
      let off = base + d;
      if (time.kind === "concat") f[off++] = tr;
      else {
        for (const freq of time.frequencies) {
          const angle = 2 * Math.PI * freq * tr;
          f[off++] = Math.sin(angle);
          f[off++] = Math.cos(angle);
        }
      }
      if (classes > 0) f[off + classes] = 1;
    }
    return f;
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
      const kt = l === 0 ? this.dim : K;
      primal.push(this.rt.kernel(`layer${l}[${m}]`, layerSource(act), [layer.outputs, m], { K }, K, l < L - 1, async));
      tangent.push(this.rt.kernel(`tangent${l}[${m}]`, tangentSource(act), [layer.outputs, m], { K, KT: kt }, K, l < L - 1, async));
    });
    const plan = { primal, tangent };
    this.plans.set(key, plan);
    return plan;
  }
}

/**
 * A flat float32 matrix [rows, width] as a gpu.js 2D argument. gpu.js 2.24's cpu backend
 * indexes an `Input` with the kernel's output width instead of the input's, so it gets row views.
 */
export function toInput(data: Float32Array, width: number, rows: number, backend: string): Input | Float32Array[] {
  if (backend !== "cpu") return new Input(data as unknown as number[], [width, rows]);
  const list: Float32Array[] = [];
  for (let r = 0; r < rows; r++) list.push(data.subarray(r * width, (r + 1) * width));
  return list;
}

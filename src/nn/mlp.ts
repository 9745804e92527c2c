import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { checkTime } from "../core/time.js";
import type { Time } from "../core/time.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import type { VelocityField } from "../core/interfaces.js";
import type { MlpSpec, Activation, TimeEmbeddingSpec } from "./spec.js";
import { activate } from "./activation.js";
import { matmulNN, matmulNT, matmulTN, simdEnabled } from "./matmul.js";
import { MlpThreads } from "../engine/mlp-threads.js";
import { MlpF32Train, f32TrainKernel } from "../engine/f32-train.js";
import type { ChunkNet } from "../engine/mlp-chunks.js";
import { checkInteger } from "../core/check.js";
import { Workspace } from "./workspace.js";
import { validateSpec, timeFeatureCount } from "./validate.js";
import { mlpSpecFromJSON, mlpSpecToJSON } from "./serialize.js";
import type { MlpJson } from "./serialize.js";
import { outputArray } from "../core/check.js";
import { checkFiniteArray } from "../core/check.js";
import { describeShape, describeValue } from "../core/format.js";

/**
 * Class labels of a conditional model: one label for every row, or one per row. The label
 * `classes` (one past the last real class) is the "null" label used for classifier-free
 * guidance; unconditional evaluation of a conditional model uses it.
 *
 * @category Neural networks
 */
export type Labels = number | ArrayLike<number>;

/**
 * What a conditional model takes beside (x, t): integer {@link Labels} (a model with
 * `classes`) or a continuous condition batch of shape [n, conditionDim] (a model with
 * `conditionDim`), row i for row i of x.
 *
 * @category Neural networks
 */
export type ModelCondition = Labels | Batch;

/**
 * Arithmetic of an {@link Mlp}'s training passes ({@link Mlp.forward} and {@link Mlp.backward}):
 * `"float64"` (the default), `"float32"` (float32 WebAssembly SIMD; same bits on every machine and
 * thread count) or `"float32-relaxed"` (float32 with relaxed-SIMD fused multiply-adds where the
 * runtime has relaxed SIMD, as Node 24 and Chrome do, else as `"float32"`: faster, same bits for
 * every thread count, but whether a multiply-add rounds once or twice depends on the CPU, so the
 * bits may differ between machines).
 *
 * @category Neural networks
 */
export type MlpPrecision = "float64" | "float32" | "float32-relaxed";

/**
 * A multilayer perceptron velocity field v_theta(x, t[, y]) on R^dim with a hand-written
 * reverse-mode backward (parameter gradients), forward-mode JVP and exact divergence, all
 * in float64. Its parameters live in one flat `Float64Array` (`parameters`) whose
 * subarrays are the layers' weights and biases, and its gradient in another of the same
 * layout (`gradient`), so optimizers update them in place.
 *
 * Input of the first layer: [x, time features, one-hot label (classes + 1 columns, when
 * conditional), condition c (conditionDim columns, when continuously conditioned)]; hidden
 * layers z -> f(W z + b); the last layer is linear. A continuously conditioned MLP is a
 * {@link ConditionedVelocityField} (`evaluateConditioned`, `jvpConditioned`,
 * `divergenceConditioned`: derivatives in x only, c held fixed), so `withCondition(net, c)`
 * samples it; its plain `evaluate` has no condition to use and throws.
 * Buffers are allocated once per batch capacity and reused; `forward` keeps the
 * activations that the next `backward` needs (evaluate, jvp and divergence use separate
 * buffers and do not disturb them).
 *
 * @example
 * ```ts
 * const net = mlp({ dim: 2, hidden: [16, 16], seed: 0 });
 * net.evaluate(fromRows([[0.5, -1]]), 0.3).shape // => [1, 2]
 * ```
 * @category Neural networks
 */
export class Mlp implements VelocityField {
  /** Dimension of x and of the output. */
  readonly dim: number;
  /** Number of real classes (0: unconditional). */
  readonly classes: number;
  /** Width of the continuous condition (0: none). */
  readonly conditionDim: number;
  /** Hidden activation. */
  readonly activation: Activation;
  /** Time embedding (the frequencies are a private copy). */
  readonly time: TimeEmbeddingSpec;
  /** Width of the first layer's input: dim + time features + (classes + 1 when conditional). */
  readonly inputs: number;
  /** Output widths of the layers, input to output (the last is `dim`). */
  readonly widths: readonly number[];
  /** All weights and biases, layer by layer (weight row-major [outputs, inputs], then bias). */
  readonly parameters: Float64Array;
  /** Gradient of the last {@link Mlp.backward}, in the layout of `parameters`. */
  readonly gradient: Float64Array;
  private readonly weights: Float64Array[] = [];
  private readonly biases: Float64Array[] = [];
  private readonly weightGrads: Float64Array[] = [];
  private readonly biasGrads: Float64Array[] = [];
  private readonly layerInputs: number[] = [];
  private train: Workspace | null = null;
  private scratch: Workspace | null = null;
  private cachedRows = -1;
  /** Whether the last forward ran on the engine (then backward does too). */
  private cachedOnEngine = false;
  private engine: MlpThreads | null = null;

  /**
   * Threads for batches of 512 rows or more (the calling thread and `threads - 1` workers;
   * default: the cores, at most 8; 1 where blocking worker threads are missing, as in browsers).
   * Such batches run in chunks of 256 rows whose gradients are added in chunk order, so every
   * result is the same bits whatever the thread count; set 1 to keep to the calling thread.
   */
  threads: number | undefined = undefined;

  /**
   * Arithmetic of {@link Mlp.forward} and {@link Mlp.backward} (see {@link MlpPrecision}; default
   * `"float64"`). With a float32 precision the parameters stay float64 (the optimizer updates
   * them in float64) and are rounded to float32 at every forward; activations, slopes and the
   * per-chunk gradients (256 rows) are float32, the chunks' gradients are added in float64 in
   * chunk order, so the gradient is the same bits whatever the thread count. Where WebAssembly
   * SIMD or shared WebAssembly memory is missing, the passes stay float64. `evaluate`, `jvp` and
   * `divergence` are float64 always.
   */
  precision: MlpPrecision = "float64";
  private f32: MlpF32Train | null = null;
  private f32Threads: number | undefined = undefined;
  private cachedOnF32 = false;

  /**
   * Builds an MLP from a spec (copied; validated like untrusted data).
   *
   * @param spec - the plain-data description
   * @throws {@link ShapeError} or {@link DomainError} for an inconsistent spec
   */
  constructor(spec: MlpSpec) {
    validateSpec("Mlp", spec);
    this.dim = spec.dim;
    this.classes = spec.classes ?? 0;
    this.conditionDim = spec.conditionDim ?? 0;
    this.activation = spec.activation;
    this.time = spec.time.kind === "concat" ? { kind: "concat" } : { kind: "fourier", frequencies: Float64Array.from(spec.time.frequencies) };
    const first = spec.layers[0] as MlpSpec["layers"][number];
    this.inputs = first.inputs;
    this.widths = spec.layers.map((l) => l.outputs);
    let total = 0;
    for (const l of spec.layers) total += l.inputs * l.outputs + l.outputs;
    this.parameters = new Float64Array(total);
    this.gradient = new Float64Array(total);
    let offset = 0;
    for (const l of spec.layers) {
      const w = l.inputs * l.outputs;
      this.weights.push(this.parameters.subarray(offset, offset + w));
      this.weightGrads.push(this.gradient.subarray(offset, offset + w));
      this.parameters.set(l.weight, offset);
      offset += w;
      this.biases.push(this.parameters.subarray(offset, offset + l.outputs));
      this.biasGrads.push(this.gradient.subarray(offset, offset + l.outputs));
      this.parameters.set(l.bias, offset);
      offset += l.outputs;
      this.layerInputs.push(l.inputs);
    }
  }

  /** Number of trainable parameters. */
  get parameterCount(): number {
    return this.parameters.length;
  }

  /**
   * v(x, t) for every row; a conditional model is evaluated with the null label.
   *
   * @param x - points, shape [n, dim]
   * @param t - one time or one per row, in [0, 1]
   * @param out - optional output [n, dim]
   * @returns the velocities, shape [n, dim]
   * @throws {@link ShapeError} for a wrong shape; {@link DomainError} for a time outside [0, 1];
   *   {@link NonFiniteError} when a velocity overflows to NaN or Infinity (x or the parameters too large)
   */
  evaluate(x: Batch, t: Time, out?: Batch): Batch {
    return this.evaluateLabeled(x, t, this.classes, out);
  }

  /**
   * v(x, t, y) for every row with class labels `labels` (see {@link Labels}).
   *
   * @param x - points, shape [n, dim]
   * @param t - one time or one per row
   * @param labels - one label or one per row, integers in [0, classes]
   * @param out - optional output [n, dim]
   * @returns the velocities, shape [n, dim]
   * @throws {@link DomainError} for a label outside [0, classes]; {@link NonFiniteError} when a velocity overflows (see {@link Mlp.evaluate})
   */
  evaluateLabeled(x: Batch, t: Time, labels: ModelCondition, out?: Batch): Batch {
    const fn = "Mlp.evaluate";
    const xb = asBatch(fn, "x", x, { dim: this.dim });
    const n = xb.shape[0] as number;
    checkTime(fn, "t", t, n);
    const result = outputBatch(fn, out, n, this.dim);
    const engine = this.engineFor(n);
    const ws = engine === null ? this.ensure(false, n) : null;
    this.run(ws, xb.data, t, this.checkCondition(fn, labels, n), n, result.data, engine === null ? null : engine.input(1, n));
    engine?.forward(1, n, this.parameters, result.data, false);
    checkOutput(fn, "x", result.data, this.dim);
    return result;
  }

  /**
   * u_t(x_i | c_i) for every row of a continuously conditioned model (`conditionDim` > 0).
   *
   * @param x - points, shape [n, dim]
   * @param t - one time or one per row
   * @param condition - one condition row per row of x, shape [n, conditionDim]
   * @param out - optional output [n, dim]
   * @returns the velocities, shape [n, dim]
   * @throws {@link DomainError} for a model without `conditionDim`; {@link ShapeError} for a condition of the wrong shape; {@link NonFiniteError} for NaN/Inf conditions, or a velocity that overflows
   */
  evaluateConditioned(x: Batch, t: Time, condition: Batch, out?: Batch): Batch {
    return this.evaluateLabeled(x, t, this.requireBatch("Mlp.evaluateConditioned", condition), out);
  }

  /**
   * (du_t(x | c)/dx) v for every row of a continuously conditioned model (c held fixed).
   *
   * @param x - points [n, dim]
   * @param t - times
   * @param condition - conditions [n, conditionDim]
   * @param v - tangents [n, dim]
   * @param out - optional output [n, dim]
   * @returns the JVPs [n, dim]
   * @throws {@link NonFiniteError} when a product overflows (see {@link Mlp.jvp})
   */
  jvpConditioned(x: Batch, t: Time, condition: Batch, v: Batch, out?: Batch): Batch {
    return this.jvpLabeled(x, t, this.requireBatch("Mlp.jvpConditioned", condition), v, out);
  }

  /**
   * tr(du_t(x | c)/dx) for every row of a continuously conditioned model (c held fixed).
   *
   * @param x - points [n, dim]
   * @param t - times
   * @param condition - conditions [n, conditionDim]
   * @param out - optional output of length n
   * @returns the divergences
   * @throws {@link NonFiniteError} when a divergence overflows (see {@link Mlp.divergence})
   */
  divergenceConditioned(x: Batch, t: Time, condition: Batch, out?: Float64Array): Float64Array {
    return this.divergenceLabeled(x, t, this.requireBatch("Mlp.divergenceConditioned", condition), out);
  }

  /**
   * The training forward pass: like {@link Mlp.evaluateLabeled}, and keeps the
   * activations for the next {@link Mlp.backward}.
   *
   * @param x - points [n, dim]
   * @param t - times
   * @param labels - labels of a conditional model (default: the null label), or the condition batch [n, conditionDim] of a continuously conditioned one (required there)
   * @param out - optional output [n, dim]
   * @returns the predictions [n, dim]
   * @throws {@link DomainError} for a condition the model does not take, or none where it needs one; {@link ShapeError} / {@link NonFiniteError} for a bad condition batch;
   *   {@link NonFiniteError} when a prediction overflows to NaN or Infinity (x or the parameters too large)
   */
  forward(x: Batch, t: Time, labels?: ModelCondition, out?: Batch): Batch {
    const fn = "Mlp.forward";
    const xb = asBatch(fn, "x", x, { dim: this.dim });
    const n = xb.shape[0] as number;
    checkTime(fn, "t", t, n);
    const result = outputBatch(fn, out, n, this.dim);
    const f32 = this.f32Engine();
    const condition = this.checkCondition(fn, labels === undefined && this.conditionDim === 0 ? this.classes : labels, n);
    // the pass overwrites what backward reads: until it is known finite, there is no forward to go back through
    this.cachedRows = -1;
    if (f32 !== null) {
      const features = new Float64Array(n * this.inputs);
      this.run(null, xb.data, t, condition, n, result.data, features);
      f32.forward(n, this.parameters, features, result.data);
      checkOutput(fn, "x", result.data, this.dim);
      this.cachedRows = n;
      this.cachedOnEngine = false;
      this.cachedOnF32 = true;
      return result;
    }
    const engine = this.engineFor(n);
    const ws = engine === null ? this.ensure(true, n) : null;
    this.run(ws, xb.data, t, condition, n, result.data, engine === null ? null : engine.input(0, n));
    engine?.forward(0, n, this.parameters, result.data);
    checkOutput(fn, "x", result.data, this.dim);
    this.cachedRows = n;
    this.cachedOnEngine = engine !== null;
    this.cachedOnF32 = false;
    return result;
  }

  /**
   * Reverse mode: given G = dL/dv for the rows of the last {@link Mlp.forward}, writes
   * dL/dtheta = sum_rows (dv/dtheta)^T G into `gradient` (added to it when `accumulate`).
   *
   * @param gradOutput - dL/dv, shape [n, dim] with n the rows of the last forward
   * @param accumulate - add to the current gradient instead of overwriting it (default false)
   * @returns `gradient`
   * @throws {@link DomainError} when no forward preceded; {@link ShapeError} for a wrong shape
   */
  backward(gradOutput: Batch, accumulate = false): Float64Array {
    const fn = "Mlp.backward";
    if (this.cachedRows < 0 || (!this.cachedOnEngine && !this.cachedOnF32 && this.train === null)) throw new DomainError(fn, "this", "have run forward() first", "no forward pass");
    const n = this.cachedRows;
    const g = asBatch(fn, "gradOutput", gradOutput, { dim: this.dim, rows: n });
    if (this.cachedOnF32 && this.f32 !== null) {
      this.f32.backward(g.data, this.gradient, accumulate);
      return this.gradient;
    }
    if (this.cachedOnEngine && this.engine !== null) {
      this.engine.backward(n, g.data, this.gradient, accumulate);
      return this.gradient;
    }
    const ws = this.train as Workspace;
    const L = this.weights.length;
    let delta = g.data;
    let spare = ws.ping;
    for (let l = L - 1; l >= 0; l--) {
      const ins = this.layerInputs[l] as number;
      const outs = this.widths[l] as number;
      const a = l === 0 ? ws.input : (ws.act[l - 1] as Float64Array);
      matmulTN(delta, a, this.weightGrads[l] as Float64Array, outs, n, ins, accumulate);
      const gb = this.biasGrads[l] as Float64Array;
      columnSums(delta, n, outs, gb, accumulate);
      if (l > 0) {
        matmulNN(delta, this.weights[l] as Float64Array, spare, n, outs, ins, ws.slope[l - 1] as Float64Array);
        delta = spare;
        spare = spare === ws.ping ? ws.pong : ws.ping;
      }
    }
    return this.gradient;
  }

  /**
   * Forward-mode Jacobian-vector product (dv/dx)(x, t) w, row by row (null label).
   *
   * @param x - points [n, dim]
   * @param t - times
   * @param v - tangents [n, dim]
   * @param out - optional output [n, dim]
   * @returns the JVPs [n, dim]
   * @throws {@link NonFiniteError} when a product overflows to NaN or Infinity (x, v or the parameters too large)
   */
  jvp(x: Batch, t: Time, v: Batch, out?: Batch): Batch {
    return this.jvpLabeled(x, t, this.classes, v, out);
  }

  /**
   * {@link Mlp.jvp} with class labels.
   *
   * @param x - points [n, dim]
   * @param t - times
   * @param labels - labels
   * @param v - tangents [n, dim]
   * @param out - optional output [n, dim]
   * @returns the JVPs [n, dim]
   * @throws {@link NonFiniteError} when a product overflows (see {@link Mlp.jvp})
   */
  jvpLabeled(x: Batch, t: Time, labels: ModelCondition, v: Batch, out?: Batch): Batch {
    const fn = "Mlp.jvp";
    const xb = asBatch(fn, "x", x, { dim: this.dim });
    const n = xb.shape[0] as number;
    checkTime(fn, "t", t, n);
    const vb = asBatch(fn, "v", v, { dim: this.dim, rows: n });
    const result = outputBatch(fn, out, n, this.dim);
    const tmp = new Float64Array(n * this.dim);
    const engine = this.engineFor(n);
    const ws = engine === null ? this.ensure(false, n) : null;
    this.run(ws, xb.data, t, this.checkCondition(fn, labels, n), n, tmp, engine === null ? null : engine.input(1, n));
    engine?.forward(1, n, this.parameters, tmp);
    const seed = (input: Float64Array) => {
      const d = this.dim, k = this.inputs;
      for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) input[r * k + j] = vb.data[r * d + j] as number;
    };
    if (engine === null) this.tangent(ws as Workspace, n, seed, result.data);
    else engine.tangent(n, seed, result.data);
    checkOutput(fn, "x and v", result.data, this.dim);
    return result;
  }

  /**
   * Exact divergence tr(dv/dx)(x, t) per row, by `dim` forward-mode passes that share one
   * forward pass (null label).
   *
   * @param x - points [n, dim]
   * @param t - times
   * @param out - optional output of length n
   * @returns the divergences
   * @throws {@link NonFiniteError} when a divergence overflows to NaN or Infinity (x or the parameters too large)
   */
  divergence(x: Batch, t: Time, out?: Float64Array): Float64Array {
    return this.divergenceLabeled(x, t, this.classes, out);
  }

  /**
   * {@link Mlp.divergence} with class labels.
   *
   * @param x - points [n, dim]
   * @param t - times
   * @param labels - labels
   * @param out - optional output of length n
   * @returns the divergences
   * @throws {@link NonFiniteError} when a divergence overflows (see {@link Mlp.divergence})
   */
  divergenceLabeled(x: Batch, t: Time, labels: ModelCondition, out?: Float64Array): Float64Array {
    const fn = "Mlp.divergence";
    const xb = asBatch(fn, "x", x, { dim: this.dim });
    const n = xb.shape[0] as number;
    checkTime(fn, "t", t, n);
    const result = outputArray(fn, out, n);
    const d = this.dim, k = this.inputs;
    const tmp = new Float64Array(n * d);
    const engine = this.engineFor(n);
    const ws = engine === null ? this.ensure(false, n) : null;
    this.run(ws, xb.data, t, this.checkCondition(fn, labels, n), n, tmp, engine === null ? null : engine.input(1, n));
    engine?.forward(1, n, this.parameters, tmp);
    result.fill(0);
    for (let j = 0; j < d; j++) {
      const seed = (input: Float64Array) => { for (let r = 0; r < n; r++) input[r * k + j] = 1; };
      if (engine === null) this.tangent(ws as Workspace, n, seed, tmp);
      else engine.tangent(n, seed, tmp);
      for (let r = 0; r < n; r++) result[r] = (result[r] as number) + (tmp[r * d + j] as number);
    }
    checkOutput(fn, "x", result, 1);
    return result;
  }

  /** Sets the gradient to zero. */
  zeroGradient(): void {
    this.gradient.fill(0);
  }

  /**
   * The plain-data spec of this MLP (a deep copy of the current parameters).
   *
   * @returns an {@link MlpSpec}
   */
  toSpec(): MlpSpec {
    const layers = this.weights.map((w, l) => ({
      inputs: this.layerInputs[l] as number, outputs: this.widths[l] as number,
      weight: Float64Array.from(w), bias: Float64Array.from(this.biases[l] as Float64Array),
    }));
    const time: TimeEmbeddingSpec = this.time.kind === "concat" ? { kind: "concat" } : { kind: "fourier", frequencies: Float64Array.from(this.time.frequencies) };
    const spec: MlpSpec = { dim: this.dim, time, activation: this.activation, layers };
    if (this.classes > 0) spec.classes = this.classes;
    if (this.conditionDim > 0) spec.conditionDim = this.conditionDim;
    return spec;
  }

  /**
   * The versioned JSON form of this MLP (see {@link MlpJson}); `JSON.stringify(net)` uses it.
   *
   * @returns a plain object; float64 parameters round-trip exactly through JSON text
   */
  toJSON(): MlpJson {
    return mlpSpecToJSON(this.toSpec());
  }

  /**
   * Rebuilds an MLP from untrusted JSON (string or parsed), validated by {@link mlpSpecFromJSON}.
   *
   * @param json - output of {@link Mlp.toJSON}, as text or value
   * @returns the MLP
   * @throws {@link DomainError}, {@link ShapeError} or {@link NonFiniteError} for invalid JSON
   */
  static fromJSON(json: unknown): Mlp {
    return new Mlp(mlpSpecFromJSON(json));
  }

  /** The engine for a batch of n rows, or null when the batch stays on the calling thread's kernels. */
  private engineFor(n: number): MlpThreads | null {
    if (this.threads !== undefined) checkInteger("Mlp", "threads", this.threads, 1, 256);
    if (!MlpThreads.takes(n) || !simdEnabled()) return null;
    if (this.engine !== null && this.engine.requested === this.threads) return this.engine;
    this.engine?.dispose();
    this.engine = new MlpThreads(this.chunkNet(), { threads: this.threads }, "Mlp");
    return this.engine;
  }

  /** The shape of this network as the engine takes it. */
  private chunkNet(): ChunkNet {
    const offsets: number[] = [];
    let at = 0;
    this.widths.forEach((outs, l) => { offsets.push(at); at += (this.layerInputs[l] as number) * outs + outs; });
    return { layers: this.widths.length, dim: this.dim, inputs: this.inputs, layerInputs: [...this.layerInputs], widths: [...this.widths], offsets, parameterCount: this.parameters.length, activation: this.activation, chunk: 256 };
  }

  /** The float32 training engine where `precision` asks for float32 and it runs here, else null. */
  private f32Engine(): MlpF32Train | null {
    const p = this.precision;
    if (p !== "float64" && p !== "float32" && p !== "float32-relaxed") throw new DomainError("Mlp.forward", "precision", 'be "float64", "float32" or "float32-relaxed"', String(p));
    if (this.threads !== undefined) checkInteger("Mlp", "threads", this.threads, 1, 256);
    if (p === "float64" || f32TrainKernel(p === "float32-relaxed") === null) return null;
    const relaxed = p === "float32-relaxed";
    if (this.f32 !== null && this.f32.relaxed === relaxed && this.f32Threads === this.threads) return this.f32;
    this.f32?.dispose();
    this.f32 = new MlpF32Train(this.chunkNet(), { threads: this.threads }, relaxed, "Mlp.forward");
    this.f32Threads = this.threads;
    return this.f32;
  }

  private ensure(training: boolean, n: number): Workspace {
    const current = training ? this.train : this.scratch;
    if (current !== null && current.capacity >= n) return current;
    const ws = new Workspace(Math.max(n, 1), this.inputs, this.widths);
    if (training) { this.train = ws; this.cachedRows = -1; } else this.scratch = ws;
    return ws;
  }

  /** A condition batch, or a DomainError for a model without a continuous condition. */
  private requireBatch(fn: string, condition: Batch): Batch {
    if (this.conditionDim === 0) throw new DomainError(fn, "condition", "be absent: the model takes no continuous condition (conditionDim 0)", describeValue(condition));
    return condition;
  }

  /** Labels checked against `classes`, or a condition batch checked against `conditionDim` (a finite [n, conditionDim] batch). */
  private checkCondition(fn: string, condition: ModelCondition | undefined, n: number): Labels | Batch {
    const isBatch = condition !== null && typeof condition === "object" && Array.isArray((condition as Partial<Batch>).shape);
    if (this.conditionDim === 0) {
      if (isBatch) throw new DomainError(fn, "condition", "be absent or labels: the model takes no continuous condition (conditionDim 0)", `a batch ${describeShape((condition as Batch).shape)}`);
      return this.checkLabels(fn, condition as Labels, n);
    }
    if (!isBatch) throw new DomainError(fn, "condition", `be a batch [${n}, ${this.conditionDim}]: the model is conditioned (conditionDim ${this.conditionDim})`, describeValue(condition));
    const c = asBatch(fn, "condition", condition, { dim: this.conditionDim, finite: false });
    if (c.shape[0] !== n) throw new ShapeError(fn, "condition", `have one row per row of x, shape [${n}, ${this.conditionDim}]`, describeShape(c.shape));
    checkFiniteArray(fn, "condition", c.data);
    return c;
  }

  private checkLabels(fn: string, labels: Labels, n: number): Labels {
    const check = (y: unknown, name: string) => {
      if (typeof y !== "number" || !Number.isInteger(y) || y < 0 || y > this.classes) {
        throw new DomainError(fn, name, `be an integer label in [0, ${this.classes}]`, String(y));
      }
    };
    if (typeof labels === "number") check(labels, "labels");
    else {
      if (labels === null || typeof labels !== "object") throw new DomainError(fn, "labels", "be an integer label or an array of labels", String(labels));
      if (labels.length !== n) throw new ShapeError(fn, "labels", `have length n = ${n}`, String(labels.length));
      for (let i = 0; i < n; i++) check(labels[i], `labels[${i}]`);
    }
    return labels;
  }

  /** Fills the input buffer and runs every layer; the output goes to `out` ([n, dim]). With `target`, only fills that buffer with the inputs (the engine runs the layers). */
  private run(workspace: Workspace | null, x: Float64Array, t: Time, labels: Labels | Batch, n: number, out: Float64Array, target: Float64Array | null = null): void {
    const d = this.dim, k = this.inputs, input = target ?? (workspace as Workspace).input;
    const freqs = this.time.kind === "fourier" ? this.time.frequencies : null;
    const features = timeFeatureCount(this.time);
    for (let r = 0; r < n; r++) {
      const base = r * k;
      for (let j = 0; j < d; j++) input[base + j] = x[r * d + j] as number;
      const tr = typeof t === "number" ? t : (t[r] as number);
      if (freqs === null) input[base + d] = tr;
      else {
        for (let q = 0; q < freqs.length; q++) {
          const angle = 2 * Math.PI * (freqs[q] as number) * tr;
          input[base + d + 2 * q] = Math.sin(angle);
          input[base + d + 2 * q + 1] = Math.cos(angle);
        }
      }
      if (this.classes > 0) {
        const off = base + d + features;
        for (let c = 0; c <= this.classes; c++) input[off + c] = 0;
        const y = typeof labels === "number" ? labels : ((labels as ArrayLike<number>)[r] as number);
        input[off + y] = 1;
      }
      if (this.conditionDim > 0) {
        const m = this.conditionDim, c = (labels as Batch).data, off = base + d + features;
        for (let j = 0; j < m; j++) input[off + j] = c[r * m + j] as number;
      }
    }
    if (target !== null) return;
    const ws = workspace as Workspace;
    const L = this.weights.length;
    let a = input;
    for (let l = 0; l < L; l++) {
      const ins = this.layerInputs[l] as number, outs = this.widths[l] as number;
      if (l === L - 1) {
        matmulNT(a, this.weights[l] as Float64Array, out, n, ins, outs, this.biases[l] as Float64Array, false);
      } else {
        const z = ws.z[l] as Float64Array;
        matmulNT(a, this.weights[l] as Float64Array, z, n, ins, outs, this.biases[l] as Float64Array, false);
        activate(this.activation, z, ws.act[l] as Float64Array, ws.slope[l] as Float64Array, n * outs);
        a = ws.act[l] as Float64Array;
      }
    }
  }

  /** Pushes an input tangent (written by `seed` into a zeroed [n, inputs] buffer) through the layers whose slopes `ws` holds. */
  private tangent(ws: Workspace, n: number, seed: (input: Float64Array) => void, out: Float64Array): void {
    const input = ws.tangentInput.subarray(0, n * this.inputs);
    input.fill(0);
    seed(input);
    const L = this.weights.length;
    let a: Float64Array = input;
    let next = ws.ping;
    for (let l = 0; l < L; l++) {
      const ins = this.layerInputs[l] as number, outs = this.widths[l] as number;
      const target = l === L - 1 ? out : next;
      matmulNT(a, this.weights[l] as Float64Array, target, n, ins, outs, null, false);
      if (l < L - 1) {
        const slope = ws.slope[l] as Float64Array;
        const m = n * outs;
        for (let i = 0; i < m; i++) target[i] = (target[i] as number) * (slope[i] as number);
        a = target;
        next = next === ws.ping ? ws.pong : ws.ping;
      }
    }
  }
}

/**
 * Throws a NonFiniteError naming the method and its input when a pass over finite input (x, t,
 * conditions and parameters are all finite) produced NaN or Infinity: an overflow in some layer.
 * One pass over the output rows, small beside the layers that computed them: four running sums
 * (NaN or Infinity once any entry is), searched entry by entry only when they are not finite.
 */
function checkOutput(fn: string, input: string, values: Float64Array, width: number): void {
  const n = values.length;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += values[i] as number; s1 += values[i + 1] as number; s2 += values[i + 2] as number; s3 += values[i + 3] as number;
  }
  for (; i < n; i++) s0 += values[i] as number;
  const sum = s0 + s1 + s2 + s3;
  if (sum - sum === 0) return;
  // not finite: a NaN or infinite entry, or finite entries whose sum overflowed
  for (let j = 0; j < n; j++) {
    const v = values[j] as number;
    if (v - v !== 0) {
      throw new NonFiniteError(fn, "result", `be finite for finite ${input} (a layer overflowed: rescale the input, or the parameters have grown too large)`,
        `${describeValue(v)} at row ${Math.floor(j / width)}`);
    }
  }
}

/** out[o] (+)= sum_r m[r, o] for the row-major [rows, cols] matrix m: four columns at a time in registers. */
function columnSums(m: Float64Array, rows: number, cols: number, out: Float64Array, accumulate: boolean): void {
  let o = 0;
  for (; o + 3 < cols; o += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let at = o, end = rows * cols; at < end; at += cols) {
      s0 += m[at] as number; s1 += m[at + 1] as number; s2 += m[at + 2] as number; s3 += m[at + 3] as number;
    }
    if (accumulate) { s0 += out[o] as number; s1 += out[o + 1] as number; s2 += out[o + 2] as number; s3 += out[o + 3] as number; }
    out[o] = s0; out[o + 1] = s1; out[o + 2] = s2; out[o + 3] = s3;
  }
  for (; o < cols; o++) {
    let s = accumulate ? (out[o] as number) : 0;
    for (let at = o, end = rows * cols; at < end; at += cols) s += m[at] as number;
    out[o] = s;
  }
}

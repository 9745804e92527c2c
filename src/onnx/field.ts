import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { checkPositive } from "../core/check.js";
import { DomainError, FlowMatchingError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Time } from "../core/time.js";
import type { AsyncVelocityField } from "../core/interfaces.js";
import { checkTime } from "../core/time.js";
import type { OnnxSessionLike } from "./session.js";
import { Feeds, readOutput } from "./feeds.js";
import type { GraphPlan } from "./feeds.js";
import { resolvePlan } from "./plan.js";
import type { OnnxFieldOptions } from "./plan.js";

/**
 * Default relative step of the central differences, 2^-13. Two errors meet: float32 rounding of
 * the graph's outputs, about 1e-6 |u| / 2h; and, for the kinked activations PyTorch models
 * usually have (ReLU, SELU), rows whose pre-activations lie within h of a kink, where the
 * difference is a secant and the error is O(h), not the O(h^2) of a smooth field. Measured on
 * the SELU fixture model (64 rows, steps 2^-5 .. 2^-16): the largest JVP error relative to the
 * JVP's size is 4e-2 at 2^-7, 2.5e-3 at 2^-12, 1.5e-3 at 2^-13, 2.9e-3 at 2^-14, 1.3e-2 at 2^-16.
 */
const DEFAULT_STEP = 2 ** -13;

/**
 * A velocity field computed by an ONNX graph through onnxruntime (see {@link onnxVelocityField}).
 * Its methods are asynchronous: the async solvers (`sampleAsync`, `integrateAsync`,
 * `logLikelihoodAsync`) take it. Every method runs the whole batch in one `session.run`.
 *
 * @category ONNX
 */
export interface OnnxVelocityField extends AsyncVelocityField {
  /** Dimension of x. */
  readonly dim: number;
  /** Where JVPs come from: the graph's JVP output, or central differences of the velocity. */
  readonly jvpSource: "graph" | "finite-difference";
  /** Counters: `runs` calls of `session.run`, `rows` rows fed in total. */
  readonly statistics: { runs: number; rows: number };
  /**
   * u_t(x) for every row.
   *
   * @param x - points [n, dim]
   * @param t - one time or one per row, in [0, 1]
   * @param out - optional output [n, dim]
   * @returns the velocities
   */
  evaluateAsync(x: Batch, t: Time, out?: Batch): Promise<Batch>;
  /**
   * (du_t/dx)(x) v for every row: the graph's JVP output, else central differences
   * (u(x + h v) - u(x - h v)) / 2h with h = step max(1, |x|_inf) / |v|_inf per row.
   *
   * @param x - points [n, dim]
   * @param t - times
   * @param v - tangents [n, dim]
   * @param out - optional output [n, dim]
   * @returns the JVPs
   */
  jvpAsync(x: Batch, t: Time, v: Batch, out?: Batch): Promise<Batch>;
  /**
   * tr(du_t/dx)(x) for every row: dim JVPs along the coordinate axes, all in one run of
   * n dim rows (2 n dim rows with central differences).
   *
   * @param x - points [n, dim]
   * @param t - times
   * @param out - optional output of length n
   * @returns the divergences
   */
  divergenceAsync(x: Batch, t: Time, out?: Float64Array): Promise<Float64Array>;
}

/**
 * Wraps an onnxruntime `InferenceSession` (onnxruntime-node or onnxruntime-web, created by the
 * caller) as an asynchronous velocity field. The defaults read the graph exported from
 * `flow_matching`'s `ModelWrapper.forward(x, t)` or torchcfm's `(t, x)` call: inputs named "x"
 * ([n, dim]) and "t" ([n], or a scalar []), output "velocity" (or the only output). A graph
 * with a JVP output ("jvp", fed the tangent "v") gives exact JVPs and divergences; otherwise
 * they are central differences in float32 (relative error about 2e-3, see
 * {@link OnnxVelocityField.jvpAsync}). The input and output names, shapes and element types are
 * checked against the session's metadata here, and every run's outputs are checked
 * (shape, finiteness), so a mismatch is a typed error, never a wrong number.
 *
 * @param session - the onnxruntime InferenceSession
 * @param options - names and conventions; see {@link OnnxFieldOptions}
 * @returns the field
 * @throws `DomainError` for names the graph does not have, graph inputs that no option
 *   feeds, or unsupported element types; `ShapeError` for shapes that do not fit dim
 * @example
 * ```ts
 * import * as ort from "onnxruntime-node";
 * const field = onnxVelocityField(await ort.InferenceSession.create("velocity.onnx"));
 * (await sampleAsync(field, x0, { method: "euler", steps: 100 })).y.shape // => [n, 2]
 * ```
 * @category ONNX
 */
export function onnxVelocityField(session: OnnxSessionLike, options: OnnxFieldOptions = {}): OnnxVelocityField {
  const plan = resolvePlan("onnxVelocityField", session, options);
  const step = options.finiteDifferenceStep === undefined ? DEFAULT_STEP : checkPositive("onnxVelocityField", "options.finiteDifferenceStep", options.finiteDifferenceStep);
  return new OnnxField(plan, step);
}

class OnnxField implements OnnxVelocityField {
  readonly dim: number;
  readonly jvpSource: "graph" | "finite-difference";
  readonly statistics = { runs: 0, rows: 0 };
  private readonly feeds: Feeds;
  /** Runs are chained: calls that overlap wait for each other, since they share the input buffers. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly plan: GraphPlan, private readonly step: number) {
    this.dim = plan.dim;
    this.jvpSource = plan.jvp === undefined ? "finite-difference" : "graph";
    this.feeds = new Feeds(plan);
  }

  async evaluateAsync(x: Batch, t: Time, out?: Batch): Promise<Batch> {
    const fn = "OnnxVelocityField.evaluateAsync";
    const xb = asBatch(fn, "x", x, { dim: this.dim });
    const n = xb.shape[0] as number;
    checkTime(fn, "t", t, n);
    const result = outputBatch(fn, out, n, this.dim);
    const u = await this.run(fn, t, n, n, false, (feeds) => this.copyRows(feeds.x, xb.data, n, 0, null, 0));
    result.data.set(u.velocity);
    return result;
  }

  async jvpAsync(x: Batch, t: Time, v: Batch, out?: Batch): Promise<Batch> {
    const fn = "OnnxVelocityField.jvpAsync";
    const d = this.dim;
    const xb = asBatch(fn, "x", x, { dim: d });
    const n = xb.shape[0] as number;
    checkTime(fn, "t", t, n);
    const vb = asBatch(fn, "v", v, { dim: d, rows: n });
    const result = outputBatch(fn, out, n, d);
    if (this.plan.jvp !== undefined) {
      const r = await this.run(fn, t, n, n, true, (feeds) => {
        this.copyRows(feeds.x, xb.data, n, 0, null, 0);
        feeds.v.set(vb.data);
      });
      result.data.set(r.jvp as ArrayLike<number>);
      return result;
    }
    // rows [0, n): x + h v; rows [n, 2n): x - h v; h per row
    const h = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let xs = 1, vs = 0;
      for (let j = 0; j < d; j++) {
        xs = Math.max(xs, Math.abs(xb.data[i * d + j] as number));
        vs = Math.max(vs, Math.abs(vb.data[i * d + j] as number));
      }
      h[i] = vs === 0 ? 0 : (this.step * xs) / vs;
    }
    const r = await this.run(fn, t, n, 2 * n, false, (feeds) => {
      this.copyRows(feeds.x, xb.data, n, 0, vb.data, h);
      this.copyRows(feeds.x, xb.data, n, n, vb.data, h, -1);
    });
    for (let i = 0; i < n; i++) {
      const hi = h[i] as number;
      for (let j = 0; j < d; j++) {
        const k = i * d + j;
        result.data[k] = hi === 0 ? 0 : ((r.velocity[k] as number) - (r.velocity[n * d + k] as number)) / (2 * hi);
      }
    }
    return result;
  }

  async divergenceAsync(x: Batch, t: Time, out?: Float64Array): Promise<Float64Array> {
    const fn = "OnnxVelocityField.divergenceAsync";
    const d = this.dim;
    const xb = asBatch(fn, "x", x, { dim: d });
    const n = xb.shape[0] as number;
    checkTime(fn, "t", t, n);
    if (out !== undefined && !(out instanceof Float64Array && out.length === n)) throw new ShapeError(fn, "out", `be a Float64Array of length ${n}`, describeValue(out));
    const result = out ?? new Float64Array(n);
    result.fill(0);
    const w = this.feeds.width;
    if (this.plan.jvp !== undefined) {
      // block j (rows [j n, (j + 1) n)) carries x with tangent e_j
      const r = await this.run(fn, t, n, n * d, true, (feeds) => {
        feeds.v.fill(0, 0, n * d * d);
        for (let j = 0; j < d; j++) {
          this.copyRows(feeds.x, xb.data, n, j * n, null, 0);
          for (let i = 0; i < n; i++) feeds.v[(j * n + i) * d + j] = 1;
        }
      });
      const jv = r.jvp as ArrayLike<number>;
      for (let j = 0; j < d; j++) for (let i = 0; i < n; i++) result[i] = (result[i] as number) + (jv[(j * n + i) * d + j] as number);
      return result;
    }
    // block j: x + h e_j, block d + j: x - h e_j; the difference of the rounded inputs is the step taken
    let delta = new Float64Array(0);
    const r = await this.run(fn, t, n, 2 * n * d, false, (feeds) => {
      const fx = feeds.x;
      delta = new Float64Array(n * d);
      for (let j = 0; j < d; j++) {
        this.copyRows(fx, xb.data, n, j * n, null, 0);
        this.copyRows(fx, xb.data, n, (d + j) * n, null, 0);
        for (let i = 0; i < n; i++) {
          const xij = xb.data[i * d + j] as number;
          const h = this.step * Math.max(1, Math.abs(xij));
          fx[(j * n + i) * w + j] = xij + h;
          fx[((d + j) * n + i) * w + j] = xij - h;
          delta[j * n + i] = (fx[(j * n + i) * w + j] as number) - (fx[((d + j) * n + i) * w + j] as number);
        }
      }
    });
    const u = r.velocity;
    for (let j = 0; j < d; j++) {
      for (let i = 0; i < n; i++) {
        const plus = u[(j * n + i) * d + j] as number, minus = u[((d + j) * n + i) * d + j] as number;
        result[i] = (result[i] as number) + (plus - minus) / (delta[j * n + i] as number);
      }
    }
    return result;
  }

  /** Copies n rows of x (plus sign h_i v_i when v is given) into rows [at, at + n) of the x feed. */
  private copyRows(target: Float32Array | Float64Array, x: Float64Array, n: number, at: number, v: Float64Array | null, h: Float64Array | number, sign = 1): void {
    const d = this.dim, w = this.feeds.width;
    for (let i = 0; i < n; i++) {
      const base = (at + i) * w;
      const s = v === null ? 0 : sign * (typeof h === "number" ? h : (h[i] as number));
      for (let j = 0; j < d; j++) target[base + j] = (x[i * d + j] as number) + (v === null ? 0 : s * (v[i * d + j] as number));
    }
  }

  /** One session.run over `rows` rows (times and condition of batch row r mod n), after the previous run settles. */
  private run(fn: string, t: Time, n: number, rows: number, tangent: boolean, fill: (feeds: Feeds) => void): Promise<RunResult> {
    const next = this.queue.then(() => this.runNow(fn, t, n, rows, tangent, fill));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(fn: string, t: Time, n: number, rows: number, tangent: boolean, fill: (feeds: Feeds) => void): Promise<RunResult> {
    const p = this.plan;
    if (rows === 0) return { velocity: new Float32Array(0), jvp: new Float32Array(0) };
    this.feeds.ensure(rows);
    fill(this.feeds);
    this.feeds.writeTimeAndCondition(fn, t, n, rows);
    const fetches = tangent && p.jvp !== undefined ? [p.velocity, p.jvp] : [p.velocity];
    let result;
    try {
      result = await p.session.run(this.feeds.feeds(rows, tangent), fetches);
    } catch (e) {
      if (e instanceof FlowMatchingError) throw e;
      throw new DomainError(fn, "session", "run the graph on the feeds (names, shapes and types as in its metadata)", `the error "${String((e as Error | undefined)?.message ?? e).slice(0, 200)}"`);
    }
    this.statistics.runs++;
    this.statistics.rows += rows;
    const velocity = readOutput(fn, p, result, p.velocity, rows);
    return tangent && p.jvp !== undefined ? { velocity, jvp: readOutput(fn, p, result, p.jvp, rows) } : { velocity };
  }
}


interface RunResult {
  velocity: Float32Array | Float64Array;
  jvp?: Float32Array | Float64Array;
}

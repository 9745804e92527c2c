import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Time } from "../core/time.js";
import type { FloatType, OnnxSessionLike, OnnxTensorLike } from "./session.js";

/** How t enters the graph: a [n] tensor, a scalar [], a [n, 1] column, or the last column of x. */
export type TimeInput = "batch" | "scalar" | "column" | "concat";

/** Element types of a condition input. */
export type ConditionType = "int64" | "int32" | "float32" | "float64";

/** The resolved graph interface of one field (names, types, conventions). */
export interface GraphPlan {
  session: OnnxSessionLike;
  dim: number;
  x: string;
  xType: FloatType;
  time: TimeInput;
  t: string | undefined;
  tType: FloatType;
  velocity: string;
  v: string | undefined;
  jvp: string | undefined;
  condition: { name: string; type: ConditionType; columns: number | undefined; values: ArrayLike<number> } | undefined;
}

type FloatArray = Float32Array | Float64Array;

/**
 * Input buffers of one field, grown to the largest batch seen and reused: each run writes rows
 * into them and passes subarray views (no copy) as the feeds.
 */
export class Feeds {
  x: FloatArray = new Float32Array(0);
  v: FloatArray = new Float32Array(0);
  private t: FloatArray = new Float32Array(0);
  private condition: Float32Array | Float64Array | Int32Array | BigInt64Array = new Float32Array(0);
  private capacity = 0;
  /** Columns of the x feed: dim, or dim + 1 when t is concatenated. */
  readonly width: number;

  constructor(private readonly plan: GraphPlan) {
    this.width = plan.dim + (plan.time === "concat" ? 1 : 0);
  }

  /** Makes room for `rows` rows. */
  ensure(rows: number): void {
    if (rows <= this.capacity) return;
    const cap = Math.max(rows, 2 * this.capacity);
    const p = this.plan;
    const float = (type: FloatType, n: number): FloatArray => (type === "float32" ? new Float32Array(n) : new Float64Array(n));
    this.x = float(p.xType, cap * this.width);
    this.v = float(p.xType, p.v === undefined ? 0 : cap * p.dim);
    this.t = float(p.tType, p.time === "batch" || p.time === "column" ? cap : 1);
    const c = p.condition;
    if (c !== undefined) {
      const n = cap * (c.columns ?? 1);
      this.condition = c.type === "int64" ? new BigInt64Array(n) : c.type === "int32" ? new Int32Array(n) : c.type === "float32" ? new Float32Array(n) : new Float64Array(n);
    }
    this.capacity = cap;
  }

  /**
   * Writes the times of `rows` rows (row r of the feed takes t of batch row r mod n) and the
   * condition (row r takes condition row r mod n when given per row).
   */
  writeTimeAndCondition(fn: string, t: Time, n: number, rows: number): void {
    const p = this.plan;
    const at = (r: number): number => (typeof t === "number" ? t : (t[r % n] as number));
    if (p.time === "scalar") {
      const t0 = at(0);
      for (let r = 1; r < n; r++) {
        if (at(r) !== t0) throw new DomainError(fn, "t", `be one time for every row (the graph's "${p.t ?? ""}" is a scalar)`, `${t0} and ${at(r)}`);
      }
      this.t[0] = t0;
    } else if (p.time === "concat") {
      const w = this.width, x = this.x;
      for (let r = 0; r < rows; r++) x[r * w + p.dim] = at(r);
    } else {
      for (let r = 0; r < rows; r++) this.t[r] = at(r);
    }
    const c = p.condition;
    if (c === undefined) return;
    const cols = c.columns ?? 1;
    const perRow = c.values.length !== cols;
    if (perRow && c.values.length !== n * cols) {
      throw new ShapeError(fn, "options.condition.values", `have ${cols} (one row for all) or n * ${cols} = ${n * cols} entries for this batch of n = ${n}`, String(c.values.length));
    }
    const buffer = this.condition;
    for (let r = 0; r < rows; r++) {
      const from = perRow ? (r % n) * cols : 0;
      for (let k = 0; k < cols; k++) {
        const value = c.values[from + k] as number;
        if (buffer instanceof BigInt64Array) buffer[r * cols + k] = BigInt(value);
        else buffer[r * cols + k] = value;
      }
    }
  }

  /** The feeds of a run over `rows` rows (views of the buffers). */
  feeds(rows: number, withTangent: boolean): Record<string, OnnxTensorLike> {
    const p = this.plan;
    const feeds: Record<string, OnnxTensorLike> = {};
    feeds[p.x] = tensor(p.xType, this.x.subarray(0, rows * this.width), [rows, this.width]);
    if (p.t !== undefined) {
      if (p.time === "scalar") feeds[p.t] = tensor(p.tType, this.t.subarray(0, 1), []);
      else feeds[p.t] = tensor(p.tType, this.t.subarray(0, rows), p.time === "column" ? [rows, 1] : [rows]);
    }
    if (p.v !== undefined) {
      if (!withTangent) this.v.fill(0, 0, rows * p.dim);
      feeds[p.v] = tensor(p.xType, this.v.subarray(0, rows * p.dim), [rows, p.dim]);
    }
    const c = p.condition;
    if (c !== undefined) {
      const cols = c.columns ?? 1;
      feeds[c.name] = tensor(c.type, this.condition.subarray(0, rows * cols), c.columns === undefined ? [rows] : [rows, cols]);
    }
    return feeds;
  }
}

function tensor(type: string, data: unknown, dims: number[]): OnnxTensorLike {
  // `location` is read by onnxruntime-web's session handler
  return { type, data, dims, location: "cpu" } as OnnxTensorLike;
}

/**
 * Reads output `name` of a run over `rows` rows: checks that it exists with shape
 * [rows, dim], a float type and finite values.
 */
export function readOutput(fn: string, plan: GraphPlan, result: Record<string, OnnxTensorLike>, name: string, rows: number): FloatArray {
  const out = result[name];
  if (out === undefined || out === null || typeof out !== "object") throw new DomainError(fn, "session", `return the output "${name}"`, describeValue(out));
  const dims = Array.isArray(out.dims) ? out.dims : [];
  if (dims.length !== 2 || dims[0] !== rows || dims[1] !== plan.dim) {
    throw new ShapeError(fn, `output "${name}"`, `have shape [${rows}, ${plan.dim}] (rows, dim)`, `[${dims.join(", ")}]`);
  }
  const data = out.data;
  if (!(data instanceof Float32Array || data instanceof Float64Array) || data.length !== rows * plan.dim) {
    throw new DomainError(fn, `output "${name}"`, `be a float32 or float64 tensor of ${rows * plan.dim} values`, `${describeValue(out.type)}`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new NonFiniteError(fn, `output "${name}"`, "be finite", `${describeValue(data[i])} at row ${Math.floor(i / plan.dim)}`);
  }
  return data;
}

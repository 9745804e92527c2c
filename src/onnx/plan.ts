import { DomainError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import { checkInteger } from "../core/check.js";
import type { ConditionType, GraphPlan, TimeInput } from "./feeds.js";
import type { OnnxSessionLike } from "./session.js";
import { checkSession, describeMetaShape, fixedDim, floatType, metadataOf, pickName } from "./session.js";

/**
 * A fixed extra input of the graph: class labels or a conditioning vector (the `extras` of
 * `flow_matching`'s ModelWrapper, e.g. `label`), one row for every batch row or one row per
 * batch row.
 *
 * @category ONNX
 */
export interface OnnxCondition {
  /** Name of the graph input. */
  name: string;
  /** Values: `columns` entries (the same row for every batch row) or n * `columns` (one row per batch row, row-major; then every call must have those n rows, so per-sample step sizes, which drop finished rows, cannot be used). */
  values: ArrayLike<number>;
  /** Entries per row; absent: the input has shape [n] (one label per row), else [n, columns]. */
  columns?: number;
}

/**
 * Options of `onnxVelocityField`: how the graph's inputs and outputs map to x, t, v.
 *
 * @category ONNX
 */
export interface OnnxFieldOptions {
  /** Input names: `x` (default "x"), `t` (default "t"; none with `time: "concat"`), `v` the JVP tangent (default "v", used with a JVP output). */
  inputs?: { x?: string; t?: string; v?: string };
  /** Output names: `velocity` (default "velocity", or the only output), `jvp` (default "jvp" when the graph has it). */
  outputs?: { velocity?: string; jvp?: string };
  /**
   * How t enters: "batch" (a [n] tensor, flow_matching's per-sample t), "scalar" (a [] tensor,
   * torchcfm's torch_wrapper(t, x); every row must share t), "column" ([n, 1]), or "concat"
   * (no t input: x has dim + 1 columns, t last, torchcfm's `model(cat([x, t]))`). Default: from
   * the t input's rank in the session metadata (rank 0, 1, 2), "concat" when the graph has no
   * t input, else "batch".
   */
  time?: TimeInput;
  /** Dimension of x (default: from the metadata of the x input or the velocity output). */
  dim?: number;
  /** A fixed extra input (labels, conditioning); see {@link OnnxCondition}. */
  condition?: OnnxCondition;
  /** Relative step of the central-difference JVPs used without a JVP output (default 2^-13; see the guide for its error). */
  finiteDifferenceStep?: number;
}

/** Resolves names, conventions and types of a field against the session, or throws a typed error. */
export function resolvePlan(fn: string, sessionArg: unknown, options: OnnxFieldOptions): GraphPlan {
  const session = checkSession(fn, sessionArg);
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object", describeValue(options));
  const inputs = options.inputs ?? {};
  const outputs = options.outputs ?? {};
  const inNames = session.inputNames, outNames = session.outputNames;
  const x = pickName(fn, "options.inputs.x", inputs.x, "x", inNames, "input");
  const xMeta = metadataOf(session.inputMetadata, x);
  const hasT = inputs.t !== undefined || inNames.includes("t");
  let time: TimeInput | undefined = options.time;
  if (time !== undefined && !["batch", "scalar", "column", "concat"].includes(time)) {
    throw new DomainError(fn, "options.time", 'be "batch", "scalar", "column" or "concat"', describeValue(time));
  }
  let t: string | undefined;
  if (time !== "concat" && (hasT || time !== undefined)) {
    t = pickName(fn, "options.inputs.t", inputs.t, "t", inNames, "input");
    const rank = metadataOf(session.inputMetadata, t)?.shape?.length;
    const inferred: TimeInput | undefined = rank === 0 ? "scalar" : rank === 1 ? "batch" : rank === 2 ? "column" : undefined;
    if (time !== undefined && inferred !== undefined && inferred !== time) {
      throw new ShapeError(fn, "options.time", `match the rank ${rank} of the graph's t input "${t}" (${inferred})`, describeValue(time));
    }
    time = time ?? inferred ?? "batch";
  }
  time = time ?? "concat";
  const velocity = pickName(fn, "options.outputs.velocity", outputs.velocity, outNames.length === 1 ? outNames[0] : "velocity", outNames, "output");
  const velocityMeta = metadataOf(session.outputMetadata, velocity);
  const jvpName = outputs.jvp ?? (outNames.includes("jvp") && velocity !== "jvp" ? "jvp" : undefined);
  const jvp = jvpName === undefined ? undefined : pickName(fn, "options.outputs.jvp", jvpName, undefined, outNames, "output");
  const v = jvp === undefined ? undefined : pickName(fn, "options.inputs.v", inputs.v, "v", inNames, "input (the JVP's tangent)");
  const condition = resolveCondition(fn, session, options.condition);
  const fed = new Set([x, t, v, condition?.name].filter((s): s is string => s !== undefined));
  const unfed = inNames.filter((name) => !fed.has(name));
  if (unfed.length > 0) {
    throw new DomainError(fn, "options", `map every graph input (x, t, v or condition); the session also has ${unfed.map((u) => JSON.stringify(u)).join(", ")}`, `inputs of ${[...fed].join(", ")}`);
  }
  const extra = time === "concat" ? 1 : 0;
  const xWidth = fixedDim(xMeta, 1);
  const dim = options.dim !== undefined ? checkInteger(fn, "options.dim", options.dim, 1)
    : xWidth !== undefined ? xWidth - extra : fixedDim(velocityMeta, 1);
  if (dim === undefined || dim < 1) throw new DomainError(fn, "options.dim", "be given (the session's metadata does not fix the width of x)", describeValue(dim));
  if (xMeta?.shape !== undefined && (xMeta.shape.length !== 2 || (xWidth !== undefined && xWidth !== dim + extra))) {
    throw new ShapeError(fn, `input "${x}"`, `have shape [n, ${dim + extra}] (${time === "concat" ? "dim + 1, t concatenated" : "dim"})`, describeMetaShape(xMeta));
  }
  for (const name of jvp === undefined ? [velocity] : [velocity, jvp]) {
    const meta = metadataOf(session.outputMetadata, name);
    const width = fixedDim(meta, 1);
    if (meta?.shape !== undefined && (meta.shape.length !== 2 || (width !== undefined && width !== dim))) {
      throw new ShapeError(fn, `output "${name}"`, `have shape [n, ${dim}]`, describeMetaShape(meta));
    }
  }
  if (v !== undefined) floatType(fn, `input "${v}"`, metadataOf(session.inputMetadata, v));
  return {
    session, dim, x, xType: floatType(fn, `input "${x}"`, xMeta), time, t,
    tType: t === undefined ? floatType(fn, `input "${x}"`, xMeta) : floatType(fn, `input "${t}"`, metadataOf(session.inputMetadata, t)),
    velocity, v, jvp, condition,
  };
}

function resolveCondition(fn: string, session: OnnxSessionLike, c: OnnxCondition | undefined): GraphPlan["condition"] {
  if (c === undefined) return undefined;
  if (c === null || typeof c !== "object") throw new DomainError(fn, "options.condition", "be { name, values, columns? }", describeValue(c));
  const name = pickName(fn, "options.condition.name", c.name, undefined, session.inputNames, "input");
  const columns = c.columns === undefined ? undefined : checkInteger(fn, "options.condition.columns", c.columns, 1);
  const values = c.values;
  if (values === null || typeof values !== "object" || typeof values.length !== "number" || values.length < 1) {
    throw new DomainError(fn, "options.condition.values", "be a non-empty array of numbers", describeValue(values));
  }
  if (values.length % (columns ?? 1) !== 0) throw new ShapeError(fn, "options.condition.values", `have a multiple of ${columns ?? 1} entries`, String(values.length));
  const meta = metadataOf(session.inputMetadata, name);
  const type = (meta?.type ?? (columns === undefined ? "int64" : "float32")) as ConditionType;
  if (!["int64", "int32", "float32", "float64"].includes(type)) throw new DomainError(fn, "options.condition", "name an int64, int32, float32 or float64 input", `${name} of type ${type}`);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    const ok = typeof value === "number" && Number.isFinite(value) && (!type.startsWith("int") || Number.isSafeInteger(value));
    if (!ok) throw new DomainError(fn, `options.condition.values[${i}]`, `be a finite ${type.startsWith("int") ? "integer" : "number"}`, describeValue(value));
  }
  const rank = meta?.shape?.length;
  if (rank !== undefined && rank !== (columns === undefined ? 1 : 2)) {
    throw new ShapeError(fn, `input "${name}"`, `have rank ${columns === undefined ? "1 ([n], no columns given)" : "2 ([n, columns])"}`, describeMetaShape(meta));
  }
  return { name, type, columns, values: Array.from(values) };
}

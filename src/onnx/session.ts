import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";

/**
 * A tensor as onnxruntime reads and returns it (`Tensor` of onnxruntime-common): element type,
 * dimensions and the row-major data. The field passes plain objects of this shape as feeds,
 * so it works with the `Tensor` class of whichever onnxruntime package made the session.
 *
 * @category ONNX
 */
export interface OnnxTensorLike {
  /** Element type: "float32", "float64", "int64", ... */
  readonly type: string;
  /** Dimensions. */
  readonly dims: readonly number[];
  /** Row-major values (a typed array). */
  readonly data: unknown;
}

/**
 * What the field reads of a graph input's or output's metadata (`session.inputMetadata` of
 * onnxruntime 1.22 and later): name, element type and shape, where symbolic dimensions are
 * strings and unknown ones -1.
 *
 * @category ONNX
 */
export interface OnnxValueMetadataLike {
  /** Name of the input or output. */
  readonly name: string;
  /** Whether it is a tensor. */
  readonly isTensor: boolean;
  /** Element type of a tensor. */
  readonly type?: string;
  /** Shape of a tensor: numbers for fixed dimensions, strings or -1 for free ones. */
  readonly shape?: readonly (number | string)[];
}

/**
 * The part of an onnxruntime `InferenceSession` (onnxruntime-node or onnxruntime-web) that the
 * field uses. A session created by either package satisfies it.
 *
 * @category ONNX
 */
export interface OnnxSessionLike {
  /** Names of the graph's inputs. */
  readonly inputNames: readonly string[];
  /** Names of the graph's outputs. */
  readonly outputNames: readonly string[];
  /** Metadata of the inputs (checked against the options when present). */
  readonly inputMetadata?: readonly OnnxValueMetadataLike[];
  /** Metadata of the outputs. */
  readonly outputMetadata?: readonly OnnxValueMetadataLike[];
  /** Runs the graph on `feeds`, computing the outputs named in `fetches`. */
  run(feeds: Record<string, OnnxTensorLike>, fetches: readonly string[]): Promise<Record<string, OnnxTensorLike>>;
}

/** Element types the field feeds and reads for real-valued tensors. */
export type FloatType = "float32" | "float64";

/** The metadata of one named value, or undefined when the session has none. */
export function metadataOf(list: readonly OnnxValueMetadataLike[] | undefined, name: string): OnnxValueMetadataLike | undefined {
  if (!Array.isArray(list)) return undefined;
  return (list as OnnxValueMetadataLike[]).find((m) => m !== null && typeof m === "object" && m.name === name);
}

/** Checks that a session looks like an onnxruntime InferenceSession. */
export function checkSession(fn: string, session: unknown): OnnxSessionLike {
  const s = session as Partial<OnnxSessionLike> | null;
  if (s === null || typeof s !== "object" || typeof s.run !== "function" || !Array.isArray(s.inputNames) || !Array.isArray(s.outputNames)) {
    throw new DomainError(fn, "session", "be an onnxruntime InferenceSession (inputNames, outputNames, run)", describeValue(session));
  }
  return s as OnnxSessionLike;
}

/** A name given by the caller (or its default) that must be one of `names`. */
export function pickName(fn: string, argument: string, given: unknown, fallback: string | undefined, names: readonly string[], what: string): string {
  const name = given ?? fallback;
  if (typeof name !== "string" || !names.includes(name)) {
    throw new DomainError(fn, argument, `name an ${what} of the session (${names.map((n) => JSON.stringify(n)).join(", ")})`, describeValue(name));
  }
  return name;
}

/** The element type of a real-valued tensor from its metadata (float32 without metadata). */
export function floatType(fn: string, argument: string, meta: OnnxValueMetadataLike | undefined): FloatType {
  const type = meta?.type ?? "float32";
  if (type !== "float32" && type !== "float64") throw new DomainError(fn, argument, "be a float32 or float64 tensor", `${meta?.name ?? "?"} of type ${describeValue(type)}`);
  return type;
}

/** A fixed (numeric) dimension of the metadata shape, else undefined. */
export function fixedDim(meta: OnnxValueMetadataLike | undefined, axis: number): number | undefined {
  const d = meta?.shape?.[axis];
  return typeof d === "number" && d >= 0 ? d : undefined;
}

/** Describes a metadata shape: `[n, 2]`. */
export function describeMetaShape(meta: OnnxValueMetadataLike | undefined): string {
  return meta?.shape === undefined ? "unknown" : `[${meta.shape.join(", ")}]`;
}

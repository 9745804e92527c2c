import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { DenseLayerSpec, MlpSpec, TimeEmbeddingSpec, Activation } from "./spec.js";
import { MAX_LAYERS, MAX_PARAMETERS, validateSpec } from "./validate.js";

/** Format tag of serialized MLPs. @category Neural networks */
export const MLP_JSON_FORMAT = "flow-matching/mlp";
/** Current version of the serialized MLP format. @category Neural networks */
export const MLP_JSON_VERSION = 1;

/**
 * The JSON form of an MLP: plain numbers (JSON numbers round-trip float64 exactly, since
 * JavaScript prints the shortest decimal that reads back to the same double).
 *
 * @category Neural networks
 */
export interface MlpJson {
  /** Always {@link MLP_JSON_FORMAT}. */
  format: string;
  /** Format version, {@link MLP_JSON_VERSION}. */
  version: number;
  /** Dimension. */
  dim: number;
  /** Number of classes (0: unconditional). */
  classes: number;
  /** Width of the continuous condition (absent or 0: none). */
  conditionDim?: number;
  /** Hidden activation. */
  activation: Activation;
  /** Time embedding. */
  time: { kind: "concat" } | { kind: "fourier"; frequencies: number[] };
  /** Layers, input to output. */
  layers: { inputs: number; outputs: number; weight: number[]; bias: number[] }[];
}

/**
 * Converts an MLP spec to its versioned JSON form (see {@link MlpJson}).
 *
 * @param spec - the spec, for example from `net.toSpec()`
 * @returns a plain object ready for `JSON.stringify`
 * @throws {@link ShapeError}, {@link DomainError} or {@link NonFiniteError} for an invalid spec
 * @example
 * ```ts
 * mlpSpecToJSON(mlp({ dim: 2, hidden: [4] }).toSpec()).version // => 1
 * ```
 * @category Neural networks
 */
export function mlpSpecToJSON(spec: MlpSpec): MlpJson {
  validateSpec("mlpSpecToJSON", spec);
  const json: MlpJson = {
    format: MLP_JSON_FORMAT, version: MLP_JSON_VERSION, dim: spec.dim, classes: spec.classes ?? 0, activation: spec.activation,
    time: spec.time.kind === "concat" ? { kind: "concat" } : { kind: "fourier", frequencies: Array.from(spec.time.frequencies) },
    layers: spec.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, weight: Array.from(l.weight), bias: Array.from(l.bias) })),
  };
  if ((spec.conditionDim ?? 0) > 0) json.conditionDim = spec.conditionDim as number;
  return json;
}

/**
 * Reads an MLP spec from untrusted JSON (a string or a parsed value). Only own data
 * properties are read, into fresh objects (no prototype pollution); the format tag and
 * version, every size (bounded), the layer chain and every number (finite) are checked.
 *
 * @param json - a JSON string or the parsed value
 * @returns a validated {@link MlpSpec}
 * @throws {@link DomainError} for malformed JSON, a wrong format or version, or a wrong type; {@link ShapeError} for inconsistent sizes; {@link NonFiniteError} for non-finite numbers
 * @example
 * ```ts
 * const spec = mlpSpecFromJSON(JSON.stringify(mlp({ dim: 2, hidden: [4] }).toJSON()));
 * spec.layers.length // => 2
 * ```
 * @category Neural networks
 */
export function mlpSpecFromJSON(json: unknown): MlpSpec {
  const fn = "mlpSpecFromJSON";
  let value = json;
  if (typeof json === "string") {
    try { value = JSON.parse(json) as unknown; } catch (e) {
      throw new DomainError(fn, "json", "be valid JSON", (e as Error).message.slice(0, 80));
    }
  }
  const root = record(fn, "json", value);
  if (field(root, "format") !== MLP_JSON_FORMAT) throw new DomainError(fn, "json.format", `be "${MLP_JSON_FORMAT}"`, describeValue(field(root, "format")));
  if (field(root, "version") !== MLP_JSON_VERSION) throw new DomainError(fn, "json.version", `be ${MLP_JSON_VERSION}`, describeValue(field(root, "version")));
  const dim = integer(fn, "json.dim", field(root, "dim"), 1);
  const classes = integer(fn, "json.classes", field(root, "classes") ?? 0, 0);
  const conditionDim = integer(fn, "json.conditionDim", field(root, "conditionDim") ?? 0, 0);
  const activation = field(root, "activation");
  if (typeof activation !== "string") throw new DomainError(fn, "json.activation", "be a string", describeValue(activation));
  const timeRecord = record(fn, "json.time", field(root, "time"));
  const kind = field(timeRecord, "kind");
  let time: TimeEmbeddingSpec;
  if (kind === "concat") time = { kind: "concat" };
  else if (kind === "fourier") {
    const f = field(timeRecord, "frequencies");
    if (!Array.isArray(f) || f.length < 1 || f.length > 1 << 16) throw new ShapeError(fn, "json.time.frequencies", "be an array of 1 to 65536 numbers", describeValue(f));
    time = { kind: "fourier", frequencies: numbers(fn, "json.time.frequencies", f, f.length) };
  }
  else throw new DomainError(fn, "json.time.kind", "be \"concat\" or \"fourier\"", describeValue(kind));
  const layersValue = field(root, "layers");
  if (!Array.isArray(layersValue) || layersValue.length < 1 || layersValue.length > MAX_LAYERS) {
    throw new ShapeError(fn, "json.layers", `be an array of 1 to ${MAX_LAYERS} layers`, describeValue(layersValue));
  }
  const layers: DenseLayerSpec[] = [];
  let total = 0;
  for (let l = 0; l < layersValue.length; l++) {
    const name = `json.layers[${l}]`;
    const layer = record(fn, name, layersValue[l]);
    const inputs = integer(fn, `${name}.inputs`, field(layer, "inputs"), 1);
    const outputs = integer(fn, `${name}.outputs`, field(layer, "outputs"), 1);
    total += inputs * outputs + outputs;
    if (total > MAX_PARAMETERS) throw new DomainError(fn, "json.layers", `hold at most ${MAX_PARAMETERS} parameters`, `more than ${MAX_PARAMETERS}`);
    layers.push({
      inputs, outputs,
      weight: numbers(fn, `${name}.weight`, field(layer, "weight"), inputs * outputs),
      bias: numbers(fn, `${name}.bias`, field(layer, "bias"), outputs),
    });
  }
  const spec: MlpSpec = { dim, time, activation: activation as Activation, layers };
  if (classes > 0) spec.classes = classes;
  if (conditionDim > 0) spec.conditionDim = conditionDim;
  validateSpec(fn, spec);
  return spec;
}

function record(fn: string, name: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new DomainError(fn, name, "be an object", describeValue(value));
  return value as Record<string, unknown>;
}

function field(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

function integer(fn: string, name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) throw new DomainError(fn, name, `be an integer >= ${min}`, describeValue(value));
  return value;
}

function numbers(fn: string, name: string, value: unknown, length: number): Float64Array {
  if (!Array.isArray(value)) throw new DomainError(fn, name, "be an array of numbers", describeValue(value));
  if (value.length !== length) throw new ShapeError(fn, name, `have length ${length}`, String(value.length));
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const v: unknown = value[i];
    if (typeof v !== "number") throw new DomainError(fn, `${name}[${i}]`, "be a number", describeValue(v));
    if (!Number.isFinite(v)) throw new NonFiniteError(fn, `${name}[${i}]`, "be finite", describeValue(v));
    out[i] = v;
  }
  return out;
}

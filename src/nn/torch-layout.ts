import { checkOptions } from "../core/check.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import { checkInteger } from "../core/check.js";
import { Mlp } from "./mlp.js";
import type { Activation, DenseLayerSpec, MlpSpec, TimeEmbeddingSpec } from "./spec.js";
import { ACTIVATIONS } from "./activation.js";
import { timeFeatureCount } from "./validate.js";
import { readSafetensors, writeSafetensors } from "./safetensors.js";
import type { SafetensorsTensor } from "./safetensors.js";
import { MLP_JSON_FORMAT, MLP_JSON_VERSION } from "./serialize.js";

/**
 * Options of {@link mlpToSafetensors}.
 *
 * @category Neural networks
 */
export interface TorchWriteOptions {
  /** Element type of the file: "float64" (default, exact) or "float32" (rounded to nearest, PyTorch's default dtype). */
  dtype?: "float32" | "float64";
  /** Prefix of the layer names, the attribute holding the `nn.Sequential` (default "net.", as in torchcfm's MLP; "" for a bare Sequential). */
  prefix?: string;
}

/**
 * Options of {@link mlpFromSafetensors}, needed for files written by PyTorch without our
 * metadata; a value given both here and in the file's metadata must agree.
 *
 * @category Neural networks
 */
export interface TorchReadOptions {
  /** Hidden activation (the file's metadata `activation` when absent there). */
  activation?: Activation;
  /** Time input: "concat" (t as the last input column, torchcfm's `cat([x, t])`; default) or Fourier frequencies. */
  time?: "concat" | { fourier: ArrayLike<number> };
  /** Number of classes of a conditional model (one-hot columns after the time features; default 0). */
  classes?: number;
  /** Prefix of the layer names (default: the one prefix that every `<prefix><i>.weight` key shares). */
  prefix?: string;
}

/** PyTorch modules that compute our activations exactly (GELU only in its tanh form). */
const TORCH_MODULES: Record<Activation, string> = {
  silu: "nn.SiLU()", selu: "nn.SELU()", tanh: "nn.Tanh()", relu: "nn.ReLU()", gelu: 'nn.GELU(approximate="tanh")',
};

/**
 * Writes an MLP in the layout of a PyTorch `nn.Sequential(Linear, act, Linear, act, ...,
 * Linear)` state dict, as safetensors: layer l's weight [outputs, inputs] and bias [outputs]
 * under `<prefix><2l>.weight` and `<prefix><2l>.bias` (the activations sit at the odd indices);
 * Fourier frequencies, if any, under `time.frequencies`; and metadata `format`, `version`,
 * `dim`, `activation`, `time`, `classes` so that {@link mlpFromSafetensors} needs no options.
 * The first layer's input columns are [x, time features, one-hot label]: with the default
 * "concat" time the PyTorch model is `net(torch.cat([x, t[:, None]], -1))`.
 *
 * @param net - the MLP (or its spec)
 * @param options - dtype and prefix; see {@link TorchWriteOptions}
 * @returns the safetensors bytes (`safetensors.torch.load_file` reads them)
 * @throws {@link DomainError} for a bad option or an invalid spec
 * @example
 * ```ts
 * const net = mlp({ dim: 2, hidden: [8], activation: "selu" });
 * readSafetensors(mlpToSafetensors(net)).entries.get("net.0.weight")?.shape // => [8, 3]
 * ```
 * @category Neural networks
 */
export function mlpToSafetensors(net: Mlp | MlpSpec, options: TorchWriteOptions = {}): Uint8Array {
  const fn = "mlpToSafetensors";
  options = checkOptions(fn, "options", options);
  const spec = net instanceof Mlp ? net.toSpec() : new Mlp(net).toSpec();
  if ((spec.conditionDim ?? 0) > 0) throw new DomainError(fn, "net", "have no continuous condition (the PyTorch layout does not record conditionDim yet; use toJSON)", `conditionDim ${spec.conditionDim}`);
  const dtype = options.dtype ?? "float64";
  if (dtype !== "float32" && dtype !== "float64") throw new DomainError(fn, "options.dtype", 'be "float32" or "float64"', describeValue(dtype));
  const prefix = options.prefix ?? "net.";
  if (typeof prefix !== "string") throw new DomainError(fn, "options.prefix", "be a string", describeValue(prefix));
  const kind = dtype === "float64" ? "F64" : "F32";
  const tensors: Record<string, SafetensorsTensor> = {};
  spec.layers.forEach((layer, l) => {
    tensors[`${prefix}${2 * l}.weight`] = { dtype: kind, shape: [layer.outputs, layer.inputs], data: layer.weight };
    tensors[`${prefix}${2 * l}.bias`] = { dtype: kind, shape: [layer.outputs], data: layer.bias };
  });
  if (spec.time.kind === "fourier") tensors["time.frequencies"] = { dtype: kind, shape: [spec.time.frequencies.length], data: spec.time.frequencies };
  return writeSafetensors(tensors, {
    format: MLP_JSON_FORMAT, version: String(MLP_JSON_VERSION), dim: String(spec.dim), activation: spec.activation,
    torch: TORCH_MODULES[spec.activation], time: spec.time.kind, classes: String(spec.classes ?? 0), prefix,
  });
}

/**
 * Reads an MLP from a safetensors file in the layout of a PyTorch `nn.Sequential` of
 * `Linear` layers and activations (see {@link mlpToSafetensors}): a file we wrote, or
 * `safetensors.torch.save_file(model.state_dict(), path)` of such a model. F64, F32, F16 and
 * BF16 tensors are read exactly into float64. The layers are the keys `<prefix><i>.weight`
 * and `<prefix><i>.bias` in increasing i; any other key (other than `time.frequencies`) is
 * an error, so a model with layers we do not compute (normalisation, attention) is never
 * half-loaded; so is an index written with leading zeros (`net.02.weight`), which could name a
 * layer twice.
 *
 * @param bytes - the safetensors file
 * @param options - activation, time input, classes, prefix for files without our metadata; see {@link TorchReadOptions}
 * @returns the MLP
 * @throws {@link DomainError} for a file that is not safetensors, missing or conflicting
 *   activation/time/classes, unknown keys or unsupported dtypes; {@link ShapeError} for layer
 *   shapes that do not chain from dim + time features (+ classes + 1) to dim
 * @example
 * ```ts
 * const net = mlp({ dim: 2, hidden: [8], activation: "selu", seed: 3 });
 * mlpFromSafetensors(mlpToSafetensors(net)).parameters[5] === net.parameters[5] // => true
 * ```
 * @category Neural networks
 */
export function mlpFromSafetensors(bytes: Uint8Array, options: TorchReadOptions = {}): Mlp {
  const fn = "mlpFromSafetensors";
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object", describeValue(options));
  const file = readSafetensors(bytes);
  const meta = file.metadata;
  if (meta.format !== undefined && meta.format !== MLP_JSON_FORMAT) throw new DomainError(fn, "bytes", `carry metadata format "${MLP_JSON_FORMAT}" or none`, describeValue(meta.format));
  if (meta.format !== undefined && meta.version !== String(MLP_JSON_VERSION)) throw new DomainError(fn, "bytes", `carry metadata version "${MLP_JSON_VERSION}"`, describeValue(meta.version));
  const activation = agree(fn, "activation", options.activation, meta.activation);
  if (activation === undefined) throw new DomainError(fn, "options.activation", `be given (the file has no activation metadata): one of ${ACTIVATIONS.join(", ")}`, "undefined");
  if (!ACTIVATIONS.includes(activation as Activation)) throw new DomainError(fn, "options.activation", `be one of ${ACTIVATIONS.join(", ")}`, describeValue(activation));
  const classesText = agree(fn, "classes", options.classes === undefined ? undefined : String(options.classes), meta.classes);
  const classes = checkInteger(fn, "options.classes", classesText === undefined ? 0 : Number(classesText), 0);
  const prefix = options.prefix ?? meta.prefix ?? findPrefix(fn, [...file.entries.keys()]);
  const time = readTime(fn, options, meta, file);
  const layerKeys = new Map<number, { weight?: string; bias?: string }>();
  // indices as PyTorch writes them (no leading zeros, so "net.2" and "net.02" cannot both name layer 2)
  const pattern = /^(0|[1-9]\d{0,14})\.(weight|bias)$/;
  for (const name of file.entries.keys()) {
    if (name === "time.frequencies" && time.kind === "fourier") continue;
    const match = name.startsWith(prefix) ? pattern.exec(name.slice(prefix.length)) : null;
    if (match === null) throw new DomainError(fn, "bytes", `hold only ${prefix}<i>.weight and ${prefix}<i>.bias tensors of Linear layers (i a decimal index without leading zeros)`, describeValue(name));
    const index = Number(match[1]);
    const entry = layerKeys.get(index) ?? {};
    entry[match[2] as "weight" | "bias"] = name;
    layerKeys.set(index, entry);
  }
  const indices = [...layerKeys.keys()].sort((a, b) => a - b);
  if (indices.length === 0) throw new DomainError(fn, "bytes", `hold Linear layers ${prefix}<i>.weight`, "no such tensor");
  const layers: DenseLayerSpec[] = indices.map((i) => {
    const keys = layerKeys.get(i) as { weight?: string; bias?: string };
    if (keys.weight === undefined || keys.bias === undefined) throw new DomainError(fn, "bytes", `hold both ${prefix}${i}.weight and ${prefix}${i}.bias`, `only ${keys.weight ?? keys.bias ?? ""}`);
    const w = file.entries.get(keys.weight)?.shape ?? [];
    const b = file.entries.get(keys.bias)?.shape ?? [];
    if (w.length !== 2 || b.length !== 1 || b[0] !== w[0] || (w[0] as number) < 1 || (w[1] as number) < 1) {
      throw new ShapeError(fn, `bytes[${JSON.stringify(keys.weight)}]`, "be a [outputs, inputs] weight with a [outputs] bias", `[${w.join(", ")}] and [${b.join(", ")}]`);
    }
    return { inputs: w[1] as number, outputs: w[0] as number, weight: file.tensor(keys.weight), bias: file.tensor(keys.bias) };
  });
  const dim = (layers[layers.length - 1] as DenseLayerSpec).outputs;
  if (meta.dim !== undefined && meta.dim !== String(dim)) throw new ShapeError(fn, "bytes", `end in a layer of metadata dim ${meta.dim} outputs`, String(dim));
  const expected = dim + timeFeatureCount(time) + (classes > 0 ? classes + 1 : 0);
  const first = layers[0] as DenseLayerSpec;
  if (first.inputs !== expected) {
    throw new ShapeError(fn, `bytes[${JSON.stringify(`${prefix}${indices[0] ?? 0}.weight`)}]`,
      `have dim + time features${classes > 0 ? " + classes + 1" : ""} = ${expected} input columns (${time.kind} time)`, String(first.inputs));
  }
  const spec: MlpSpec = { dim, time, activation: activation as Activation, layers };
  if (classes > 0) spec.classes = classes;
  return new Mlp(spec);
}

/** A setting given by the caller and/or the metadata; both present must be equal. */
function agree(fn: string, key: string, given: string | undefined, stored: string | undefined): string | undefined {
  if (given !== undefined && stored !== undefined && given !== stored) {
    throw new DomainError(fn, `options.${key}`, `match the file's metadata ${key} ${JSON.stringify(stored)}`, describeValue(given));
  }
  return given ?? stored;
}

function readTime(fn: string, options: TorchReadOptions, meta: Record<string, string>, file: ReturnType<typeof readSafetensors>): TimeEmbeddingSpec {
  const given = options.time;
  if (given !== undefined && given !== "concat" && (given === null || typeof given !== "object" || given.fourier === undefined)) {
    throw new DomainError(fn, "options.time", 'be "concat" or { fourier: frequencies }', describeValue(given));
  }
  agree(fn, "time", given === undefined ? undefined : given === "concat" ? "concat" : "fourier", meta.time);
  const kind = given === undefined ? meta.time ?? "concat" : given === "concat" ? "concat" : "fourier";
  if (kind === "concat") return { kind: "concat" };
  if (kind !== "fourier") throw new DomainError(fn, "bytes", 'carry metadata time "concat" or "fourier"', describeValue(kind));
  const stored = file.entries.has("time.frequencies") ? file.tensor("time.frequencies") : undefined;
  const frequencies = given !== undefined && given !== "concat" ? Float64Array.from(given.fourier) : stored;
  if (frequencies === undefined || frequencies.length < 1) throw new DomainError(fn, "options.time.fourier", "be given (the file holds no time.frequencies)", "undefined");
  if (stored !== undefined && (stored.length !== frequencies.length || stored.some((f, i) => f !== frequencies[i]))) {
    throw new DomainError(fn, "options.time.fourier", "equal the file's time.frequencies", describeValue(frequencies));
  }
  return { kind: "fourier", frequencies };
}

/** The common prefix of every `<prefix><digits>.weight` key, which must be unique. */
function findPrefix(fn: string, names: string[]): string {
  const prefixes = new Set<string>();
  for (const name of names) {
    const match = /^(.*?)\d+\.weight$/.exec(name);
    if (match !== null) prefixes.add(match[1] as string);
  }
  if (prefixes.size !== 1) throw new DomainError(fn, "options.prefix", "be given (the layer names do not share one prefix)", describeValue([...prefixes]));
  return [...prefixes][0] as string;
}

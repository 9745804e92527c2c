import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { MlpSpec, TimeEmbeddingSpec } from "./spec.js";
import { ACTIVATIONS } from "./activation.js";

/** Largest parameter count accepted from a spec or JSON (guards untrusted input). @internal */
export const MAX_PARAMETERS = 50_000_000;
/** Largest layer count accepted. @internal */
export const MAX_LAYERS = 1000;

/**
 * Number of input features the time embedding produces: 1 for concat, 2K for K Fourier
 * frequencies.
 *
 * @internal
 */
export function timeFeatureCount(time: TimeEmbeddingSpec): number {
  return time.kind === "concat" ? 1 : 2 * time.frequencies.length;
}

/**
 * Checks that an MLP spec is self-consistent: positive integer sizes, a chain of layer
 * shapes from dim + time features + label columns to dim, weight and bias lengths, finite
 * numbers everywhere, and a bounded size.
 *
 * @internal
 */
export function validateSpec(fn: string, spec: MlpSpec): void {
  if (spec === null || typeof spec !== "object") throw new DomainError(fn, "spec", "be an object", describeValue(spec));
  const dim = spec.dim;
  if (!Number.isSafeInteger(dim) || dim < 1) throw new DomainError(fn, "spec.dim", "be an integer >= 1", describeValue(dim));
  if (!ACTIVATIONS.includes(spec.activation)) throw new DomainError(fn, "spec.activation", `be one of ${ACTIVATIONS.join(", ")}`, describeValue(spec.activation));
  const classes = spec.classes ?? 0;
  if (!Number.isSafeInteger(classes) || classes < 0) throw new DomainError(fn, "spec.classes", "be an integer >= 0", describeValue(classes));
  const conditionDim = spec.conditionDim ?? 0;
  if (!Number.isSafeInteger(conditionDim) || conditionDim < 0) throw new DomainError(fn, "spec.conditionDim", "be an integer >= 0", describeValue(conditionDim));
  if (conditionDim > 0 && classes > 0) throw new DomainError(fn, "spec.conditionDim", "be 0 for a model with classes (labels or a continuous condition, not both)", String(conditionDim));
  const time = spec.time;
  if (time === null || typeof time !== "object" || (time.kind !== "concat" && time.kind !== "fourier")) {
    throw new DomainError(fn, "spec.time", "be { kind: 'concat' } or { kind: 'fourier', frequencies }", describeValue(time));
  }
  if (time.kind === "fourier") {
    if (!(time.frequencies instanceof Float64Array) || time.frequencies.length < 1) {
      throw new DomainError(fn, "spec.time.frequencies", "be a non-empty Float64Array", describeValue(time.frequencies));
    }
    checkAllFinite(fn, "spec.time.frequencies", time.frequencies);
  }
  const layers = spec.layers;
  if (!Array.isArray(layers) || layers.length < 1 || layers.length > MAX_LAYERS) {
    throw new ShapeError(fn, "spec.layers", `be an array of 1 to ${MAX_LAYERS} layers`, describeValue(layers));
  }
  let expected = dim + timeFeatureCount(time) + (classes > 0 ? classes + 1 : 0) + conditionDim;
  let total = 0;
  layers.forEach((layer, l) => {
    const name = `spec.layers[${l}]`;
    if (layer === null || typeof layer !== "object") throw new DomainError(fn, name, "be an object", describeValue(layer));
    if (layer.inputs !== expected) throw new ShapeError(fn, `${name}.inputs`, `be ${expected}`, describeValue(layer.inputs));
    const outs = layer.outputs;
    if (!Number.isSafeInteger(outs) || outs < 1) throw new DomainError(fn, `${name}.outputs`, "be an integer >= 1", describeValue(outs));
    total += expected * outs + outs;
    if (total > MAX_PARAMETERS) throw new DomainError(fn, "spec.layers", `hold at most ${MAX_PARAMETERS} parameters`, `more than ${MAX_PARAMETERS}`);
    if (l === layers.length - 1 && outs !== dim) throw new ShapeError(fn, `${name}.outputs`, `be dim = ${dim} (last layer)`, String(outs));
    if (!(layer.weight instanceof Float64Array) || layer.weight.length !== expected * outs) {
      throw new ShapeError(fn, `${name}.weight`, `be a Float64Array of length ${expected * outs}`, describeValue(layer.weight));
    }
    if (!(layer.bias instanceof Float64Array) || layer.bias.length !== outs) {
      throw new ShapeError(fn, `${name}.bias`, `be a Float64Array of length ${outs}`, describeValue(layer.bias));
    }
    checkAllFinite(fn, `${name}.weight`, layer.weight);
    checkAllFinite(fn, `${name}.bias`, layer.bias);
    expected = outs;
  });
}

function checkAllFinite(fn: string, argument: string, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new NonFiniteError(fn, `${argument}[${i}]`, "be finite", describeValue(values[i]));
  }
}

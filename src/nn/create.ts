import { DomainError, NonFiniteError } from "../core/errors.js";
import { checkInteger, checkMethods, checkPositive, checkOptions } from "../core/check.js";
import { describeValue } from "../core/format.js";
import { Random } from "../random/random.js";
import type { Activation, DenseLayerSpec, MlpSpec, TimeEmbeddingSpec } from "./spec.js";
import { Mlp } from "./mlp.js";
import { ACTIVATIONS } from "./activation.js";
import { MAX_PARAMETERS } from "./validate.js";

/** Options of {@link mlp}. @category Neural networks */
export interface MlpOptions {
  /** Dimension of x and of the output velocity. */
  dim: number;
  /** Widths of the hidden layers, for example [64, 64, 64]. */
  hidden: readonly number[];
  /** Hidden activation (default "silu"). */
  activation?: Activation;
  /** Time embedding: "concat" (t as one feature, the default) or K Gaussian Fourier frequencies f_k ~ N(0, scale^2) (scale default 1). */
  time?: "concat" | { fourier: number; scale?: number };
  /** Number of classes of a conditional model (default 0: unconditional); the input gets classes + 1 one-hot columns, the last for the null label. */
  classes?: number;
  /** Width of a continuous condition (default 0: none): the input gets that many columns, so the model is u_t(x | c); exclusive with `classes`. */
  conditionDim?: number;
  /** Generator for the initial parameters (takes precedence over `seed`). */
  rng?: Random;
  /** Seed of the initial parameters when no `rng` is given (default 0). */
  seed?: number;
}

/**
 * Creates an MLP velocity field with seeded initial parameters. Weights are drawn
 * uniformly on [-b, b] with b = gain sqrt(3 / fan_in), so that Var W = gain^2 / fan_in:
 * Kaiming (He et al. 2015, gain sqrt 2) for relu, silu and gelu hidden layers, LeCun
 * (gain 1) for selu, tanh and the linear output layer. Biases start at zero.
 *
 * @param options - see {@link MlpOptions}
 * @returns a new {@link Mlp}
 * @throws {@link DomainError} for non-integer or non-positive sizes, a network of more than 50,000,000
 *   parameters (checked before anything is allocated), an unknown activation or time embedding, or an
 *   `rng` that is not a generator; {@link NonFiniteError} for a Fourier scale so large that a frequency overflows
 * @example
 * ```ts
 * const net = mlp({ dim: 2, hidden: [64, 64, 64], activation: "selu", seed: 1 });
 * net.parameterCount // => 8706
 * ```
 * @category Neural networks
 */
export function mlp(options: MlpOptions): Mlp {
  options = checkOptions("mlp", "options", options, true);
  const fn = "mlp";
  if (options === null || typeof options !== "object") throw new DomainError(fn, "options", "be an object", describeValue(options));
  const dim = checkInteger(fn, "options.dim", options.dim, 1);
  if (!Array.isArray(options.hidden)) throw new DomainError(fn, "options.hidden", "be an array of layer widths", describeValue(options.hidden));
  const hidden = options.hidden.map((h, i) => checkInteger(fn, `options.hidden[${i}]`, h, 1));
  const activation = options.activation ?? "silu";
  if (!ACTIVATIONS.includes(activation)) throw new DomainError(fn, "options.activation", `be one of ${ACTIVATIONS.join(", ")}`, describeValue(activation));
  const classes = checkInteger(fn, "options.classes", options.classes ?? 0);
  const conditionDim = checkInteger(fn, "options.conditionDim", options.conditionDim ?? 0);
  if (conditionDim > 0 && classes > 0) throw new DomainError(fn, "options.conditionDim", "be 0 when options.classes is set (labels or a continuous condition, not both)", String(conditionDim));
  if (options.rng !== undefined && options.rng !== null) checkMethods(fn, "options.rng", options.rng, ["uniform", "normal"], "a Random");
  const timeOption = options.time ?? "concat";
  let fourier = 0;
  let scale = 1;
  if (typeof timeOption === "object" && timeOption !== null) {
    fourier = checkInteger(fn, "options.time.fourier", timeOption.fourier, 1);
    scale = checkPositive(fn, "options.time.scale", timeOption.scale ?? 1);
  } else if (timeOption !== "concat") throw new DomainError(fn, "options.time", "be 'concat' or { fourier: K, scale? }", describeValue(timeOption));
  const features = fourier === 0 ? 1 : 2 * fourier;
  const widths = [...hidden, dim];
  const firstInputs = dim + features + (classes > 0 ? classes + 1 : 0) + conditionDim;
  // the size limit of Mlp's spec, checked here before a weight is drawn or allocated
  let total = 0;
  widths.forEach((outputs, l) => { total += (l === 0 ? firstInputs : (widths[l - 1] as number)) * outputs + outputs; });
  if (!(total <= MAX_PARAMETERS)) {
    throw new DomainError(fn, hidden.length > 0 ? "options.hidden" : "options.dim", `give a network of at most ${MAX_PARAMETERS} parameters`,
      `${total} parameters (input width ${firstInputs}, layer widths ${describeValue(widths)})`);
  }
  const rng = options.rng ?? new Random(options.seed ?? 0);
  let time: TimeEmbeddingSpec;
  if (fourier === 0) time = { kind: "concat" };
  else {
    const frequencies = new Float64Array(fourier);
    for (let q = 0; q < fourier; q++) frequencies[q] = scale * rng.normal();
    const overflow = frequencies.findIndex((f) => !Number.isFinite(f));
    if (overflow >= 0) throw new NonFiniteError(fn, "options.time.scale", "be small enough that the frequencies scale * N(0, 1) stay finite", `${scale} (frequency ${overflow} is ${frequencies[overflow]})`);
    time = { kind: "fourier", frequencies };
  }
  const hiddenGain = activation === "selu" || activation === "tanh" ? 1 : Math.SQRT2;
  const layers: DenseLayerSpec[] = [];
  let inputs = firstInputs;
  widths.forEach((outputs, l) => {
    const gain = l === widths.length - 1 ? 1 : hiddenGain;
    const bound = gain * Math.sqrt(3 / inputs);
    const weight = new Float64Array(inputs * outputs);
    for (let i = 0; i < weight.length; i++) weight[i] = rng.uniform(-bound, bound);
    layers.push({ inputs, outputs, weight, bias: new Float64Array(outputs) });
    inputs = outputs;
  });
  const spec: MlpSpec = { dim, time, activation, layers };
  if (classes > 0) spec.classes = classes;
  if (conditionDim > 0) spec.conditionDim = conditionDim;
  return new Mlp(spec);
}

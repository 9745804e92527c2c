/**
 * Activation functions of the MLP velocity field.
 * silu(z) = z / (1 + e^-z); selu(z) = 1.0507009873554805 (z if z > 0 else 1.6732632423543772 (e^z - 1));
 * tanh; relu(z) = max(z, 0); gelu(z) = z Phi(z) with the tanh approximation
 * 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))).
 *
 * @category Neural networks
 */
export type Activation = "silu" | "selu" | "tanh" | "relu" | "gelu";

/**
 * How time enters the MLP: `concat` appends t as one input feature; `fourier` appends
 * [sin(2 pi f_k t), cos(2 pi f_k t)] for k = 0..K-1 (2K features) with fixed frequencies f_k.
 *
 * @category Neural networks
 */
export type TimeEmbeddingSpec = { kind: "concat" } | { kind: "fourier"; frequencies: Float64Array };

/**
 * One dense layer y = W z + b with W of shape [outputs, inputs], row-major.
 *
 * @category Neural networks
 */
export interface DenseLayerSpec {
  /** Number of inputs. */
  inputs: number;
  /** Number of outputs. */
  outputs: number;
  /** Weights, `outputs * inputs` entries, row-major: W[o][i] = weight[o * inputs + i]. */
  weight: Float64Array;
  /** Biases, `outputs` entries. */
  bias: Float64Array;
}

/**
 * Plain-data description of an MLP velocity field v(x, t), shared by the CPU MLP
 * (`src/nn`) and the GPU kernels (`src/gpu`). The input of the first layer is
 * [x_1..x_dim, time features..., one-hot class (when `classes` > 0), condition columns (when
 * `conditionDim` > 0)]; every hidden layer
 * is followed by `activation`; the last layer is linear with `dim` outputs.
 *
 * @category Neural networks
 */
export interface MlpSpec {
  /** Dimension of x and of the output velocity. */
  dim: number;
  /** Time embedding. */
  time: TimeEmbeddingSpec;
  /** Number of class labels for conditional models (0 or absent: unconditional). One extra "null" class index `classes` is used for classifier-free guidance. */
  classes?: number;
  /** Width c of a continuous condition, fed as c extra input columns (0 or absent: none; exclusive with `classes`). */
  conditionDim?: number;
  /** Hidden activation. */
  activation: Activation;
  /** Dense layers from input to output. */
  layers: DenseLayerSpec[];
}

import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import { checkFinite } from "../core/check.js";
import { timeAt, type Time } from "../core/time.js";
import { Mlp } from "../nn/mlp.js";
import { mlp, type MlpOptions } from "../nn/create.js";
import type { TrainableTwoTimeModel } from "./two-time.js";
import { checkTimePair } from "./two-time.js";

/** Options of {@link twoTimeMlp}: those of `mlp` except `dim` means the data dimension and time is always concatenated. @category Few-step generation */
export type TwoTimeMlpOptions = Omit<MlpOptions, "time" | "classes">;

/**
 * An MLP average-velocity model u(x, r, t) (see {@link TwoTimeField}) built on an
 * {@link Mlp} of dimension dim + 2 whose input carries the two times as features:
 * network input [x, r, t - r], network time input held at 0, output = the first dim
 * channels of the network's output (the two extra output channels are ignored and get no
 * gradient). Because the times enter as ordinary inputs, the network's forward-mode JVP
 * gives exact derivatives in r and t, which the MeanFlow target needs; its backward gives
 * the parameter gradient. `parameters` and `gradient` are the network's arrays.
 *
 * @example
 * ```ts
 * const u = twoTimeMlp({ dim: 2, hidden: [16, 16], seed: 0 });
 * u.average(fromRows([[0.5, -1]]), 0, 1).shape // => [1, 2]
 * ```
 * @category Few-step generation
 */
export class TwoTimeMlp implements TrainableTwoTimeModel {
  /** Dimension of x and of the output. */
  readonly dim: number;
  /** The underlying network: input [x, r, t - r] of width dim + 2, output of width dim + 2. */
  readonly network: Mlp;
  /** The network's parameters (shared, updated in place by optimizers). */
  readonly parameters: Float64Array;
  /** The network's gradient (shared). */
  readonly gradient: Float64Array;
  private rows = -1;

  /**
   * Wraps a network of dimension dim + 2 (unconditional, concatenated time).
   *
   * @param network - an {@link Mlp} with `dim` >= 3, no classes and `concat` time
   * @throws {@link DomainError} for another network
   */
  constructor(network: Mlp) {
    const fn = "TwoTimeMlp";
    if (!(network instanceof Mlp)) throw new DomainError(fn, "network", "be an Mlp", describeValue(network));
    if (network.dim < 3 || network.classes !== 0 || network.time.kind !== "concat") {
      throw new DomainError(fn, "network", "be an unconditional Mlp with dim >= 3 and concatenated time", `dim ${network.dim}, classes ${network.classes}, time ${network.time.kind}`);
    }
    this.network = network;
    this.dim = network.dim - 2;
    this.parameters = network.parameters;
    this.gradient = network.gradient;
  }

  /**
   * u(x, r, t) for every row.
   *
   * @param x - points at time r, [n, dim]
   * @param r - start times in [0, 1]
   * @param t - end times in [0, 1], r <= t
   * @param out - optional output [n, dim]
   * @returns the average velocities [n, dim]
   * @throws {@link ShapeError} for a wrong shape; {@link DomainError} for times outside [0, 1] or r > t
   */
  average(x: Batch, r: Time, t: Time, out?: Batch): Batch {
    const fn = "TwoTimeMlp.average";
    const input = this.input(fn, x, r, t);
    return this.firstColumns(fn, this.network.evaluate(input, 0), out);
  }

  /**
   * (du/dx) dx + (du/dr) dr + (du/dt) dt by the network's forward-mode JVP along
   * the input tangent [dx, dr, dt - dr].
   *
   * @param x - points [n, dim]
   * @param r - start times
   * @param t - end times
   * @param dx - tangent of x [n, dim]
   * @param dr - tangent of r
   * @param dt - tangent of t
   * @param out - optional output [n, dim]
   * @returns the directional derivatives [n, dim]
   */
  averageJvp(x: Batch, r: Time, t: Time, dx: Batch, dr: number, dt: number, out?: Batch): Batch {
    const fn = "TwoTimeMlp.averageJvp";
    const input = this.input(fn, x, r, t);
    const n = input.shape[0] as number, d = this.dim, w = d + 2;
    const v = asBatch(fn, "dx", dx, { dim: d, rows: n });
    checkFinite(fn, "dr", dr);
    checkFinite(fn, "dt", dt);
    const tangent = new Float64Array(n * w);
    for (let i = 0; i < n; i++) {
      tangent.set(v.data.subarray(i * d, (i + 1) * d), i * w);
      tangent[i * w + d] = dr;
      tangent[i * w + d + 1] = dt - dr;
    }
    return this.firstColumns(fn, this.network.jvp(input, 0, ndarray(tangent, [n, w])), out);
  }

  /**
   * The training forward pass: like {@link TwoTimeMlp.average}, and keeps the activations
   * for the next {@link TwoTimeMlp.backward}.
   *
   * @param x - points [n, dim]
   * @param r - start times
   * @param t - end times
   * @param out - optional output [n, dim]
   * @returns the predictions [n, dim]
   */
  forward(x: Batch, r: Time, t: Time, out?: Batch): Batch {
    const fn = "TwoTimeMlp.forward";
    const input = this.input(fn, x, r, t);
    this.rows = input.shape[0] as number;
    return this.firstColumns(fn, this.network.forward(input, 0), out);
  }

  /**
   * dL/dtheta for G = dL/du of the last forward, written into `gradient`.
   *
   * @param gradOutput - dL/du, [n, dim]
   * @returns `gradient`
   * @throws {@link DomainError} when no forward preceded; {@link ShapeError} for a wrong shape
   */
  backward(gradOutput: Batch): Float64Array {
    const fn = "TwoTimeMlp.backward";
    if (this.rows < 0) throw new DomainError(fn, "this", "have run forward() first", "no forward pass");
    const n = this.rows, d = this.dim, w = d + 2;
    const g = asBatch(fn, "gradOutput", gradOutput, { dim: d, rows: n });
    const padded = new Float64Array(n * w);
    for (let i = 0; i < n; i++) padded.set(g.data.subarray(i * d, (i + 1) * d), i * w);
    return this.network.backward(ndarray(padded, [n, w]));
  }

  /** Network input [x, r, t - r] after the checks of x, r and t. */
  private input(fn: string, x: Batch, r: Time, t: Time): Batch {
    const xb = asBatch(fn, "x", x, { dim: this.dim });
    const n = xb.shape[0] as number, d = this.dim, w = d + 2;
    checkTimePair(fn, r, t, n);
    const data = new Float64Array(n * w);
    for (let i = 0; i < n; i++) {
      data.set(xb.data.subarray(i * d, (i + 1) * d), i * w);
      const ri = timeAt(r, i);
      data[i * w + d] = ri;
      data[i * w + d + 1] = timeAt(t, i) - ri;
    }
    return ndarray(data, [n, w]);
  }

  private firstColumns(fn: string, y: Batch, out?: Batch): Batch {
    const n = y.shape[0] as number, d = this.dim, w = d + 2;
    const result = outputBatch(fn, out, n, d);
    for (let i = 0; i < n; i++) result.data.set(y.data.subarray(i * w, i * w + d), i * d);
    return result;
  }
}

/**
 * Creates a {@link TwoTimeMlp} u(x, r, t) with seeded initial parameters (the network is
 * `mlp({ ...options, dim: dim + 2 })`).
 *
 * @param options - as for `mlp`: dim (of the data), hidden widths, activation, seed or rng
 * @returns the model
 * @throws {@link DomainError} for invalid sizes or activation
 * @example
 * ```ts
 * twoTimeMlp({ dim: 2, hidden: [64, 64], seed: 1 }).parameters.length // => 4804
 * ```
 * @category Few-step generation
 */
export function twoTimeMlp(options: TwoTimeMlpOptions): TwoTimeMlp {
  if (options === null || typeof options !== "object") throw new DomainError("twoTimeMlp", "options", "be an object", describeValue(options));
  const dim = options.dim;
  if (typeof dim !== "number" || !Number.isInteger(dim) || dim < 1) throw new DomainError("twoTimeMlp", "options.dim", "be an integer >= 1", describeValue(dim));
  return new TwoTimeMlp(mlp({ ...options, dim: dim + 2, time: "concat" }));
}

/**
 * Scratch buffers of one MLP pass, allocated for a capacity of rows and reused by every
 * later call with at most that many rows (a larger batch reallocates once).
 *
 * @internal
 */
export class Workspace {
  /** Rows the buffers can hold. */
  readonly capacity: number;
  /** First-layer input [capacity, inputs]. */
  readonly input: Float64Array;
  /** Pre-activations of the hidden layers, one [capacity, width] buffer each. */
  readonly z: Float64Array[];
  /** Activations of the hidden layers. */
  readonly act: Float64Array[];
  /** Activation slopes f'(z) of the hidden layers. */
  readonly slope: Float64Array[];
  /** Two [capacity, maxWidth] buffers for deltas and tangents. */
  readonly ping: Float64Array;
  /** See {@link Workspace.ping}. */
  readonly pong: Float64Array;
  /** A [capacity, maxWidth] buffer for the input tangents of jvp and divergence. */
  readonly tangentInput: Float64Array;

  constructor(capacity: number, inputs: number, widths: readonly number[]) {
    this.capacity = capacity;
    const maxWidth = Math.max(inputs, ...widths);
    this.input = new Float64Array(capacity * inputs);
    const hidden = widths.slice(0, -1);
    this.z = hidden.map((w) => new Float64Array(capacity * w));
    this.act = hidden.map((w) => new Float64Array(capacity * w));
    this.slope = hidden.map((w) => new Float64Array(capacity * w));
    this.ping = new Float64Array(capacity * maxWidth);
    this.pong = new Float64Array(capacity * maxWidth);
    this.tangentInput = new Float64Array(capacity * maxWidth);
  }
}

import type { DenseF32, F32Plan } from "./dense-f32.js";
import { runF32, runF32Tangents } from "./dense-f32.js";
import type { ThreadSupport } from "./threads.js";
import { RowPool } from "./threads.js";

/** The source text of the float32 MLP kernel's worker side (see {@link F32Pool}). */
function f32Source(): string {
  return `const runF32 = ${runF32.toString()};
const runF32Tangents = ${runF32Tangents.toString()};
function setup(data) {
  const kernel = new WebAssembly.Instance(data.module, {}).exports;
  const have = kernel.memory.buffer.byteLength;
  if (data.plan.bytes > have) kernel.memory.grow(Math.ceil((data.plan.bytes - have) / 65536));
  new Float32Array(kernel.memory.buffer).set(new Float32Array(data.weights));
  return { kernel, plan: data.plan, feat: new Float32Array(data.input), out: new Float32Array(data.output), zin: new Float32Array(data.dirsIn), zout: new Float32Array(data.dirsOut) };
}
function runRange(st, first, count, P, tile) {
  if (P === 0) runF32(st.kernel, st.plan, st.feat, first * st.plan.inputs, count, st.out, first * st.plan.dim);
  else runF32Tangents(st.kernel, st.plan, st.feat, first, count, tile, P, st.zin, st.out, st.zout);
}`;
}

/**
 * A pool for the packed float32 MLP (internal): features, values, directions and tangents in
 * shared float32 buffers of `capacity` rows; the calling thread's module instance `kernel`
 * (already packed) serves its own ranges and the weights are copied to every worker.
 */
export class F32Pool extends RowPool {
  /** Features [capacity, plan.inputs], written by the caller before {@link RowPool.run}. */
  readonly input: Float32Array;
  /** Outputs [capacity, plan.dim], read by the caller after {@link RowPool.run}. */
  readonly output: Float32Array;
  /** Tangent directions [P][m][plan.dim] of a tile of m rows (P m dim <= its length), written by the caller. */
  readonly dirsIn: Float32Array;
  /** Tangents (dv/dx) z, laid out like {@link F32Pool.dirsIn}. */
  readonly dirsOut: Float32Array;

  /**
   * @param dirFloats - floats of each direction buffer, at least `capacity * plan.dim` (with a tangent plan)
   */
  constructor(kernel: DenseF32, module: WebAssembly.Module, plan: F32Plan, workers: number, readonly capacity: number, support: ThreadSupport, hooks: { stallMs?: number; source?: string } = {}, dirFloats = 0) {
    const shared = (floats: number) => new Float32Array(new SharedArrayBuffer(4 * floats));
    const input = shared(capacity * plan.inputs);
    const output = shared(capacity * plan.dim);
    const dirSize = plan.tangent === null ? 0 : Math.max(capacity * plan.dim, dirFloats);
    const dirsIn = shared(dirSize);
    const dirsOut = shared(dirSize);
    const weights = new Float32Array(kernel.memory.buffer, 0, plan.buffers[0] / 4).slice();
    super({
      name: "flow-matching f32",
      source: f32Source(),
      data: { module, plan, weights, input: input.buffer, output: output.buffer, dirsIn: dirsIn.buffer, dirsOut: dirsOut.buffer },
      blockRows: plan.blockRows,
      local: (first, count, P, tile) => {
        if (P === 0) runF32(kernel, plan, input, first * plan.inputs, count, output, first * plan.dim);
        else runF32Tangents(kernel, plan, input, first, count, tile, P, dirsIn, output, dirsOut);
      },
    }, workers, support, hooks);
    this.input = input;
    this.output = output;
    this.dirsIn = dirsIn;
    this.dirsOut = dirsOut;
  }
}


/**
 * WebAssembly SIMD (f32x4) kernels of the opt-in float32 inference path (float32.ts): a
 * dense layer C = act(A Wt + bias) on 4 x 8 register tiles with the activation fused
 * after each block of rows; `actSlope` (activations and their slopes) and `mul` for
 * forward-mode tangents. Source in src/engine/wasm/dense-f32.wat (compiled by
 * scripts/build-wasm.mjs). {@link denseF32Module} is null where WebAssembly SIMD is missing.
 *
 * @internal
 */
import type { MlpSpec } from "../nn/spec.js";
import { DENSE_F32 } from "./wasm/modules.js";
import { compileModule, instantiate } from "./wasm/load.js";

/** Exports of one instance of the float32 module (each {@link MlpFloat32} owns its memory). @internal */
export interface DenseF32 {
  memory: WebAssembly.Memory;
  dense: (a: number, w: number, b: number, c: number, m: number, k: number, p: number, act: number) => void;
  actSlope: (z: number, h: number, s: number, bytes: number, act: number) => void;
  mul: (t: number, s: number, bytes: number) => void;
}

/** The compiled module, or null without WebAssembly SIMD. @internal */
export const denseF32Module = compileModule(DENSE_F32);

/** A fresh instance with its own memory. @internal */
export function instantiateDenseF32(module: WebAssembly.Module): DenseF32 {
  return instantiate<DenseF32>(module);
}

/** One layer of a packed float32 MLP: inputs `k`, outputs padded to `p` (a multiple of 8), byte offsets of Wt and bias, activation code. @internal */
export interface F32Layer { k: number; p: number; w: number; b: number; act: number }

/**
 * Buffers of forward-mode tangents (@internal), each `blockRows` x the widest layer: the
 * pre-activations `z`, the slopes act'(z) of every hidden layer, two tangent buffers, and a
 * zero bias.
 */
export interface F32TangentPlan { z: number; slopes: number[]; t: [number, number]; zero: number }

/**
 * Where a float32 MLP lives in one module instance's memory (@internal): the packed layers,
 * then three activation buffers of `blockRows` x the widest padded layer, then the tangent
 * buffers where asked for; `bytes` in all. A plain object, so it can be posted to worker threads.
 */
export interface F32Plan { inputs: number; dim: number; blockRows: number; layers: F32Layer[]; buffers: [number, number, number]; tangent: F32TangentPlan | null; bytes: number }

/** Rows per block: the activations of one block (256 x width floats) stay in L2 cache. @internal */
export const F32_BLOCK_ROWS = 256;

/** Activation codes of the module's `dense` (0 is linear). @internal */
export const F32_ACT_CODES: Record<MlpSpec["activation"], number> = { silu: 1, relu: 2, selu: 3, tanh: 4, gelu: 5 };

/** The memory plan of `spec` (hidden layers use its activation, the last is linear), with tangent buffers when `tangents`. @internal */
export function f32Plan(spec: MlpSpec, tangents = false): F32Plan {
  const act = F32_ACT_CODES[spec.activation];
  const L = spec.layers.length;
  const inputs = (spec.layers[0] as MlpSpec["layers"][number]).inputs;
  const layers: F32Layer[] = [];
  let bytes = 0;
  let k = inputs;
  let widest = inputs;
  for (let l = 0; l < L; l++) {
    const layer = spec.layers[l] as MlpSpec["layers"][number];
    const p = (layer.outputs + 7) & ~7;
    layers.push({ k, p, w: bytes, b: bytes + 4 * k * p, act: l === L - 1 ? 0 : act });
    bytes += 4 * (k * p + p);
    widest = Math.max(widest, p);
    k = p;
  }
  const block = 4 * F32_BLOCK_ROWS * widest;
  const buffers: [number, number, number] = [bytes, bytes + block, bytes + 2 * block];
  let end = bytes + 3 * block;
  let tangent: F32TangentPlan | null = null;
  if (tangents) {
    const z = end;
    const slopes = layers.slice(0, -1).map((_, l) => z + (l + 1) * block);
    const t0 = z + L * block;
    tangent = { z, slopes, t: [t0, t0 + block], zero: t0 + 2 * block };
    end = t0 + 2 * block + 4 * widest;
  }
  return { inputs, dim: spec.dim, blockRows: F32_BLOCK_ROWS, layers, buffers, tangent, bytes: end };
}

/**
 * Writes the transposed float32 weights Wt[i, o] = W[o, i] (packed by groups of 8 columns, as
 * dense-f32.wat reads them) and the biases of `spec` at the
 * plan's offsets of `mem` (a view from byte 0); padded rows and columns are zero, so padded
 * units output act(0) = 0 and contribute nothing. @internal
 */
export function packF32(spec: MlpSpec, plan: F32Plan, mem: Float32Array): void {
  mem.fill(0, 0, plan.buffers[0] / 4);
  spec.layers.forEach((src, l) => {
    const dst = plan.layers[l] as F32Layer;
    for (let o = 0; o < src.outputs; o++) {
      // packed by groups of 8 columns: Wt[i, o] at group o >> 3, row i, lane o & 7
      const to = dst.w / 4 + (o >> 3) * 8 * dst.k + (o & 7);
      for (let i = 0; i < src.inputs; i++) mem[to + 8 * i] = src.weight[o * src.inputs + i] as number;
      mem[dst.b / 4 + o] = src.bias[o] as number;
    }
  });
}

/**
 * Runs `rows` rows of first-layer inputs (`plan.inputs` floats per row of `feat` from float
 * `featOffset`) through the packed layers of `kernel`'s memory, block by block, and writes
 * the `plan.dim` outputs per row to `out` from `outOffset`. Self-contained (no outer
 * references) because worker threads receive its source text. @internal
 */
export function runF32(kernel: DenseF32, plan: F32Plan, feat: Float32Array, featOffset: number, rows: number, out: Float32Array | Float64Array, outOffset: number): void {
  const mem = new Float32Array(kernel.memory.buffer);
  const K = plan.inputs;
  const d = plan.dim;
  const [b0, b1, b2] = plan.buffers;
  const last = plan.layers[plan.layers.length - 1] as F32Layer;
  for (let s = 0; s < rows; s += plan.blockRows) {
    const m = Math.min(plan.blockRows, rows - s);
    const padded = (m + 3) & ~3;
    mem.set(feat.subarray(featOffset + s * K, featOffset + (s + m) * K), b0 / 4);
    if (padded > m) mem.fill(0, b0 / 4 + m * K, b0 / 4 + padded * K);
    let a = b0;
    let c = b1;
    for (const layer of plan.layers) {
      kernel.dense(a, layer.w, layer.b, c, padded, layer.k, layer.p, layer.act);
      a = c;
      c = c === b1 ? b2 : b1;
    }
    const src = a / 4;
    for (let r = 0; r < m; r++) for (let j = 0; j < d; j++) out[outOffset + (s + r) * d + j] = mem[src + r * last.p + j] as number;
  }
}

/**
 * Values and forward-mode tangents of rows first..first+count-1 of a tile of `m` rows (@internal):
 * features `plan.inputs` per row in `feat` (from row 0 of the tile), `P` directions in `dirs`
 * laid out [P][m][dim], values to `values` ([m][dim], unless null), tangents (dv/dx) z to
 * `dirsOut` ([P][m][dim]). Per block of rows: one forward pass keeping the slopes act'(z) of the
 * hidden layers, then for each direction dh_{l+1} = act'(z_l) (W_l dh_l). Self-contained (no
 * outer references) because worker threads receive its source text; needs a plan with tangents.
 */
export function runF32Tangents(kernel: DenseF32, plan: F32Plan, feat: Float32Array, first: number, count: number, m: number, P: number, dirs: Float32Array, values: Float32Array | Float64Array | null, dirsOut: Float32Array | Float64Array): void {
  const mem = new Float32Array(kernel.memory.buffer);
  const K = plan.inputs;
  const d = plan.dim;
  const tp = plan.tangent as F32TangentPlan;
  const [b0, b1, b2] = plan.buffers;
  const L = plan.layers.length;
  const last = plan.layers[L - 1] as F32Layer;
  for (let s = 0; s < count; s += plan.blockRows) {
    const mb = Math.min(plan.blockRows, count - s);
    const padded = (mb + 3) & ~3;
    const row0 = first + s;
    mem.set(feat.subarray(row0 * K, (row0 + mb) * K), b0 / 4);
    if (padded > mb) mem.fill(0, b0 / 4 + mb * K, b0 / 4 + padded * K);
    let a = b0;
    let c = b1;
    for (let l = 0; l < L; l++) {
      const layer = plan.layers[l] as F32Layer;
      if (l < L - 1) {
        kernel.dense(a, layer.w, layer.b, tp.z, padded, layer.k, layer.p, 0);
        kernel.actSlope(tp.z, c, tp.slopes[l] as number, 4 * padded * layer.p, layer.act);
      } else kernel.dense(a, layer.w, layer.b, c, padded, layer.k, layer.p, 0);
      a = c;
      c = c === b1 ? b2 : b1;
    }
    if (values !== null) for (let r = 0; r < mb; r++) for (let j = 0; j < d; j++) values[(row0 + r) * d + j] = mem[a / 4 + r * last.p + j] as number;
    for (let q = 0; q < P; q++) {
      const t0 = tp.t[0] / 4;
      mem.fill(0, t0, t0 + padded * K);
      for (let r = 0; r < mb; r++) for (let j = 0; j < d; j++) mem[t0 + r * K + j] = dirs[(q * m + row0 + r) * d + j] as number;
      let ta = tp.t[0];
      let tc = tp.t[1];
      for (let l = 0; l < L; l++) {
        const layer = plan.layers[l] as F32Layer;
        kernel.dense(ta, layer.w, tp.zero, tc, padded, layer.k, layer.p, 0);
        if (l < L - 1) kernel.mul(tc, tp.slopes[l] as number, 4 * padded * layer.p);
        const swap = ta;
        ta = tc;
        tc = swap;
      }
      for (let r = 0; r < mb; r++) for (let j = 0; j < d; j++) dirsOut[(q * m + row0 + r) * d + j] = mem[ta / 4 + r * last.p + j] as number;
    }
  }
}

/** A module instance holding `spec` packed by `plan` (memory grown to fit). @internal */
export function loadF32(module: WebAssembly.Module, spec: MlpSpec, plan: F32Plan): DenseF32 {
  const kernel = instantiateDenseF32(module);
  const have = kernel.memory.buffer.byteLength;
  if (plan.bytes > have) kernel.memory.grow(Math.ceil((plan.bytes - have) / 65536));
  packF32(spec, plan, new Float32Array(kernel.memory.buffer));
  return kernel;
}

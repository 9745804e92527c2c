/**
 * WebAssembly SIMD (f32x4) kernels of the opt-in float32 inference path (float32.ts): a
 * dense layer C = act(A Wt + bias) on 4 x 8 register tiles with the activation fused
 * after each block of rows. Source in dense-f32.wat beside this file (1106 bytes,
 * assembled with wabt). {@link denseF32Module} is null where WebAssembly SIMD is missing.
 *
 * @internal
 */
import type { MlpSpec } from "./spec.js";

const MODULE_BASE64 = "AGFzbQEAAAABFwNgAXsBe2ADf39/AGAIf39/f39/f38AAwUEAAABAgUDAQABBxICBm1lbW9yeQIABWRlbnNlAAMKjggE+gEBA3sgAEMAAK7C/RP96wFDAACuQv0T/eoBIQAgAEM7qrg//RP95gH9aiEBIAAgAUMAcjE//RP95gH95QEgAUOOvr81/RP95gH95QEhAkMBDVA5/RMhAyADIAL95gFDYQu2Ov0T/eQBIQMgAyAC/eYBQ4mICDz9E/3kASEDIAMgAv3mAUOrqio9/RP95AEhAyADIAL95gFDq6oqPv0T/eQBIQMgAyAC/eYBQwAAAD/9E/3kASEDIAMgAv3mAUMAAIA//RP95AEhAyADIAL95gFDAACAP/0T/eQBIQMgAyABQwAAQEv9E/3kAUH/AP0R/a4BQRf9qwH95gELKQBDAACAP/0TQwAAAED9EyAAIAD95AEQAEMAAIA//RP95AH95wH95QELjAICAX8Ce0EAIQMCQANAIAMgAU8NASAAIANq/QAEACEEAkAgAkEBRgRAIARDAACAP/0TIAT94QEQAP3kAf3nASEFDAELIAJBAkYEQCAEQwAAAAD9E/3rASEFDAELIAJBA0YEQENffYY//RMgBEN9LdY//RMgBEMAAAAA/RP96gEQAEMAAIA//RP95QH95gEgBEMAAAAA/RP9RP1S/eYBIQUMAQsgAkEERgRAIAQQASEFDAELQwAAAD/9EyAE/eYBQwAAgD/9E0MqQkw//RMgBEMTJzc9/RMgBCAEIAT95gH95gH95gH95AH95gEQAf3kAf3mASEFCyAAIANqIAX9CwQAIANBEGohAwwACwsL1wMCCn8LeyAGQQJ0IRAgBUECdCERQQAhCAJAA0AgCCAETw0BIAAgCCARbGohCyADIAggEGxqIQxBACEJAkADQCAJIBBPDQEgAiAJav0ABAAhFSACIAlq/QAEECEWIBUhFyAWIRggFSEZIBYhGiAVIRsgFiEcIAEgCWohDSALIQ8gCyARaiEOAkADQCAPIA5PDQEgDf0ABAAhEiAN/QAEECETIA/9CQIAIRQgFSAUIBL95gH95AEhFSAWIBQgE/3mAf3kASEWIA8gEWr9CQIAIRQgFyAUIBL95gH95AEhFyAYIBQgE/3mAf3kASEYIA8gEUEBdGr9CQIAIRQgGSAUIBL95gH95AEhGSAaIBQgE/3mAf3kASEaIA8gEUEDbGr9CQIAIRQgGyAUIBL95gH95AEhGyAcIBQgE/3mAf3kASEcIA9BBGohDyANIBBqIQ0MAAsLIAwgCWohCiAKIBX9CwQAIAogFv0LBBAgCiAQaiEKIAogF/0LBAAgCiAY/QsEECAKIBBqIQogCiAZ/QsEACAKIBr9CwQQIAogEGohCiAKIBv9CwQAIAogHP0LBBAgCUEgaiEJDAALCyAHQQBHBEAgDCAQQQJ0IAcQAgsgCEEEaiEIDAALCws=";

/** Exports of one instance of the float32 module (each {@link MlpFloat32} owns its memory). @internal */
export interface DenseF32 {
  memory: WebAssembly.Memory;
  dense: (a: number, w: number, b: number, c: number, m: number, k: number, p: number, act: number) => void;
}

function compile(): WebAssembly.Module | null {
  try {
    if (typeof WebAssembly !== "object" || typeof atob !== "function") return null;
    const binary = atob(MODULE_BASE64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    const module = new WebAssembly.Module(bytes);
    new WebAssembly.Instance(module, {});
    return module;
  } catch {
    return null;
  }
}

/** The compiled module, or null without WebAssembly SIMD. @internal */
export const denseF32Module = compile();

/** A fresh instance with its own memory. @internal */
export function instantiateDenseF32(module: WebAssembly.Module): DenseF32 {
  return new WebAssembly.Instance(module, {}).exports as unknown as DenseF32;
}

/** One layer of a packed float32 MLP: inputs `k`, outputs padded to `p` (a multiple of 8), byte offsets of Wt and bias, activation code. @internal */
export interface F32Layer { k: number; p: number; w: number; b: number; act: number }

/**
 * Where a float32 MLP lives in one module instance's memory (@internal): the packed layers,
 * then three activation buffers of `blockRows` x the widest padded layer; `bytes` in all.
 * A plain object, so it can be posted to worker threads.
 */
export interface F32Plan { inputs: number; dim: number; blockRows: number; layers: F32Layer[]; buffers: [number, number, number]; bytes: number }

/** Rows per block: the activations of one block (256 x width floats) stay in L2 cache. @internal */
export const F32_BLOCK_ROWS = 256;

/** Activation codes of the module's `dense` (0 is linear). @internal */
export const F32_ACT_CODES: Record<MlpSpec["activation"], number> = { silu: 1, relu: 2, selu: 3, tanh: 4, gelu: 5 };

/** The memory plan of `spec` (hidden layers use its activation, the last is linear). @internal */
export function f32Plan(spec: MlpSpec): F32Plan {
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
  return { inputs, dim: spec.dim, blockRows: F32_BLOCK_ROWS, layers, buffers: [bytes, bytes + block, bytes + 2 * block], bytes: bytes + 3 * block };
}

/**
 * Writes the transposed float32 weights Wt[i, o] = W[o, i] and the biases of `spec` at the
 * plan's offsets of `mem` (a view from byte 0); padded rows and columns are zero, so padded
 * units output act(0) = 0 and contribute nothing. @internal
 */
export function packF32(spec: MlpSpec, plan: F32Plan, mem: Float32Array): void {
  mem.fill(0, 0, plan.buffers[0] / 4);
  spec.layers.forEach((src, l) => {
    const dst = plan.layers[l] as F32Layer;
    for (let o = 0; o < src.outputs; o++) {
      for (let i = 0; i < src.inputs; i++) mem[dst.w / 4 + i * dst.p + o] = src.weight[o * src.inputs + i] as number;
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

/** A module instance holding `spec` packed by `plan` (memory grown to fit). @internal */
export function loadF32(module: WebAssembly.Module, spec: MlpSpec, plan: F32Plan): DenseF32 {
  const kernel = instantiateDenseF32(module);
  const have = kernel.memory.buffer.byteLength;
  if (plan.bytes > have) kernel.memory.grow(Math.ceil((plan.bytes - have) / 65536));
  packF32(spec, plan, new Float32Array(kernel.memory.buffer));
  return kernel;
}

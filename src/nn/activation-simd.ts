import { ACTIVATION_F64 } from "../engine/wasm/modules.js";
import { instantiateBase64 } from "../engine/wasm/load.js";

/**
 * WebAssembly SIMD (f64x2) SiLU and SELU with their slopes, float64. Source in
 * src/engine/wasm/activation-f64.wat (compiled by scripts/build-wasm.mjs): exp by range reduction and a rational function,
 * within a few ulp of Math.exp (test/engine/wasm/activation-f64.test.ts). Null where WebAssembly SIMD is
 * missing; then the scalar loops of activation.ts run.
 *
 * @internal
 */

type Kernel = (z: number, a: number, s: number, bytes: number) => void;

interface Exports { memory: WebAssembly.Memory; silu: Kernel; selu: Kernel }

const module = instantiateBase64<Exports>(ACTIVATION_F64);
let view = module === null ? new Float64Array(0) : new Float64Array(module.memory.buffer);

/**
 * Writes f(z) to `a` and f'(z) to `slope` for the first n entries, f = silu or selu.
 *
 * @internal
 */
export const simdActivate = module === null ? null : (kind: "silu" | "selu", z: Float64Array, a: Float64Array, slope: Float64Array, n: number): void => {
  const m = module as Exports;
  const even = (n + 3) & ~3;
  if (view.length < 3 * even) {
    m.memory.grow(Math.ceil((3 * even * 8 - m.memory.buffer.byteLength) / 65536));
    view = new Float64Array(m.memory.buffer);
  }
  view.set(z.subarray(0, n), 0);
  if (even > n) view.fill(0, n, even);
  m[kind](0, even * 8, 2 * even * 8, even * 8);
  a.set(view.subarray(even, even + n));
  slope.set(view.subarray(2 * even, 2 * even + n));
};

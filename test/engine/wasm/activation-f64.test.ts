import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ACTIVATION_F64, MLP_F64 } from "../../../src/engine/wasm/modules.js";
import { decodeBase64 } from "../../../src/engine/wasm/load.js";

type Kernel = (z: number, a: number, s: number, bytes: number) => void;
interface Kernels { silu: Kernel; selu: Kernel }

/** activation-f64.wat (own memory) and mlp-f64.wat (shared memory): the same exp, so the same bits are expected. */
function kernels(): { own: Kernels & { memory: WebAssembly.Memory }; shared: Kernels; sharedMemory: WebAssembly.Memory } {
  const own = new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(ACTIVATION_F64)), {}).exports as unknown as Kernels & { memory: WebAssembly.Memory };
  own.memory.grow(4);
  const sharedMemory = new WebAssembly.Memory({ initial: 5, maximum: 5, shared: true });
  const shared = new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(MLP_F64)), { env: { memory: sharedMemory } }).exports as unknown as Kernels;
  return { own, shared, sharedMemory };
}

/** f and f' of n entries (n a multiple of 4) by a kernel on `memory`. */
function run(k: Kernel, memory: WebAssembly.Memory, z: Float64Array): { a: Float64Array; s: Float64Array } {
  const n = z.length, view = new Float64Array(memory.buffer);
  view.set(z, 0);
  k(0, 8 * n, 16 * n, 8 * n);
  return { a: view.slice(n, 2 * n), s: view.slice(2 * n, 3 * n) };
}

const EPS = 2 ** -52;
const SELU_SCALE = 1.0507009873554805, SELU_ALPHA = 1.6732632423543772;

/**
 * Error budget, in units of the result's ulp: the exp's rational form is within 1.5 ulp of e^r on
 * |r| <= ln2/2 (3.1e-16 relative, the Cephes bound), the reduction x - k ln2 adds at most 0.5 ulp
 * of e^r (the split ln2 makes k ln2_hi exact), and each of the 3 or 4 roundings after it adds 0.5;
 * the Math.exp reference is itself within 1 ulp, and both sides round the final products once.
 * 8 ulp covers the sum with room to spare; a wrong coefficient or reduction is off by millions.
 */
const ULPS = 8;

describe("the float64 SIMD exp of SiLU and SELU (activation-f64.wat, mlp-f64.wat)", () => {
  it("property: SiLU z sigma(z) within 8 ulp of the Math.exp formula (its slope sigma (1 + z (1 - sigma)) within 8 ulp of sigma (1 + |z|)) on [-700, 700], and both modules give the same bits", () => {
    const { own, shared, sharedMemory } = kernels();
    fc.assert(fc.property(fc.array(fc.oneof(fc.double({ min: -700, max: 700, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true })), { minLength: 4, maxLength: 400 }), (values) => {
      const z = new Float64Array(values.slice(0, values.length & ~3));
      const got = run(own.silu, own.memory, z), twin = run(shared.silu, sharedMemory, z);
      expect(Array.from(twin.a)).toEqual(Array.from(got.a));
      expect(Array.from(twin.s)).toEqual(Array.from(got.s));
      z.forEach((x, i) => {
        const sigma = 1 / (1 + Math.exp(-x)), a = x * sigma;
        expect(Math.abs((got.a[i] as number) - a)).toBeLessThanOrEqual(ULPS * EPS * Math.abs(a) + 1e-320);
        // an error e in sigma reaches the slope sigma (1 + z (1 - sigma)) as about sigma |z| e (and 1 + z (1 - sigma)
        // cancels near z = -1.28): bound it by the terms' size, sigma (1 + |z|)
        const slope = sigma * (1 + x * (1 - sigma));
        expect(Math.abs((got.s[i] as number) - slope)).toBeLessThanOrEqual(ULPS * EPS * sigma * (1 + Math.abs(x)) + 1e-320);
      });
    }), { numRuns: 200, seed: 16 });
  });

  it("property: SELU's expm1 (values) and exp (slopes) for z <= 0 are within 8 ulp of Math.expm1 and Math.exp on [-700, 0] (expm1 stays accurate near 0), and z > 0 is exact", () => {
    const { own, shared, sharedMemory } = kernels();
    fc.assert(fc.property(fc.array(fc.oneof(fc.double({ min: -700, max: 700, noNaN: true }), fc.double({ min: -1e-3, max: 1e-3, noNaN: true })), { minLength: 4, maxLength: 400 }), (values) => {
      const z = new Float64Array(values.slice(0, values.length & ~3));
      const got = run(own.selu, own.memory, z), twin = run(shared.selu, sharedMemory, z);
      expect(Array.from(twin.a)).toEqual(Array.from(got.a));
      expect(Array.from(twin.s)).toEqual(Array.from(got.s));
      z.forEach((x, i) => {
        if (x > 0) {
          expect(got.a[i]).toBe(SELU_SCALE * x);
          expect(got.s[i]).toBe(SELU_SCALE);
          return;
        }
        const a = SELU_SCALE * SELU_ALPHA * Math.expm1(x), s = SELU_SCALE * SELU_ALPHA * Math.exp(x);
        expect(Math.abs((got.a[i] as number) - a)).toBeLessThanOrEqual(ULPS * EPS * Math.abs(a) + 1e-320);
        expect(Math.abs((got.s[i] as number) - s)).toBeLessThanOrEqual(ULPS * EPS * s + 1e-320);
      });
    }), { numRuns: 200, seed: 16 });
  });

  it("NaN passes through and large |z| saturates without Inf or NaN (SiLU: z for z >> 0, about 0 for z << 0; SELU: -scale alpha)", () => {
    const { own } = kernels();
    const z = new Float64Array([NaN, 800, -800, -1e308, 1e308, 745, -745, 0]);
    const silu = run(own.silu, own.memory, z), selu = run(own.selu, own.memory, z);
    expect(silu.a[0]).toBeNaN();
    expect(selu.a[0]).toBeNaN();
    expect(silu.a[1]).toBe(800);
    expect(silu.s[1]).toBe(1);
    expect(Math.abs(silu.a[2] as number)).toBeLessThan(1e-300);
    expect(silu.a[7]).toBe(0);
    expect(silu.s[7]).toBe(0.5);
    expect(selu.a[2]).toBe(-SELU_SCALE * SELU_ALPHA);
    expect(selu.a[7]).toBe(0);
    for (const v of [...silu.a.slice(1, 3), ...silu.s.slice(1), ...selu.a.slice(1), ...selu.s.slice(1)]) expect(Number.isFinite(v)).toBe(true);
  });
});

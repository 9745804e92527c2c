import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { matmulNN, matmulNT, matmulScalar, matmulTN, setSimd } from "../../src/nn/matmul.js";
import { simdMatmul } from "../../src/nn/matmul-simd.js";
import { Random } from "../../src/random/random.js";

function naive(a: Float64Array, b: Float64Array, m: number, k: number, p: number, bias: Float64Array | null, c0: Float64Array | null): Float64Array {
  const c = new Float64Array(m * p);
  for (let r = 0; r < m; r++) for (let o = 0; o < p; o++) {
    let s = 0;
    for (let i = 0; i < k; i++) s += (a[r * k + i] as number) * (b[o * k + i] as number);
    c[r * p + o] = s + (bias ? (bias[o] as number) : 0) + (c0 ? (c0[r * p + o] as number) : 0);
  }
  return c;
}

describe("dense kernels", () => {
  it("the WebAssembly SIMD kernel is available in Node", () => {
    expect(simdMatmul).not.toBeNull();
    expect(setSimd(true)).toBe(true);
  });

  it("scalar and SIMD C = A B^T (+ bias, + C) equal the naive triple loop on every shape, remainders included (1e-12)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 11 }), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1e6 }),
      (m, k, p, withBias, accumulate, seed) => {
        const rng = new Random(seed);
        const a = new Float64Array(m * k).map(() => rng.normal());
        const b = new Float64Array(p * k).map(() => rng.normal());
        const bias = withBias ? new Float64Array(p).map(() => rng.normal()) : null;
        const c0 = new Float64Array(m * p).map(() => rng.normal());
        const want = naive(a, b, m, k, p, bias, accumulate ? c0 : null);
        for (const kernel of [matmulScalar, simdMatmul!]) {
          const c = Float64Array.from(c0);
          kernel(a, b, c, m, k, p, bias, accumulate);
          for (let i = 0; i < m * p; i++) expect(Math.abs((c[i] as number) - (want[i] as number))).toBeLessThan(1e-12 * Math.max(1, k));
        }
      }), { seed: 42, numRuns: 60 });
  });

  it("matmulNT dispatches to either kernel with the same result; the SIMD switch can turn the module off", () => {
    const rng = new Random(1);
    const m = 40, k = 33, p = 17;
    const a = new Float64Array(m * k).map(() => rng.normal()), b = new Float64Array(p * k).map(() => rng.normal());
    const viaSimd = new Float64Array(m * p), viaScalar = new Float64Array(m * p);
    matmulNT(a, b, viaSimd, m, k, p, null, false);
    setSimd(false);
    matmulNT(a, b, viaScalar, m, k, p, null, false);
    setSimd(true);
    for (let i = 0; i < m * p; i++) expect(Math.abs((viaSimd[i] as number) - (viaScalar[i] as number))).toBeLessThan(1e-12 * k);
  });
});

describe("backward kernels without transposes", () => {
  it("matmulNN (C = (A B) * S) and matmulTN (C = A^T B (+ C)), SIMD and scalar, equal the naive triple loop on every shape (1e-12 k)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 37 }), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1e6 }),
      (m, k, p, accumulate, simd, seed) => {
        const rng = new Random(seed);
        const a = new Float64Array(m * k).map(() => rng.normal());
        const b = new Float64Array(k * p).map(() => rng.normal());
        const c0 = new Float64Array(m * p).map(() => rng.normal());
        // A^T stored [k, m]: aT[i, r] = A[r, i]
        const aT = new Float64Array(k * m);
        for (let r = 0; r < m; r++) for (let i = 0; i < k; i++) aT[i * m + r] = a[r * k + i] as number;
        setSimd(simd);
        const nn = Float64Array.from(c0), tn = Float64Array.from(c0);
        const scale = new Float64Array(m * p).map(() => rng.normal());
        matmulNN(a, b, nn, m, k, p, scale);
        matmulTN(aT, b, tn, m, k, p, accumulate);
        setSimd(true);
        for (let r = 0; r < m; r++) for (let o = 0; o < p; o++) {
          let s = accumulate ? (c0[r * p + o] as number) : 0;
          for (let i = 0; i < k; i++) s += (a[r * k + i] as number) * (b[i * p + o] as number);
          let plain = 0;
          for (let i = 0; i < k; i++) plain += (a[r * k + i] as number) * (b[i * p + o] as number);
          expect(Math.abs((nn[r * p + o] as number) - plain * (scale[r * p + o] as number))).toBeLessThan(1e-12 * k * (1 + Math.abs(scale[r * p + o] as number)));
          expect(Math.abs((tn[r * p + o] as number) - s)).toBeLessThan(1e-12 * k);
        }
      }), { seed: 42, numRuns: 60 });
  });
});

describe("SIMD activations", () => {
  it("SiLU and SELU equal the scalar Math.exp/expm1 versions: values to 2e-15 relative, slopes to 2e-15 (1 + |z|) (SiLU's slope cancels near z = -1.28), from -800 to 800", async () => {
    const { activate } = await import("../../src/nn/activation.js");
    const { simdActivate } = await import("../../src/nn/activation-simd.js");
    expect(simdActivate).not.toBeNull();
    const rng = new Random(3);
    const n = 4097;
    const z = new Float64Array(n).map((_, i) => (i < 10 ? [-800, -709, -40, -1e-300, 0, 1e-300, 3, 40, 709, 800][i] as number : rng.normal() * (i % 3 === 0 ? 30 : 2)));
    for (const kind of ["silu", "selu"] as const) {
      const a1 = new Float64Array(n), s1 = new Float64Array(n), a2 = new Float64Array(n), s2 = new Float64Array(n);
      simdActivate!(kind, z, a1, s1, n);
      setSimd(false);
      activate(kind, z, a2, s2, n);
      setSimd(true);
      for (let i = 0; i < n; i++) {
        expect(Math.abs((a1[i] as number) - (a2[i] as number))).toBeLessThanOrEqual(2e-15 * Math.abs(a2[i] as number) + 1e-300);
        // below z = -708 the SIMD exp is clamped (e^-708 = 3e-308 instead of a smaller subnormal)
        expect(Math.abs((s1[i] as number) - (s2[i] as number))).toBeLessThanOrEqual(2e-15 * (Math.abs(s2[i] as number) < 1e-200 ? 1e-200 : 1 + Math.abs(z[i] as number)));
      }
    }
  });
});

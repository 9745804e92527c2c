import { describe, expect, it } from "vitest";
import { twoOpt } from "../../src/couplings/two-opt.js";
import { Random } from "../../src/random/random.js";

function costOf(C: Float64Array, n: number, p: Int32Array): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += C[i * n + (p[i] as number)] as number;
  return s;
}

describe("twoOpt", () => {
  it("keeps a permutation, never raises the cost, and ends 2-opt optimal (row-major and transposed input)", () => {
    const rng = new Random(5);
    for (const n of [1, 2, 7, 40, 90]) {
      const C = new Float64Array(n * n);
      for (let k = 0; k < C.length; k++) C[k] = Math.floor(rng.uniform() * 20); // integer costs: ties included
      const CT = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) CT[j * n + i] = C[i * n + j] as number;
      for (const transposed of [false, true]) {
        // a valid start permutation: the identity shifted by a random rotation
        const p = new Int32Array(n);
        const shift = Math.floor(rng.uniform() * n);
        for (let i = 0; i < n; i++) p[i] = (i + shift) % n;
        const before = costOf(C, n, p);
        twoOpt(C, transposed ? CT : C, transposed, n, p, 1000, 0);
        expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
        const after = costOf(C, n, p);
        expect(after).toBeLessThanOrEqual(before);
        // no pair can still be exchanged profitably (the sweeps ran to a fixed point)
        for (let i = 0; i < n; i++) for (let k = i + 1; k < n; k++) {
          const a = p[i] as number, b = p[k] as number;
          expect((C[i * n + b] as number) + (C[k * n + a] as number)).toBeGreaterThanOrEqual((C[i * n + a] as number) + (C[k * n + b] as number));
        }
      }
    }
  });

  it("stops after the given number of sweeps and reports its swaps", () => {
    // anti-diagonal optimum from the identity on costs |i - j| reversed: one sweep swaps, zero sweeps do nothing
    const n = 6, C = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) C[i * n + j] = (i + j - (n - 1)) ** 2;
    const p = Int32Array.from({ length: n }, (_, i) => i);
    expect(twoOpt(C, C, false, n, p, 0, 0)).toBe(0);
    expect(Array.from(p)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(twoOpt(C, C, false, n, p, 100, 0)).toBeGreaterThan(0);
    expect(Array.from(p)).toEqual([5, 4, 3, 2, 1, 0]);
  });
});

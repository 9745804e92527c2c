import { describe, expect, it } from "vitest";
import { networkSimplex, type NetworkSimplexResult } from "../../src/couplings/network-simplex.js";
import { pairwiseCost } from "../../src/couplings/cost.js";
import { simplexMemory, squaredDistances2 } from "../../src/engine/simplex-f64.js";
import { exactOTCoupling } from "../../src/couplings/exact-ot.js";
import { fromRows } from "../../src/core/batch.js";
import { NonFiniteError } from "../../src/core/errors.js";
import { Random } from "../../src/random/random.js";
import { gaussiansToMoons } from "../couplings/helpers.js";

function same(a: NetworkSimplexResult, b: NetworkSimplexResult): void {
  expect(a.iterations).toBe(b.iterations);
  expect(a.converged).toBe(b.converged);
  expect(Array.from(a.rows)).toEqual(Array.from(b.rows));
  expect(Array.from(a.columns)).toEqual(Array.from(b.columns));
  // bit-identical: Object.is tells -0 from 0 and compares NaN with itself
  expect(Array.from(a.values).every((x, k) => Object.is(x, b.values[k]))).toBe(true);
  expect(Array.from(a.u).every((x, k) => Object.is(x, b.u[k]))).toBe(true);
  expect(Array.from(a.v).every((x, k) => Object.is(x, b.v[k]))).toBe(true);
}

function solveBoth(C: Float64Array, a: Float64Array, b: Float64Array, n: number, m: number): NetworkSimplexResult {
  // the greedy start on both sides: only the pricing differs
  const wasm = networkSimplex(C, a, b, n, m, 1e7, { wasm: true, auction: false });
  same(wasm, networkSimplex(C, a, b, n, m, 1e7, { wasm: false }));
  return wasm;
}

describe("network simplex pricing on WebAssembly SIMD (simplex-f64.wat)", () => {
  it("is available here (Node has WebAssembly SIMD), with C copied and pi zeroed", () => {
    const C = Float64Array.from({ length: 12 }, (_, k) => k * 0.5);
    const mem = simplexMemory(C, 3, 4);
    expect(mem).not.toBeNull();
    expect(Array.from(mem!.C)).toEqual(Array.from(C));
    expect(Array.from(mem!.pi)).toEqual(new Array(8).fill(0));
  });

  it("finds the arc the scalar block search finds: brute force on random rows, potentials and row limits", () => {
    const rng = new Random(3);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rng.uniform() * 9), m = 1 + Math.floor(rng.uniform() * 11);
      // integer costs and potentials make ties common: the chain order decides them
      const C = Float64Array.from({ length: n * m }, () => Math.floor(rng.uniform() * 5));
      const mem = simplexMemory(C, n, m)!;
      for (let u = 0; u < n + m; u++) mem.pi[u] = Math.floor(rng.uniform() * 7) - 3;
      const start = Math.floor(rng.uniform() * n), block = 1 + Math.floor(rng.uniform() * n);
      const tol = trial % 2 === 0 ? 0 : 0.5;
      const limit = trial % 3 === 0 ? n : 1 + Math.floor(rng.uniform() * n);
      const arc = mem.price(start, block, tol, limit);
      // reference: the scalar rule (chains j mod 4, tail in chain 0, chains merged 1, 2, 3)
      let min = -tol, best = -1, count = 0, next = start, found = false;
      let i = start;
      for (let step = 0; step < limit; step++) {
        const pii = mem.pi[i] as number, lim = min - pii;
        const mins = [lim, lim, lim, lim], bests = [-1, -1, -1, -1];
        const full = m - (m % 4);
        for (let j = 0; j < m; j++) {
          const chain = j < full ? j % 4 : 0;
          const c = (C[i * m + j] as number) - (mem.pi[n + j] as number);
          if (c < (mins[chain] as number)) { mins[chain] = c; bests[chain] = j; }
        }
        for (let q = 1; q < 4; q++) if ((mins[q] as number) < (mins[0] as number)) { mins[0] = mins[q] as number; bests[0] = bests[q] as number; }
        if ((bests[0] as number) >= 0) { min = (mins[0] as number) + pii; best = i * m + (bests[0] as number); }
        i = i + 1 === n ? 0 : i + 1;
        if (++count === block) {
          if (best >= 0) { next = i; found = true; break; }
          count = 0;
        }
      }
      expect(arc).toBe(best);
      // the row after the block that gave the arc, else after the limit rows (start after all n)
      expect(mem.next()).toBe(found ? next : i);
      if (!found && limit === n) expect(mem.next()).toBe(start);
    }
  });

  it("gives the scalar pricing's pivots, plan and potentials bit for bit: 8 Gaussians -> moons, n = 64 and 257", () => {
    for (const n of [64, 257]) {
      const { x, y } = gaussiansToMoons(n, 11);
      const C = pairwiseCost(x, y).data;
      const ones = new Float64Array(n).fill(1);
      const r = solveBoth(C, ones, ones, n, n);
      expect(r.converged).toBe(true);
      expect(r.values.length).toBe(n);
    }
  });

  it("gives the scalar pricing's result on rectangular problems with random weights (m mod 4 = 1, 2, 3)", () => {
    const rng = new Random(5);
    for (const [n, m] of [[7, 13], [20, 9], [33, 34], [16, 47]] as const) {
      const C = Float64Array.from({ length: n * m }, () => rng.uniform() * 10);
      const a = Float64Array.from({ length: n }, () => 0.1 + rng.uniform());
      const b = Float64Array.from({ length: m }, () => 0.1 + rng.uniform());
      const sa = a.reduce((s, w) => s + w, 0), sb = b.reduce((s, w) => s + w, 0);
      for (let j = 0; j < m; j++) b[j] = (b[j] as number) * sa / sb;
      expect(solveBoth(C, a, b, n, m).converged).toBe(true);
    }
  });

  it("gives the scalar pricing's result with ties everywhere (integer costs, duplicate rows)", () => {
    const rng = new Random(9);
    const n = 40, m = 40;
    const C = new Float64Array(n * m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) C[i * m + j] = Math.floor(rng.uniform() * 3);
    C.copyWithin(m, 0, m);
    const ones = new Float64Array(n).fill(1);
    expect(solveBoth(C, ones, ones, n, m).converged).toBe(true);
  });
});

/**
 * Runs auction phases of simplex-f64.wat on C (n x n) at the given eps, and checks after each that x is a
 * permutation with y its inverse and every row is eps-complementary against a brute-force scan in float32:
 * cost_ix_i - v_x_i <= min_j (cost_ij - v_j) + eps (up to a few float32 ulps of the price update).
 */
function checkAuction(C: Float64Array, n: number, epsList: number[]): number {
  const mem = simplexMemory(C, n, n)!;
  const A = mem.auction!;
  const { max, min } = mem.stats();
  const scale = 1 / (max - min);
  A.demote(min, scale);
  A.v.fill(0);
  const cost = Float32Array.from(C, (c) => Math.fround((c - min) * scale));
  let total = 0;
  for (const eps of epsList) {
    A.x.fill(-1); A.y.fill(-1);
    for (let i = 0; i < n; i++) A.stack[i] = n - 1 - i;
    const bids = A.phase(n, Math.fround(eps), 1e8);
    expect(bids).toBeGreaterThanOrEqual(n);
    total += bids;
    expect(new Set(A.x).size).toBe(n);
    for (let i = 0; i < n; i++) {
      const j = A.x[i] as number;
      expect(j).toBeGreaterThanOrEqual(0);
      expect(A.y[j]).toBe(i);
      let best = Infinity;
      for (let k = 0; k < n; k++) best = Math.min(best, Math.fround((cost[i * n + k] as number) - (A.v[k] as number)));
      const own = Math.fround((cost[i * n + j] as number) - (A.v[j] as number));
      expect(own).toBeLessThanOrEqual(best + eps + 8 * 2 ** -23 * (1 + Math.abs(own)));
    }
  }
  return total;
}

describe("the auction's bidding on WebAssembly SIMD (simplex-f64.wat's phase)", () => {
  it("ends every phase with a permutation in eps-complementary slackness (brute force), n mod 8 = 0 .. 7", () => {
    for (const n of [16, 17, 18, 19, 20, 21, 22, 23, 64, 131]) {
      const { x, y } = gaussiansToMoons(n, 31 + n);
      checkAuction(pairwiseCost(x, y).data, n, [0.05, 0.008, 0.001, 1e-4]);
    }
  });

  it("does so with ties everywhere: integer costs, duplicate rows and columns, all rows alike", () => {
    const rng = new Random(32);
    for (const n of [16, 27, 40]) {
      const ints = Float64Array.from({ length: n * n }, () => Math.floor(rng.uniform() * 4));
      checkAuction(ints, n, [0.2, 0.01]);
      const dup = Float64Array.from({ length: n * n }, (_, k) => ((Math.floor(k / n) % 3) * 7 + (k % n) % 5) % 6);
      checkAuction(dup, n, [0.2, 0.01]);
      const alike = Float64Array.from({ length: n * n }, (_, k) => k % n);
      checkAuction(alike, n, [0.3, 0.05]);
    }
  });
});

describe("2-D squared distances on WebAssembly SIMD into the simplex's memory (squaredDistances2)", () => {
  it("equals pairwiseCost bit for bit (odd and even m, points far from the origin), and the simplex uses it in place", () => {
    const rng = new Random(12);
    for (const [n, m] of [[1, 1], [5, 7], [33, 32], [64, 65], [3, 2], [64, 64]] as const) {
      const x = fromRows(Array.from({ length: n }, () => [rng.normal() * 1e3 + 5e3, rng.normal()]));
      const y = fromRows(Array.from({ length: m }, () => [rng.normal(), rng.normal() * 1e-3]));
      const reference = pairwiseCost(x, y).data;
      const fused = squaredDistances2(x.data, y.data, n, m)!;
      expect(fused.overflow).toBe(false);
      expect(Array.from(fused.C).every((c, k) => Object.is(c, reference[k]))).toBe(true);
      // the pass's stats (even m) are the stats kernel's bits
      const passed = simplexMemory(fused.C, n, m)!.stats();
      const recomputed = simplexMemory(Float64Array.from(reference), n, m)!.stats();
      expect([passed.max, passed.min, passed.sum]).toEqual([recomputed.max, recomputed.min, recomputed.sum]);
      squaredDistances2(x.data, y.data, n, m);
      if (n === m) {
        const ones = new Float64Array(n).fill(1);
        same(networkSimplex(fused.C, ones, ones, n, m, 1e7), networkSimplex(reference, ones, ones, n, m, 1e7));
      }
    }
  });

  it("flags a distance that overflows, and exactOTCoupling then throws pairwiseCost's NonFiniteError", () => {
    const x = fromRows([[1e200, 0], [0, 0]]), y = fromRows([[-1e200, 0], [1, 1]]);
    expect(squaredDistances2(x.data, y.data, 2, 2)!.overflow).toBe(true);
    expect(() => exactOTCoupling().pair(x, y, new Random(1))).toThrow(NonFiniteError);
    expect(() => exactOTCoupling().pair(x, y, new Random(1))).toThrow(/pairwiseCost\(\): cost/);
  });
});

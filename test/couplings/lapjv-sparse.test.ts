import { describe, expect, it } from "vitest";
import { lapjv } from "../../src/couplings/lapjv.js";
import { lapjvSparse } from "../../src/couplings/lapjv-sparse.js";
import { pairwiseCost } from "../../src/couplings/cost.js";
import { Random } from "../../src/random/random.js";

function total(c: Float64Array, n: number, x: Int32Array): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += c[i * n + (x[i] as number)] as number;
  return s;
}

/** Worst violation of "row i's column minimises C_ij - v_j over all j" (dense certificate). */
function worstViolation(c: Float64Array, n: number, x: Int32Array, v: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number, own = (c[i * n + xi] as number) - (v[xi] as number);
    for (let j = 0; j < n; j++) worst = Math.max(worst, own - ((c[i * n + j] as number) - (v[j] as number)));
  }
  return worst;
}

describe("lapjvSparse (sparse candidates + dense pricing)", () => {
  it("equals dense Jonker–Volgenant and certifies on the dense matrix, geometric and unstructured costs, any k", () => {
    const rng = new Random(11);
    const cases: [Float64Array, number][] = [];
    for (const n of [60, 150]) {
      cases.push([pairwiseCost(rng.normalBatch(n, 2), rng.normalBatch(n, 2)).data, n]);
      cases.push([new Float64Array(n * n).map(() => rng.uniform()), n]);
      // integer costs with many ties
      cases.push([new Float64Array(n * n).map(() => rng.int(5)), n]);
    }
    for (const [c, n] of cases) {
      const dense = total(c, n, lapjv(c, n).x);
      for (const k of [1, 3, 16]) {
        const r = lapjvSparse(c, n, k);
        if (r === null) continue; // allowed: the caller falls back to the dense solver
        expect(Math.abs(total(c, n, r.x) - dense)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(dense)));
        expect(worstViolation(c, n, r.x, r.v)).toBeLessThanOrEqual(1e-9);
        const seen = new Set(Array.from(r.x));
        expect(seen.size).toBe(n);
      }
    }
  });

  it("k = 1 on geometric costs: the candidate graph lacks a perfect matching and rows get full rows", () => {
    const rng = new Random(12);
    const n = 300;
    const c = pairwiseCost(rng.normalBatch(n, 2), rng.normalBatch(n, 2)).data;
    const r = lapjvSparse(c, n, 1);
    expect(r).not.toBeNull();
    if (r === null) return;
    expect(total(c, n, r.x)).toBeCloseTo(total(c, n, lapjv(c, n).x), 9);
    expect(worstViolation(c, n, r.x, r.v)).toBeLessThanOrEqual(1e-9);
  });
});

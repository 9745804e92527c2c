import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DomainError, NonFiniteError, Random, ShapeError, conditionalOTCoupling, entropicOTCoupling, exactOTCoupling, fromData, fromRows, independentCoupling,
  pairWithConditions, pairedCoupling, partialOTCoupling, schrodingerBridgeCoupling, unbalancedOTCoupling,
} from "../../src/index.js";
import type { Batch, Coupling } from "../../src/index.js";

const couplings: [string, () => Coupling][] = [
  ["independent", () => independentCoupling()],
  ["paired", () => pairedCoupling()],
  ["exact OT", () => exactOTCoupling()],
  ["exact OT (replace: true)", () => exactOTCoupling({ replace: true })],
  ["entropic OT", () => entropicOTCoupling(0.5, { onNonConvergence: "ignore" })],
  ["Schrodinger bridge", () => schrodingerBridgeCoupling(0.5, { onNonConvergence: "ignore" })],
  ["partial OT", () => partialOTCoupling(0.5, { onNonConvergence: "ignore" })],
  ["unbalanced OT", () => unbalancedOTCoupling(0.5, 1, { onNonConvergence: "ignore" })],
  ["conditional OT (lambda 1)", () => conditionalOTCoupling({ lambda: 1 })],
  ["conditional OT (lambda 0)", () => conditionalOTCoupling({ lambda: 0 })],
];

/** The input row of `x` whose values equal row i of `out` (rows are distinct normal draws). */
const rowOf = (x: Batch, out: Batch, i: number): number => {
  const d = x.shape[1] as number, n = x.shape[0] as number;
  for (let r = 0; r < n; r++) {
    let same = true;
    for (let k = 0; k < d; k++) if (x.data[r * d + k] !== out.data[i * d + k]) { same = false; break; }
    if (same) return r;
  }
  return -1;
};

describe("pairWithConditions keeps every condition attached to its row", () => {
  it("continuous conditions: the condition next to each output row is the one its input row had, through every coupling (fast-check)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1e6 }), (n, width, seed) => {
      const rng = new Random(seed);
      const x0 = rng.normalBatch(n, 2), x1 = rng.normalBatch(n, 2);
      const c0 = rng.normalBatch(n, width), c1 = rng.normalBatch(n, width);
      for (const [, make] of couplings) {
        const r = pairWithConditions(make(), x0, x1, new Random(seed + 1), { c0, c1 });
        const m = r.x0.shape[0] as number;
        expect(r.c0?.shape).toEqual([m, width]);
        for (let i = 0; i < m; i++) {
          const a = rowOf(x0, r.x0, i), b = rowOf(x1, r.x1, i);
          expect(a).toBeGreaterThanOrEqual(0);
          expect(b).toBeGreaterThanOrEqual(0);
          expect(Array.from(r.c0?.data.subarray(i * width, (i + 1) * width) ?? [])).toEqual(Array.from(c0.data.subarray(a * width, (a + 1) * width)));
          expect(Array.from(r.c1?.data.subarray(i * width, (i + 1) * width) ?? [])).toEqual(Array.from(c1.data.subarray(b * width, (b + 1) * width)));
        }
      }
    }), { numRuns: 40, seed: 18 });
  });

  it("labels: each output row carries its input row's label, and conditional OT never pairs two labels (fast-check)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1e6 }), (n, classes, seed) => {
      const rng = new Random(seed);
      const x0 = rng.normalBatch(n, 2), x1 = rng.normalBatch(n, 2);
      const labels1 = Array.from({ length: n }, () => rng.int(classes));
      const labels0 = Array.from(rng.permutation(n), (j) => labels1[j] as number);
      for (const [name, make] of couplings) {
        const r = pairWithConditions(make(), x0, x1, new Random(seed + 1), { labels0, labels1 });
        for (let i = 0; i < r.indices0.length; i++) {
          expect(r.labels0?.[i]).toBe(labels0[rowOf(x0, r.x0, i)]);
          expect(r.labels1?.[i]).toBe(labels1[rowOf(x1, r.x1, i)]);
          if (name.startsWith("conditional")) expect(r.labels0?.[i]).toBe(r.labels1?.[i]);
        }
      }
    }), { numRuns: 40, seed: 19 });
  });

  it("conditionalOTCoupling is a Coupling: pair(x0, x1, rng, conditions) equals pair(x0, x1, conditions)", () => {
    const rng = new Random(3);
    const x0 = rng.normalBatch(6, 2), x1 = rng.normalBatch(6, 2), c0 = rng.normalBatch(6, 1), c1 = rng.normalBatch(6, 1);
    const c = conditionalOTCoupling({ lambda: 2 });
    expect(c.pair(x0, x1, new Random(1), { c0, c1 }).indices1).toEqual(c.pair(x0, x1, { c0, c1 }).indices1);
    expect(() => c.pair(x0, x1, new Random(1))).toThrow(/conditionalOTCoupling.pair\(\): conditions must be given/);
  });

  it("rejects conditions of the wrong row count or width, NaN conditions, bad labels and lying couplings with typed errors", () => {
    const x = fromRows([[0], [1], [2]]);
    const rng = new Random(1);
    const c = independentCoupling();
    expect(() => pairWithConditions(c, x, x, rng, { c0: fromRows([[0], [1]]), c1: x })).toThrow(/pairWithConditions\(\): conditions.c0 must have one row per row of its batch \(3 rows\), got \[2, 1\]/);
    expect(() => pairWithConditions(c, x, x, rng, { c0: x, c1: fromData([0, 1, 2, 3, 4, 5], [3, 2]) })).toThrow(ShapeError);
    expect(() => pairWithConditions(c, x, x, rng, { c0: x, c1: fromRows([[0], [Number.NaN], [1]]) })).toThrow(NonFiniteError);
    expect(() => pairWithConditions(c, x, x, rng, { labels0: [0, 1, 2], labels1: [0, -1, 2] })).toThrow(DomainError);
    expect(() => pairWithConditions(c, x, x, rng, { labels0: [0, 1], labels1: [0, 1, 2] })).toThrow(ShapeError);
    expect(() => pairWithConditions(c, x, x, rng, {} as never)).toThrow(/conditions must be \{ labels0, labels1 \} or \{ c0, c1 \}/);
    const liar: Coupling = { pair: (a, b) => ({ x0: a, x1: b, indices0: new Int32Array([0, 1, 2]), indices1: new Int32Array([0, 1, 7]) }) };
    expect(() => pairWithConditions(liar, x, x, rng, { labels0: [0, 1, 2], labels1: [0, 1, 2] })).toThrow(/indices1\[2\] must be a row index in \[0, 3\)/);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromRows } from "../../src/core/batch.js";
import type { Batch } from "../../src/core/batch.js";
import { NonFiniteError } from "../../src/core/errors.js";
import { hutchPlusPlus } from "../../src/divergence/hutch-plus-plus.js";
import { linearField } from "../solvers/helpers.js";

// u(x) = A x with A = [[1, 5], [0, 2]]: tr A = 3, and a non-symmetric A makes a lost Q visible
// (the residual term alone gives g^T A g = 8 for the test probe g = [1, 1]).
const A = [1, 5, 0, 2];
const scaled = (rows: number[][], c: number): Batch => fromRows(rows.map((r) => r.map((v) => v * c)));

describe("hutchPlusPlus", () => {
  it("is invariant to the scale of the sketch probes: probes times 1e200 or 1e-200 still give tr A = 3 (before: 8, Q dropped)", () => {
    const test = [fromRows([[1, 1]])];
    for (const c of [1, 1e200, 1e-200, 1e300, 1e-300]) {
      const est = hutchPlusPlus(linearField(A, 2), fromRows([[0, 0]]), 0, [scaled([[1, 0.3]], c), scaled([[-0.2, 1]], c)], test);
      expect(Math.abs((est[0] as number) - 3)).toBeLessThan(1e-12);
    }
  });

  it("the sketch only sets the span of Q: scaling each sketch probe by 10^e (|e| <= 300) changes the estimate by rounding only", () => {
    // a random 3 x 3 Jacobian, k = 2 sketch probes (Q spans a plane), one test probe
    fc.assert(fc.property(
      // entries on a grid (k / 100, k / 1000): no subnormal products, whose lost digits would differ between scales
      fc.array(fc.integer({ min: -200, max: 200 }), { minLength: 9, maxLength: 9 }),
      fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 6, maxLength: 6 }),
      fc.integer({ min: -300, max: 300 }), fc.integer({ min: -300, max: 300 }),
      (grid, sGrid, e0, e1) => {
        const entries = grid.map((k) => k / 100);
        const s = sGrid.map((k) => k / 1000);
        const field = linearField(entries, 3);
        const x = fromRows([[0, 0, 0]]);
        const sketch = [fromRows([[1, s[0] as number, s[1] as number]]), fromRows([[s[2] as number, 1, s[3] as number]])];
        const test = [fromRows([[s[4] as number, -1, s[5] as number]])];
        const plain = hutchPlusPlus(field, x, 0, sketch, test)[0] as number;
        const rescaled = hutchPlusPlus(field, x, 0, [scaled([[1, s[0] as number, s[1] as number]], 10 ** e0), scaled([[s[2] as number, 1, s[3] as number]], 10 ** e1)], test)[0] as number;
        const size = entries.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        // near-dependent sketch columns make Q ill-conditioned; skip those (the drop threshold is relative, 1e-12)
        const cross = Math.hypot(s[0] as number * (s[3] as number) - (s[1] as number), (s[1] as number) * (s[2] as number) - (s[3] as number), 1 - (s[0] as number) * (s[2] as number));
        fc.pre(cross > 1e-3);
        expect(Math.abs(rescaled - plain)).toBeLessThan(1e-8 * (1 + size));
      },
    ), { seed: 20240611, numRuns: 200 });
  });

  it("an estimate that overflows for finite probes is a NonFiniteError naming hutchPlusPlus (before: Infinity returned)", () => {
    const call = (): Float64Array => hutchPlusPlus(linearField(A, 2), fromRows([[0, 0]]), 0, [fromRows([[1, 0]])], [fromRows([[1e200, 1e200]])]);
    expect(call).toThrow(NonFiniteError);
    expect(call).toThrow(/^hutchPlusPlus\(\): estimate must be finite/);
  });
});

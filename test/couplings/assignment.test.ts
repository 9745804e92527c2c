import { describe, expect, it } from "vitest";
import fc from "fast-check";
import ndarray from "ndarray";
import { solveAssignment } from "../../src/couplings/assignment.js";
import { pairwiseCost } from "../../src/couplings/cost.js";
import { fromRows } from "../../src/core/batch.js";
import { NonFiniteError, ShapeError } from "../../src/core/errors.js";
import { Random } from "../../src/random/random.js";

function bruteForce(c: Float64Array, n: number, m: number): number {
  // min over injective maps from the smaller side into the larger
  const rows = Math.min(n, m), cols = Math.max(n, m);
  const at = (i: number, j: number) => (n <= m ? c[i * m + j] : c[j * m + i]) as number;
  let best = Infinity;
  const used = new Array<boolean>(cols).fill(false);
  const rec = (i: number, s: number): void => {
    if (i === rows) { best = Math.min(best, s); return; }
    for (let j = 0; j < cols; j++) if (!used[j]) { used[j] = true; rec(i + 1, s + at(i, j)); used[j] = false; }
  };
  rec(0, 0);
  return best;
}

function checkCertificate(c: Float64Array, n: number, m: number, tol: number): void {
  const r = solveAssignment(ndarray(c, [n, m]));
  let minSlack = Infinity, maxTight = 0, worstUnassigned = -Infinity, assigned = 0, consistent = true;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) minSlack = Math.min(minSlack, (c[i * m + j] as number) - (r.u[i] as number) - (r.v[j] as number));
    const j = r.rowToColumn[i] as number;
    if (j >= 0) {
      assigned++;
      if (r.columnToRow[j] !== i) consistent = false;
      maxTight = Math.max(maxTight, Math.abs((c[i * m + j] as number) - (r.u[i] as number) - (r.v[j] as number)));
    } else worstUnassigned = Math.max(worstUnassigned, r.u[i] as number);
  }
  for (let j = 0; j < m; j++) if (r.columnToRow[j] === -1) worstUnassigned = Math.max(worstUnassigned, r.v[j] as number);
  expect(minSlack).toBeGreaterThanOrEqual(-tol);
  expect(maxTight).toBeLessThanOrEqual(tol);
  expect(worstUnassigned).toBeLessThanOrEqual(tol);
  expect(consistent).toBe(true);
  expect(assigned).toBe(Math.min(n, m));
}

const matrix = fc.record({ n: fc.integer({ min: 1, max: 7 }), m: fc.integer({ min: 1, max: 7 }), ints: fc.boolean() })
  .chain(({ n, m, ints }) => fc.tuple(fc.constant(n), fc.constant(m),
    fc.array(ints ? fc.integer({ min: -3, max: 3 }) : fc.double({ min: -100, max: 100, noNaN: true }), { minLength: n * m, maxLength: n * m })));

describe("solveAssignment", () => {
  it("cost equals brute force over all permutations for n, m <= 7 (ties included), duals certify it", () => {
    fc.assert(fc.property(matrix, ([n, m, values]) => {
      const c = Float64Array.from(values);
      const r = solveAssignment(ndarray(c, [n, m]));
      expect(Math.abs(r.cost - bruteForce(c, n, m))).toBeLessThanOrEqual(1e-9);
      checkCertificate(c, n, m, 1e-9);
    }), { seed: 42, numRuns: 400 });
  });

  it("square n = 8: cost equals brute force over all 40320 permutations", () => {
    const rng = new Random(8);
    for (let t = 0; t < 3; t++) {
      const c = new Float64Array(64).map(() => rng.normal());
      expect(solveAssignment(ndarray(c, [8, 8])).cost).toBeCloseTo(bruteForce(c, 8, 8), 12);
    }
  });

  it("dual certificate: u_i + v_j <= C_ij with equality on the assignment, random n up to 1000", () => {
    const rng = new Random(3);
    for (const n of [1, 2, 17, 300, 1000]) {
      const x = rng.normalBatch(n, 2), y = rng.normalBatch(n, 2);
      checkCertificate(pairwiseCost(x, y).data, n, n, 1e-9);
    }
    // rectangular both ways
    checkCertificate(pairwiseCost(rng.normalBatch(40, 2), rng.normalBatch(90, 2)).data, 40, 90, 1e-9);
    checkCertificate(pairwiseCost(rng.normalBatch(90, 2), rng.normalBatch(40, 2)).data, 90, 40, 1e-9);
  });

  it("sum u + sum v equals the cost (strong duality)", () => {
    const c = new Random(5).normalBatch(50, 50);
    const r = solveAssignment(c);
    const dual = r.u.reduce((s, x) => s + x, 0) + r.v.reduce((s, x) => s + x, 0);
    expect(Math.abs(dual - r.cost)).toBeLessThan(1e-9);
  });

  it("documented example and the empty problem", () => {
    const r = solveAssignment(fromRows([[4, 1, 3], [2, 0, 5], [3, 2, 2]]));
    expect(Array.from(r.rowToColumn)).toEqual([1, 0, 2]);
    expect(r.cost).toBe(5);
    expect(solveAssignment(ndarray(new Float64Array(0), [0, 3])).cost).toBe(0);
  });

  it("rejects NaN and infinite costs and non-matrices", () => {
    expect(() => solveAssignment(fromRows([[1, Number.NaN]]))).toThrow(NonFiniteError);
    expect(() => solveAssignment(fromRows([[1, Infinity]]))).toThrow(NonFiniteError);
    expect(() => solveAssignment(ndarray(new Float64Array(3), [3]) as never)).toThrow(ShapeError);
  });
});

describe("solveAssignment at the edges of the float64 range", () => {
  it("solves costs in [1e307, 5e307] like the same costs divided by 2^1000 (it hit the pivot limit)", () => {
    const rng = new Random(3);
    for (let trial = 0; trial < 20; trial++) {
      const C = Float64Array.from({ length: 15 }, () => 1e307 + rng.uniform() * 4e307);
      const big = solveAssignment(ndarray(C, [3, 5]));
      const small = solveAssignment(ndarray(C.map((c) => c * 2 ** -1000), [3, 5]));
      expect(Array.from(big.rowToColumn)).toEqual(Array.from(small.rowToColumn));
    }
  });

  it("a total that overflows is a NonFiniteError, not -Infinity", () => {
    expect(() => solveAssignment(fromRows([[1e308, -1e308], [-1e308, 1e308]]))).toThrow(NonFiniteError);
  });
});

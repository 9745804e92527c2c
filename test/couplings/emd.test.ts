import { afterEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import ndarray from "ndarray";
import { emd, type EmdResult } from "../../src/couplings/emd.js";
import { pairwiseCost } from "../../src/couplings/cost.js";
import { fromRows } from "../../src/core/batch.js";
import { ConvergenceError, DomainError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import { Random } from "../../src/random/random.js";
import { eightGaussians, moons } from "../../src/distributions/index.js";
import { pot, points, weights } from "./pot-fixtures.js";

/**
 * Dual certificate of an emd result: u_i + v_j <= C_ij (slack >= -tol), equality on the
 * plan's cells, marginals a and b, and strong duality sum a u + sum b v = cost. The potentials
 * come from sums along tree paths of at most n + m arcs, each rounded once, so their error
 * is below (n + m) eps max|C|; tol is a few times that.
 */
function certify(C: Float64Array, n: number, m: number, a: Float64Array, b: Float64Array, r: EmdResult): void {
  let scale = 0;
  for (let k = 0; k < C.length; k++) scale = Math.max(scale, Math.abs(C[k] as number));
  const tol = 8 * (n + m) * 2.2e-16 * Math.max(scale, 1e-300);
  let minSlack = Infinity;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) minSlack = Math.min(minSlack, (C[i * m + j] as number) - (r.u[i] as number) - (r.v[j] as number));
  expect(minSlack).toBeGreaterThanOrEqual(-tol);
  const ra = new Float64Array(n), rb = new Float64Array(m);
  let maxTight = 0;
  for (let k = 0; k < r.plan.values.length; k++) {
    const i = r.plan.rows[k] as number, j = r.plan.columns[k] as number, p = r.plan.values[k] as number;
    expect(p).toBeGreaterThan(0);
    ra[i] = (ra[i] as number) + p; rb[j] = (rb[j] as number) + p;
    maxTight = Math.max(maxTight, Math.abs((C[i * m + j] as number) - (r.u[i] as number) - (r.v[j] as number)));
  }
  expect(maxTight).toBeLessThanOrEqual(tol);
  // marginals: each is a sum of at most n + m flows recomputed from the supplies
  let mass = 0;
  for (let i = 0; i < n; i++) mass += a[i] as number;
  for (let i = 0; i < n; i++) expect(Math.abs((ra[i] as number) - (a[i] as number))).toBeLessThanOrEqual(4 * (n + m) * 2.2e-16 * mass);
  for (let j = 0; j < m; j++) expect(Math.abs((rb[j] as number) - (b[j] as number))).toBeLessThanOrEqual(4 * (n + m) * 2.2e-16 * mass);
  let dual = 0;
  for (let i = 0; i < n; i++) dual += (a[i] as number) * (r.u[i] as number);
  for (let j = 0; j < m; j++) dual += (b[j] as number) * (r.v[j] as number);
  expect(Math.abs(dual - r.cost)).toBeLessThanOrEqual(tol * mass * 4);
  expect(r.plan.values.length).toBeLessThanOrEqual(n + m - 1);
  expect(r.converged).toBe(true);
}

function randomWeights(n: number, rng: Random, zeros = false): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = zeros && rng.uniform() < 0.2 ? 0 : 0.1 + rng.uniform();
  if (w.every((x) => x === 0)) w[0] = 1;
  return w;
}

function normalized(w: Float64Array, total: number): Float64Array {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] as number;
  return w.map((x) => (x * total) / s);
}

/** Brute force for integer weights: split point i into a_i unit copies; the LP optimum is the best permutation. */
function bruteForce(C: number[][], a: number[], b: number[]): number {
  const rows = a.flatMap((k, i) => Array<number>(k).fill(i)), cols = b.flatMap((k, j) => Array<number>(k).fill(j));
  let best = Infinity;
  const used = new Array<boolean>(cols.length).fill(false);
  const rec = (t: number, s: number): void => {
    if (t === rows.length) { best = Math.min(best, s); return; }
    for (let q = 0; q < cols.length; q++) {
      if (used[q]) continue;
      used[q] = true; rec(t + 1, s + (C[rows[t] as number] as number[])[cols[q] as number]!); used[q] = false;
    }
  };
  rec(0, 0);
  return best;
}

afterEach(() => { vi.restoreAllMocks(); });

describe("emd", () => {
  it("equals brute force for integer weights (total <= 8 unit copies), any costs, ties included", () => {
    const problem = fc.record({ n: fc.integer({ min: 1, max: 4 }), m: fc.integer({ min: 1, max: 4 }), ints: fc.boolean() }).chain(({ n, m, ints }) =>
      fc.record({
        a: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: n, maxLength: n }),
        C: fc.array(fc.array(ints ? fc.integer({ min: -3, max: 3 }) : fc.double({ min: -50, max: 50, noNaN: true }), { minLength: m, maxLength: m }), { minLength: n, maxLength: n }),
        m: fc.constant(m),
      }));
    fc.assert(fc.property(problem, fc.integer({ min: 0, max: 1000 }), ({ a, C, m }, seed) => {
      const total = a.reduce((p, q) => p + q, 0);
      // b: total split over m columns, each >= 0, by the seed
      const rng = new Random(seed);
      const b = new Array<number>(m).fill(0);
      for (let t = 0; t < total; t++) b[Math.floor(rng.uniform() * m)]! += 1;
      const r = emd(a, b, fromRows(C));
      const expected = bruteForce(C, a, b);
      expect(Math.abs(r.cost - expected)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected)) * 50);
      certify(Float64Array.from(C.flat()), a.length, m, Float64Array.from(a), Float64Array.from(b), r);
    }), { seed: 13, numRuns: 150 });
  });

  it("dual certificate up to n = 2000: squared and Euclidean costs, rectangular, random weights with zeros", () => {
    const rng = new Random(7);
    for (const [n, m, p, zeros] of [[2000, 2000, 2, false], [300, 700, 1, true], [900, 250, 2, true], [500, 500, 1, false]] as const) {
      const { x, y } = { x: eightGaussians().sample(n, rng), y: moons().sample(m, rng) };
      const C = pairwiseCost(x, y, p);
      const uniform = n === m && n === 2000;
      const a = uniform ? new Float64Array(n).fill(1 / n) : normalized(randomWeights(n, rng, zeros), 1);
      const b = uniform ? new Float64Array(m).fill(1 / m) : normalized(randomWeights(m, rng, zeros), 1);
      const r = uniform ? emd(null, null, C) : emd(a, b, C);
      certify(C.data, n, m, a, b, r);
      if (uniform) {
        // a permutation: one cell of mass exactly 1/n per row
        expect(r.plan.values.length).toBe(n);
        expect(r.plan.values.every((v) => v === 1 / (n * n) * n)).toBe(true);
      }
    }
  });

  it("ties and duplicate points: integer costs in {0, 1, 2}, repeated rows and columns, still certified", () => {
    const rng = new Random(3);
    for (const n of [50, 200]) {
      const base = Array.from({ length: n / 2 }, () => [Math.floor(rng.uniform() * 3), Math.floor(rng.uniform() * 3)]);
      const x = fromRows([...base, ...base]);
      const y = fromRows(Array.from({ length: n }, () => [Math.floor(rng.uniform() * 3), Math.floor(rng.uniform() * 3)]));
      const C = pairwiseCost(x, y);
      certify(C.data, n, n, new Float64Array(n).fill(1 / n), new Float64Array(n).fill(1 / n), emd(null, null, C));
      const w = normalized(randomWeights(n, rng), 1);
      certify(C.data, n, n, w, new Float64Array(n).fill(1 / n), emd(w, null, C));
    }
  });

  it("cost equals POT's ot.emd to 1e-9 relative on the fixtures (squared and Euclidean, rectangular, weighted)", () => {
    for (const f of pot.emd) {
      const x = fromRows(points(f.n, 0.3)), y = fromRows(points(f.m, 1.1).map(([s, t]) => [s! * 0.8 + 0.4, t! * 0.8 + 0.4]));
      const r = emd(weights(f.n, 3), weights(f.m, 5), pairwiseCost(x, y, f.p));
      expect(Math.abs(r.cost - f.cost)).toBeLessThanOrEqual(1e-9 * f.cost);
    }
  });

  it("realistic minibatches (normal -> moons, 8 Gaussians -> moons, 5-D) certify, and normalizeCost keeps the plan", () => {
    const rng = new Random(11);
    for (const [x, y] of [[rng.normalBatch(256, 2), moons().sample(256, rng)], [eightGaussians().sample(300, rng), moons().sample(300, rng)],
      [rng.normalBatch(200, 5), rng.normalBatch(200, 5).data.map((v, k) => v * 0.5 + (k % 5))]] as const) {
      const yb = y instanceof Float64Array ? ndarray(y, [200, 5]) : y;
      const C = pairwiseCost(x, yb);
      const n = C.shape[0] as number;
      const r = emd(null, null, C);
      certify(C.data, n, n, new Float64Array(n).fill(1 / n), new Float64Array(n).fill(1 / n), r);
      const s = emd(null, null, C, { normalizeCost: true });
      expect(Math.abs(s.cost - r.cost)).toBeLessThanOrEqual(1e-12 * r.cost);
    }
  });

  it("documented example", () => {
    const r = emd([0.5, 0.5], [0.25, 0.75], fromRows([[0, 1], [1, 0]]));
    expect(r.cost).toBeCloseTo(0.25, 15);
    expect(Array.from(r.plan.values).sort()).toEqual([0.25, 0.25, 0.5]);
    expect(r.marginalError).toBeLessThanOrEqual(1e-16);
  });

  it("non-convergence is reported as asked: converged false, 'throw' -> ConvergenceError with the result, 'warn' -> one warning", () => {
    const rng = new Random(5);
    const C = pairwiseCost(rng.normalBatch(64, 2), moons().sample(64, rng));
    const r = emd(null, null, C, { maxIterations: 3 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(3);
    // still a feasible plan: the simplex keeps primal feasibility
    expect(r.marginalError).toBeLessThanOrEqual(1e-12);
    expect(() => emd(null, null, C, { maxIterations: 3, onNonConvergence: "throw" })).toThrow(ConvergenceError);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    emd(null, null, C, { maxIterations: 3, onNonConvergence: "warn" });
    expect(warn).toHaveBeenCalledTimes(1);
    emd(null, null, C, { onNonConvergence: "warn" });
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("bad input: NaN/Inf costs, negative weights, mismatched sums or lengths, zero total, bad options -> typed errors", () => {
    const C = fromRows([[0, 1], [1, 0]]);
    expect(() => emd(null, null, fromRows([[0, NaN], [1, 0]]))).toThrow(NonFiniteError);
    expect(() => emd(null, null, fromRows([[0, Infinity], [1, 0]]))).toThrow(NonFiniteError);
    expect(() => emd([0.5, -0.5], null, C)).toThrow(DomainError);
    expect(() => emd([0.5, NaN], null, C)).toThrow(NonFiniteError);
    expect(() => emd([0.5, 0.6], null, C)).toThrow(/emd\(\): b must sum to the same total as a/);
    expect(() => emd([1], null, C)).toThrow(ShapeError);
    expect(() => emd([0, 0], [0, 0], C)).toThrow(DomainError);
    expect(() => emd(null, null, fromRows([]))).toThrow(ShapeError);
    expect(() => emd(null, null, C, { maxIterations: 0 })).toThrow(DomainError);
    expect(() => emd(null, null, C, { onNonConvergence: "loud" as never })).toThrow(DomainError);
  });

  it("does not mutate its inputs", () => {
    const C = fromRows([[3, 1], [2, 5]]);
    const a = [0.3, 0.7], b = Float64Array.from([0.5, 0.5]);
    const before = Float64Array.from(C.data);
    emd(a, b, C, { normalizeCost: true });
    expect(Array.from(C.data)).toEqual(Array.from(before));
    expect(a).toEqual([0.3, 0.7]);
    expect(Array.from(b)).toEqual([0.5, 0.5]);
  });
});

describe("emd at the edges of the float64 range", () => {
  const c22 = fromRows([[0, 1], [1, 0]]);
  it("keeps the plan's mass for weights near 1e155 and 1e-170 (the rescaled supplies overflowed or vanished)", () => {
    for (const w of [1e155, 1e-160, 1e-170]) {
      const r = emd([w, w], [w, w], c22);
      expect(Array.from(r.plan.values)).toEqual([w, w]);
      expect(r.cost).toBe(0);
      expect(r.marginalError).toBe(0);
    }
  });

  it("solves costs near ±1e308 exactly, with finite certifying potentials (sums of costs overflowed)", () => {
    const C = new Float64Array([1e308, -1e308, -1e308, 1e308]);
    const a = new Float64Array([0.5, 0.5]), b = new Float64Array([0.3, 0.7]);
    const r = emd(a, b, ndarray(C, [2, 2]));
    // the best plan puts all it can on the -1e308 cells: 0.5 at (0, 1), 0.3 at (1, 0), 0.2 at (1, 1)
    expect(r.cost).toBeCloseTo(-0.6e308, -300);
    expect(Math.abs(r.cost / -0.6e308 - 1)).toBeLessThan(1e-12);
    for (const x of [...r.u, ...r.v]) expect(Number.isFinite(x)).toBe(true);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect((r.u[i] as number) / 2 + (r.v[j] as number) / 2).toBeLessThanOrEqual((C[i * 2 + j] as number) / 2 + 1e-12 * Math.abs(C[i * 2 + j] as number));
  });

  it("rejects totals past the float64 range, options that are not an object, and a non-boolean normalizeCost", () => {
    expect(() => emd([1e308, 1e308], [1e308, 1e308], c22)).toThrow(DomainError);
    expect(() => emd(null, null, c22, null as never)).toThrow(/emd\(\): options must be an options object/);
    expect(() => emd(null, null, c22, { normalizeCost: "no" as never })).toThrow(/options.normalizeCost must be true or false/);
    expect(() => emd(null, null, fromRows([[1e-310, -1e10], [-1e10, 1e-310]]), { normalizeCost: true })).toThrow(DomainError);
  });

  it("reads a plain ndarray-like object through its strides (a column-major view)", () => {
    const r = emd(null, null, { data: [0, 1, 1, 0], shape: [2, 2], stride: [1, 2], offset: 0 } as never);
    expect(r.cost).toBe(0);
    const t = emd(null, null, { data: [5, 0, 1, 1, 0, 7], shape: [2, 2], stride: [1, 2], offset: 1 } as never);
    // the view is [[0, 1], [1, 0]] from offset 1 (column-major)
    expect(t.cost).toBe(0);
  });
});

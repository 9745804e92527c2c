import { describe, expect, it } from "vitest";
import { networkSimplex, SimplexState, type NetworkSimplexResult } from "../../src/couplings/network-simplex.js";
import { lapjv } from "../../src/couplings/lapjv.js";
import { pairwiseCost } from "../../src/couplings/cost.js";
import { circles, checkerboard, eightGaussians, moons, spirals, standardNormal } from "../../src/distributions/index.js";
import { Random } from "../../src/random/random.js";

/** Cost of the plan, and a check of the dual certificate on every arc (u_i + v_j <= C_ij, tight on the plan). */
function certified(C: Float64Array, n: number, r: NetworkSimplexResult): number {
  let scale = 0;
  for (let k = 0; k < C.length; k++) scale = Math.max(scale, Math.abs(C[k] as number));
  const tol = 8 * 2 * n * 2.2e-16 * Math.max(scale, 1e-300);
  let minSlack = Infinity;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) minSlack = Math.min(minSlack, (C[i * n + j] as number) - (r.u[i] as number) - (r.v[j] as number));
  expect(minSlack).toBeGreaterThanOrEqual(-tol);
  expect(r.converged).toBe(true);
  // a permutation: n cells, every row and column once
  expect(r.values.length).toBe(n);
  expect(new Set(r.rows).size).toBe(n);
  expect(new Set(r.columns).size).toBe(n);
  let cost = 0;
  for (let k = 0; k < n; k++) {
    const e = (r.rows[k] as number) * n + (r.columns[k] as number);
    expect(Math.abs((C[e] as number) - (r.u[r.rows[k] as number] as number) - (r.v[r.columns[k] as number] as number))).toBeLessThanOrEqual(tol);
    cost += C[e] as number;
  }
  return cost;
}

/** The optimal assignment cost by dense Jonker–Volgenant (an independent algorithm). */
function jvCost(C: Float64Array, n: number): number {
  const { x } = lapjv(C, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += C[i * n + (x[i] as number)] as number;
  return s;
}

function started(C: Float64Array, n: number): boolean {
  const ones = new Float64Array(n).fill(1);
  return new SimplexState(C, ones, ones, n, n).artificial !== null;
}

function check(C: Float64Array, n: number): NetworkSimplexResult {
  const ones = new Float64Array(n).fill(1);
  const r = networkSimplex(C, ones, ones, n, n, 1e8);
  const cost = certified(C, n, r);
  const reference = jvCost(C, n);
  expect(Math.abs(cost - reference)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(reference)));
  // the greedy start reaches the same optimum
  const greedy = networkSimplex(C, ones, ones, n, n, 1e8, { auction: false });
  let g = 0;
  for (let k = 0; k < greedy.values.length; k++) g += (greedy.values[k] as number) * (C[(greedy.rows[k] as number) * n + (greedy.columns[k] as number)] as number);
  expect(Math.abs(cost - g)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(g)));
  return r;
}

describe("the auction start of the network simplex (assignment-shaped problems)", () => {
  it("gives an optimal, certified permutation on minibatches of many pairs of distributions, n = 16 .. 300 (n mod 8 = 0 .. 7)", () => {
    const rng = new Random(21);
    const dists = [() => standardNormal(2), () => eightGaussians(), () => moons(), () => circles(), () => checkerboard(), () => spirals()];
    for (const n of [16, 17, 23, 64, 101, 300]) {
      for (let p = 0; p < dists.length; p++) {
        const x = dists[p]!().sample(n, rng), y = dists[(p + 2) % dists.length]!().sample(n, rng);
        const C = pairwiseCost(x, y).data;
        expect(started(C, n)).toBe(true);
        check(C, n);
      }
    }
  });

  it("is optimal on Euclidean (p = 1) costs, in 8 dimensions, and on negative and unstructured costs", () => {
    const rng = new Random(4);
    const n = 97;
    check(pairwiseCost(eightGaussians().sample(n, rng), moons().sample(n, rng), 1).data, n);
    const x = standardNormal(8).sample(n, rng), y = standardNormal(8).sample(n, rng);
    for (let k = 0; k < y.data.length; k++) y.data[k] = (y.data[k] as number) * 0.3 + 2;
    check(pairwiseCost(x, y).data, n);
    check(Float64Array.from({ length: n * n }, () => rng.uniform() * 10 - 7), n);
  });

  it("is optimal with ties everywhere: integer costs, duplicate points, a batch against itself", () => {
    const rng = new Random(8);
    const n = 40;
    check(Float64Array.from({ length: n * n }, () => Math.floor(rng.uniform() * 3)), n);
    const x = moons().sample(n, rng);
    for (let i = 1; i < n; i += 2) { x.data[2 * i] = x.data[2 * i - 2] as number; x.data[2 * i + 1] = x.data[2 * i - 1] as number; }
    check(pairwiseCost(x, x).data, n);
    const r = check(pairwiseCost(x, moons().sample(n, rng)).data, n);
    expect(r.converged).toBe(true);
  });

  it("is optimal where float32 cannot tell the costs apart (costs 1e6 + [0, 1e-3)) and with an outlier 1e12 times the rest", () => {
    const rng = new Random(2);
    const n = 48;
    check(Float64Array.from({ length: n * n }, () => 1e6 + rng.uniform() * 1e-3), n);
    const C = pairwiseCost(eightGaussians().sample(n, rng), moons().sample(n, rng)).data;
    C[5] = 1e12 * (C[5] as number);
    check(C, n);
    const tiny = pairwiseCost(moons().sample(n, rng), circles().sample(n, rng)).data.map((c) => c * 1e-300);
    check(tiny, n);
  });

  it("does not run below n = 16, on all-equal costs, or on unequal supplies (the greedy start runs, still optimal)", () => {
    const rng = new Random(6);
    const small = pairwiseCost(moons().sample(15, rng), circles().sample(15, rng)).data;
    expect(started(small, 15)).toBe(false);
    check(small, 15);
    const flat = new Float64Array(20 * 20).fill(3);
    expect(started(flat, 20)).toBe(false);
    check(flat, 20);
    const C = pairwiseCost(moons().sample(20, rng), circles().sample(20, rng)).data;
    const a = new Float64Array(20).fill(1), b = new Float64Array(20).fill(1);
    a[0] = 2; a[1] = 0;
    expect(new SimplexState(C, a, b, 20, 20).artificial).toBeNull();
    expect(networkSimplex(C, a, b, 20, 20, 1e8).converged).toBe(true);
  });
});

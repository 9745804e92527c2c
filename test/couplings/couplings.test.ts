import { describe, expect, it } from "vitest";
import { exactOTCoupling } from "../../src/couplings/exact-ot.js";
import { independentCoupling } from "../../src/couplings/independent.js";
import { pairedCoupling } from "../../src/couplings/paired.js";
import { entropicOTCoupling, schrodingerBridgeCoupling } from "../../src/couplings/entropic-ot.js";
import { samplePlan } from "../../src/couplings/sample-plan.js";
import { partialOTCoupling } from "../../src/couplings/partial-coupling.js";
import { unbalancedOTCoupling } from "../../src/couplings/unbalanced-coupling.js";
import { conditionalOTCoupling } from "../../src/couplings/conditional-ot.js";
import { fromRows, gatherRows, type Batch } from "../../src/core/batch.js";
import { DomainError, ShapeError } from "../../src/core/errors.js";
import type { CoupledBatch } from "../../src/core/interfaces.js";
import { Random } from "../../src/random/random.js";
import { gaussiansToMoons } from "./helpers.js";

function meanSquaredPairDistance(x0: Batch, x1: Batch): number {
  const n = x0.shape[0] as number, d = x0.shape[1] as number;
  let s = 0;
  for (let k = 0; k < n * d; k++) s += ((x0.data[k] as number) - (x1.data[k] as number)) ** 2;
  return s / n;
}

function rowsFollowIndices(c: CoupledBatch, x0: Batch, x1: Batch): void {
  expect(Array.from(c.x0.data)).toEqual(Array.from(gatherRows(x0, c.indices0).data));
  expect(Array.from(c.x1.data)).toEqual(Array.from(gatherRows(x1, c.indices1).data));
}

describe("couplings", () => {
  it("exactOT on 8 Gaussians -> moons (256): below all of 100 random permutations and >= 2x below independent", () => {
    const { x, y } = gaussiansToMoons(256, 11);
    const rng = new Random(12);
    const ot = exactOTCoupling().pair(x, y, rng);
    rowsFollowIndices(ot, x, y);
    expect(Array.from(ot.indices1).sort((a, b) => a - b)).toEqual(Array.from({ length: 256 }, (_, k) => k));
    const otCost = meanSquaredPairDistance(ot.x0, ot.x1);
    let minRandom = Infinity;
    for (let t = 0; t < 100; t++) minRandom = Math.min(minRandom, meanSquaredPairDistance(x, gatherRows(y, rng.permutation(256))));
    expect(otCost).toBeLessThan(minRandom);
    const ind = independentCoupling().pair(x, y, rng);
    expect(2 * otCost).toBeLessThanOrEqual(meanSquaredPairDistance(ind.x0, ind.x1));
  });

  it("labels travel with rows: indices name the input rows of every output row", () => {
    const { x, y } = gaussiansToMoons(40, 5);
    const rng = new Random(1);
    for (const c of [independentCoupling(), pairedCoupling(), exactOTCoupling(), entropicOTCoupling(0.5), schrodingerBridgeCoupling(0.5, { replace: false })]) {
      const out = c.pair(x, y, rng);
      expect(out.x0.shape).toEqual([40, 2]);
      rowsFollowIndices(out, x, y);
    }
  });

  it("paired keeps pairs; independent is a uniform random permutation", () => {
    const x = fromRows([[0], [1], [2]]), y = fromRows([[5], [6], [7]]);
    expect(Array.from(pairedCoupling().pair(x, y, new Random(1)).indices1)).toEqual([0, 1, 2]);
    const counts = new Array<number>(3).fill(0);
    const rng = new Random(2);
    for (let t = 0; t < 3000; t++) { const j = independentCoupling().pair(x, y, rng).indices1[0] as number; counts[j] = (counts[j] as number) + 1; }
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });

  it("entropic OT at small reg pairs like exact OT; SB uses reg = 2 sigma^2", () => {
    const x = fromRows([[0], [10]]), y = fromRows([[11], [1]]);
    const c = entropicOTCoupling(0.01).pair(x, y, new Random(1));
    for (let k = 0; k < 2; k++) expect(c.indices1[k]).toBe(1 - (c.indices0[k] as number));
    const sb = schrodingerBridgeCoupling(Math.sqrt(0.005)).pair(x, y, new Random(1));
    for (let k = 0; k < 2; k++) expect(sb.indices1[k]).toBe(1 - (sb.indices0[k] as number));
  });

  it("bad shapes are rejected", () => {
    const x = fromRows([[0, 0]]), y = fromRows([[1], [2]]);
    for (const c of [independentCoupling(), pairedCoupling(), exactOTCoupling(), entropicOTCoupling(1)]) {
      expect(() => c.pair(x, y, new Random(1))).toThrow(ShapeError);
    }
    expect(() => entropicOTCoupling(0)).toThrow(DomainError);
    expect(() => schrodingerBridgeCoupling(-1)).toThrow(DomainError);
  });
});

describe("samplePlan", () => {
  it("with replacement: pair frequencies match P (chi-square-like bound)", () => {
    const plan = fromRows([[0.1, 0.2], [0.3, 0.4]]);
    const { indices0, indices1 } = samplePlan(plan, 20000, new Random(3));
    const counts = [0, 0, 0, 0];
    for (let k = 0; k < 20000; k++) { const c = (indices0[k] as number) * 2 + (indices1[k] as number); counts[c] = (counts[c] as number) + 1; }
    [0.1, 0.2, 0.3, 0.4].forEach((p, c) => expect(Math.abs((counts[c] as number) / 20000 - p)).toBeLessThan(0.015));
  });

  it("without replacement: distinct cells, never a zero cell, and errors when too many", () => {
    const plan = fromRows([[0.1, 0], [0.3, 0.4]]);
    const { indices0, indices1 } = samplePlan(plan, 3, new Random(4), { replace: false });
    const cells = new Set(Array.from(indices0).map((i, k) => i * 2 + (indices1[k] as number)));
    expect(cells).toEqual(new Set([0, 2, 3]));
    expect(() => samplePlan(plan, 4, new Random(4), { replace: false })).toThrow(DomainError);
    expect(() => samplePlan(fromRows([[0, -1]]), 1, new Random(4))).toThrow(DomainError);
    expect(() => samplePlan(fromRows([[0, 0]]), 1, new Random(4))).toThrow(DomainError);
  });
});

describe("coupling and samplePlan options are checked", () => {
  it("options that are not objects or booleans are DomainErrors naming the option (raw TypeErrors or silent coercions before)", () => {
    expect(() => partialOTCoupling(0.5, null as never)).toThrow(/partialOTCoupling\(\): options must be an options object/);
    expect(() => unbalancedOTCoupling(0.1, 1, null as never)).toThrow(DomainError);
    expect(() => conditionalOTCoupling("x" as never)).toThrow(DomainError);
    expect(() => exactOTCoupling({ replace: "no" as never })).toThrow(/options.replace must be true or false/);
    expect(() => samplePlan(fromRows([[0, 1], [1, 0]]), 2, new Random(1), { replace: "no" as never })).toThrow(DomainError);
  });

  it("a sparse plan with cells outside [0, n) x [0, m) or ragged arrays is a ShapeError (it returned the bad indices)", () => {
    const bad = { n: 2, m: 2, rows: Int32Array.from([5]), columns: Int32Array.from([9]), values: Float64Array.from([1]) };
    expect(() => samplePlan(bad, 2, new Random(1))).toThrow(ShapeError);
    const ragged = { n: 2, m: 2, rows: Int32Array.from([0]), columns: Int32Array.from([0, 1]), values: Float64Array.from([1, 1]) };
    expect(() => samplePlan(ragged, 2, new Random(1))).toThrow(ShapeError);
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { exactOTCoupling } from "../../src/couplings/exact-ot.js";
import { entropicOTCoupling } from "../../src/couplings/entropic-ot.js";
import { partialOTCoupling } from "../../src/couplings/partial-coupling.js";
import { unbalancedOTCoupling } from "../../src/couplings/unbalanced-coupling.js";
import { emd } from "../../src/couplings/emd.js";
import { pairwiseCost } from "../../src/couplings/cost.js";
import { fromRows, gatherRows } from "../../src/core/batch.js";
import { ConvergenceError, DomainError, ShapeError } from "../../src/core/errors.js";
import { Random } from "../../src/random/random.js";
import { gaussiansToMoons } from "./helpers.js";

afterEach(() => { vi.restoreAllMocks(); });

describe("OT couplings", () => {
  it("every OT coupling exposes the status of its last solve and keeps indices with rows", () => {
    const { x, y } = gaussiansToMoons(48, 1);
    const rng = new Random(2);
    for (const c of [exactOTCoupling(), entropicOTCoupling(0.5), partialOTCoupling(0.7), unbalancedOTCoupling(0.5, 5)]) {
      expect(c.status).toBeNull();
      const out = c.pair(x, y, rng);
      expect(Array.from(out.x0.data)).toEqual(Array.from(gatherRows(x, out.indices0).data));
      expect(Array.from(out.x1.data)).toEqual(Array.from(gatherRows(y, out.indices1).data));
      const s = c.status!;
      expect(s.converged).toBe(true);
      expect(s.iterations).toBeGreaterThan(0);
      expect(Number.isFinite(s.cost) && s.cost > 0).toBe(true);
      expect(Number.isFinite(s.marginalError)).toBe(true);
    }
  });

  it("exact: equal sizes give the optimal permutation with emd's cost; unequal sizes draw x0's count from the plan", () => {
    const { x, y } = gaussiansToMoons(60, 3);
    const c = exactOTCoupling();
    const out = c.pair(x, y, new Random(1));
    expect(Array.from(out.indices1).sort((p, q) => p - q)).toEqual(Array.from({ length: 60 }, (_, k) => k));
    const r = emd(null, null, pairwiseCost(x, y));
    expect(Math.abs(c.status!.cost - r.cost)).toBeLessThanOrEqual(1e-12 * r.cost);
    const y2 = gatherRows(y, Int32Array.from({ length: 25 }, (_, k) => k));
    const plan = emd(null, null, pairwiseCost(x, y2)).plan;
    const cells = new Set(Array.from(plan.rows).map((i, k) => `${i},${plan.columns[k]}`));
    const drawn = c.pair(x, y2, new Random(4));
    expect(drawn.x0.shape).toEqual([60, 2]);
    for (let k = 0; k < 60; k++) expect(cells.has(`${drawn.indices0[k]},${drawn.indices1[k]}`)).toBe(true);
  });

  it("partial: with mass 1/2 the far outliers of x1 are never drawn", () => {
    const x = fromRows([[0], [1], [2], [3]]), y = fromRows([[0.1], [1.1], [50], [60]]);
    const out = partialOTCoupling(0.5).pair(x, y, new Random(3));
    for (const j of out.indices1) expect(j).toBeLessThan(2);
    expect(() => partialOTCoupling(0)).toThrow(DomainError);
    expect(() => partialOTCoupling(1.5)).toThrow(DomainError);
  });

  it("unbalanced: an outlier's mass is starved and it is (almost) never drawn; balanced-like for large regM", () => {
    const x = fromRows([[0], [1], [2], [3]]), y = fromRows([[0.1], [1.1], [2.1], [40]]);
    const rng = new Random(5);
    let outlier = 0;
    for (let t = 0; t < 50; t++) for (const j of unbalancedOTCoupling(0.1, 1).pair(x, y, rng).indices1) if (j === 3) outlier++;
    expect(outlier).toBeLessThanOrEqual(2);
    expect(() => unbalancedOTCoupling(0, 1)).toThrow(DomainError);
    expect(() => unbalancedOTCoupling(1, -1)).toThrow(DomainError);
  });

  it("non-convergence: 'warn' is the couplings' default, 'throw' throws, 'ignore' is silent; the status says converged false", () => {
    const { x, y } = gaussiansToMoons(32, 7);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const c = entropicOTCoupling(0.01, { maxIterations: 2 });
    c.pair(x, y, new Random(1));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(c.status!.converged).toBe(false);
    expect(c.status!.iterations).toBe(2);
    expect(() => entropicOTCoupling(0.01, { maxIterations: 2, onNonConvergence: "throw" }).pair(x, y, new Random(1))).toThrow(ConvergenceError);
    expect(() => exactOTCoupling({ maxIterations: 1, onNonConvergence: "throw" }).pair(x, y, new Random(1))).toThrow(ConvergenceError);
    const quiet = exactOTCoupling({ maxIterations: 1, onNonConvergence: "ignore" });
    quiet.pair(x, y, new Random(1));
    expect(quiet.status!.converged).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(() => exactOTCoupling({ onNonConvergence: "shout" as never })).toThrow(DomainError);
  });

  it("normalizeCost: exact plans unchanged; entropic reg becomes relative to max C", () => {
    const { x, y } = gaussiansToMoons(40, 9);
    const plain = exactOTCoupling().pair(x, y, new Random(1)), normalized = exactOTCoupling({ normalizeCost: true }).pair(x, y, new Random(1));
    expect(Array.from(normalized.indices1)).toEqual(Array.from(plain.indices1));
    const C = pairwiseCost(x, y);
    let max = 0;
    for (const v of C.data) max = Math.max(max, v);
    const a = entropicOTCoupling(0.01 * max), b = entropicOTCoupling(0.01, { normalizeCost: true });
    const pa = a.pair(x, y, new Random(2)), pb = b.pair(x, y, new Random(2));
    expect(Array.from(pb.indices1)).toEqual(Array.from(pa.indices1));
    expect(Math.abs(a.status!.cost - b.status!.cost)).toBeLessThanOrEqual(1e-6 * a.status!.cost);
  });

  it("unbalanced: batches far beyond reach (every transport costs more than destroying mass) give a typed error naming the pair, not samplePlan's", () => {
    // squared distances near 1e4 at reg 0.05: the plan's mass is about exp(-9500), zero in float64
    const x0 = fromRows([[0, 0], [1, 0], [0, 1]]), x1 = fromRows([[100, 0], [101, 0], [100, 1]]);
    const c = unbalancedOTCoupling(0.05, 1);
    expect(() => c.pair(x0, x1, new Random(1))).toThrow(DomainError);
    expect(() => c.pair(x0, x1, new Random(1))).toThrow(/unbalancedOTCoupling\.pair\(\): x1 .*moves no mass/);
    // normalised costs bring them back within reach
    expect(unbalancedOTCoupling(0.05, 1, { normalizeCost: true }).pair(x0, x1, new Random(1)).indices1.length).toBe(3);
  });

  it("mismatched dimensions are rejected", () => {
    for (const c of [exactOTCoupling(), partialOTCoupling(0.5), unbalancedOTCoupling(1, 1)]) {
      expect(() => c.pair(fromRows([[0, 0]]), fromRows([[1]]), new Random(1))).toThrow(ShapeError);
    }
  });
});

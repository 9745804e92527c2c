import { describe, expect, it } from "vitest";
import { sinkhornUnbalanced } from "../../src/couplings/unbalanced.js";
import { pairwiseCost } from "../../src/couplings/cost.js";
import { fromRows } from "../../src/core/batch.js";
import { DomainError } from "../../src/core/errors.js";
import { pot, points, weights } from "./pot-fixtures.js";

describe("sinkhornUnbalanced against POT", () => {
  it("matches sinkhorn_knopp_unbalanced (reg_type 'kl' and 'entropy') within 1e-6 on every plan entry", () => {
    for (const f of pot.unbalanced) {
      const x = fromRows(points(f.n, 0.3)), y = fromRows(points(f.m, 1.1).map(([s, t]) => [s! * 0.8 + 0.4, t! * 0.8 + 0.4]));
      const C = pairwiseCost(x, y);
      for (let k = 0; k < C.data.length; k++) C.data[k] = C.data[k]! * f.costScale;
      const r = sinkhornUnbalanced(weights(f.n, 3), weights(f.m, 5).map((w) => w * f.bScale), C, {
        reg: f.reg, regMarginal: f.regM, regType: f.regType, tolerance: 1e-13, maxIterations: 200000,
      });
      expect(r.converged).toBe(true);
      let worst = 0;
      for (let i = 0; i < f.n; i++) for (let j = 0; j < f.m; j++) worst = Math.max(worst, Math.abs(r.plan.get(i, j) - f.plan[i]![j]!));
      expect(worst).toBeLessThanOrEqual(1e-6);
    }
  });

  it("rejects an unknown regType", () => {
    expect(() => sinkhornUnbalanced(null, null, fromRows([[0]]), { reg: 1, regMarginal: 1, regType: "l2" as never })).toThrow(DomainError);
  });
});

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

  it("stays finite where a relaxed marginal's scalings leave float64 (every cost near 1e4: exp(-(1 - phi) f / reg) underflows), potentials equal to a log-domain reference", () => {
    // before: every row's scaling became 0, the potentials -Infinity and the plan NaN (a NonFiniteError)
    const C = fromRows([[1e4, 1e4 + 1, 1e4 + 3], [1e4 + 2, 1e4 + 0.5, 1e4 + 1]]);
    const a = [0.5, 0.5], b = [0.2, 0.3, 0.5], reg = 0.05, rho = 1, phi = rho / (rho + reg);
    const r = sinkhornUnbalanced(a, b, C, { reg, regMarginal: rho, tolerance: 1e-12, maxIterations: 100000 });
    // reference: F_i = phi (reg ln a_i - reg LSE_j((G_j - C_ij) / reg)), G_j likewise, P = exp((F_i + G_j - C_ij) / reg)
    const lse = (xs: number[]): number => { const mx = Math.max(...xs); return mx + Math.log(xs.reduce((s, x) => s + Math.exp(x - mx), 0)); };
    const F = [0, 0], G = [0, 0, 0];
    for (let it = 0; it < 20000; it++) {
      for (let j = 0; j < 3; j++) G[j] = phi * (reg * Math.log(b[j]!) - reg * lse([0, 1].map((i) => (F[i]! - C.get(i, j)) / reg)));
      for (let i = 0; i < 2; i++) F[i] = phi * (reg * Math.log(a[i]!) - reg * lse([0, 1, 2].map((j) => (G[j]! - C.get(i, j)) / reg)));
    }
    // the potentials are large (about 5000) and finite; the plan underflows to 0 as it should (mass ~ exp(-9500))
    for (let i = 0; i < 2; i++) expect(Math.abs(r.f[i]! - F[i]!)).toBeLessThanOrEqual(1e-9 * Math.abs(F[i]!));
    for (let j = 0; j < 3; j++) expect(Math.abs(r.g[j]! - G[j]!)).toBeLessThanOrEqual(1e-9 * Math.abs(G[j]!) + 1e-9);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expect(r.plan.get(i, j)).toBe(Math.exp((F[i]! + G[j]! - C.get(i, j)) / reg));
  });

  it("rejects an unknown regType", () => {
    expect(() => sinkhornUnbalanced(null, null, fromRows([[0]]), { reg: 1, regMarginal: 1, regType: "l2" as never })).toThrow(DomainError);
  });
});

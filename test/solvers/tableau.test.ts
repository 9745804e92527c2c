import { describe, expect, it } from "vitest";
import { methodNames, tableau } from "../../src/solvers/tableau.js";
import type { MethodName } from "../../src/solvers/tableau.js";
import { DOP853_A, DOP853_BHH, DOP853_C, DOP853_E5 } from "../../src/solvers/dop853.js";
import { TSIT5_DENSE } from "../../src/solvers/tsit5.js";
import { DomainError } from "../../src/core/errors.js";
import { orderResiduals, rootedTrees } from "./helpers.js";

// Coefficients given as rationals are exact to rounding; Tsit5's and DOP853's are published
// decimals, whose conditions hold to the digits given (products of coefficients up to ~40).
const TOL: Record<MethodName, number> = {
  euler: 1e-15, midpoint: 1e-15, heun2: 1e-15, ralston: 1e-15, heun3: 1e-15, rk4: 1e-15, rk38: 1e-15,
  bosh3: 1e-15, dopri5: 1e-14, tsit5: 1e-13, dop853: 1e-11,
};

describe("Butcher tableaux", () => {
  it("rootedTrees counts 1, 1, 2, 4, 9, 20, 48, 115 trees of orders 1..8 (17 up to order 5)", () => {
    const trees = rootedTrees(8);
    const counts = [1, 2, 3, 4, 5, 6, 7, 8].map((o) => trees.filter((t) => t.order === o).length);
    expect(counts).toEqual([1, 1, 2, 4, 9, 20, 48, 115]);
  });

  for (const name of methodNames()) {
    const tab = tableau(name);
    it(`${name}: row sums c_i = sum_j a_ij and a is strictly lower triangular`, () => {
      expect(tab.a.length).toBe(tab.c.length);
      tab.a.forEach((row, i) => {
        expect(row.length).toBe(i);
        const sum = row.reduce((s, v) => s + v, 0);
        expect(Math.abs(sum - (tab.c[i] as number))).toBeLessThan(TOL[name]);
      });
    });

    it(`${name}: b satisfies every order condition up to order ${tab.order} and fails one of order ${tab.order + 1}`, () => {
      const res = orderResiduals(tab.a, tab.b, tab.order + 1);
      for (let o = 1; o <= tab.order; o++) expect(res[o], `order ${o}`).toBeLessThan(TOL[name]);
      expect(res[tab.order + 1]).toBeGreaterThan(1e-6);
    });

    if (tab.fsal) {
      it(`${name}: FSAL, the last stage is (t + h, y_new): c_last = 1 and a_last = b`, () => {
        expect(tab.c[tab.c.length - 1]).toBe(1);
        expect([...(tab.a[tab.a.length - 1] as number[]), 0]).toEqual([...tab.b]);
      });
    }

    if (tab.e !== undefined && name !== "dop853") {
      it(`${name}: the embedded weights bhat = b - e have order ${tab.embeddedOrder}`, () => {
        const bhat = tab.b.map((v, i) => v - (tab.e?.[i] as number));
        const res = orderResiduals(tab.a, bhat, tab.embeddedOrder as number);
        for (let o = 1; o <= (tab.embeddedOrder as number); o++) expect(res[o], `order ${o}`).toBeLessThan(TOL[name]);
      });
    }
  }

  it("dop853: b - E5 is a 5th-order solution and bhh a 3rd-order one (the two error estimators)", () => {
    const tab = tableau("dop853");
    const b5 = tab.b.map((v, i) => v - (DOP853_E5[i] as number));
    const r5 = orderResiduals(tab.a, b5, 5);
    for (let o = 1; o <= 5; o++) expect(r5[o], `order ${o}`).toBeLessThan(1e-11);
    const r3 = orderResiduals(tab.a, DOP853_BHH, 3);
    for (let o = 1; o <= 3; o++) expect(r3[o], `order ${o}`).toBeLessThan(1e-11);
  });

  it("dop853: the dense-output stages 13..15 have consistent row sums", () => {
    for (let i = 12; i < 16; i++) {
      const sum = (DOP853_A[i] as number[]).reduce((s, v) => s + v, 0);
      expect(Math.abs(sum - (DOP853_C[i] as number))).toBeLessThan(1e-12);
    }
  });

  it("tsit5: the continuous extension b_i(theta) equals b_i at theta = 1 and sums to theta", () => {
    const tab = tableau("tsit5");
    TSIT5_DENSE.forEach((r, i) => {
      expect(Math.abs(r.reduce((s, v) => s + v, 0) - (tab.b[i] as number))).toBeLessThan(1e-12);
    });
    for (const theta of [0.3, 0.7]) {
      let s = 0;
      for (const r of TSIT5_DENSE) s += r.reduce((acc, v, p) => acc + v * theta ** (p + 1), 0);
      expect(Math.abs(s - theta)).toBeLessThan(1e-12);
    }
  });

  it("tableau() rejects an unknown method name with a DomainError", () => {
    expect(() => tableau("rk45" as MethodName)).toThrow(DomainError);
  });
});

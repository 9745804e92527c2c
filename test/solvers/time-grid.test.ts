import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DomainError, NonFiniteError, condOT, cosineGrid, fromRows, gaussianVelocity, integrate, integrateAsync, logLikelihood,
  logLikelihoodForward, powerGrid, sample, sampleAsync, uniformGrid,
} from "../../src/index.js";
import type { Batch, OdeFunction, VelocityField } from "../../src/index.js";

const strictlyMonotone = (g: Float64Array): boolean => {
  const dir = Math.sign((g[1] as number) - (g[0] as number));
  for (let k = 1; k < g.length; k++) if (Math.sign((g[k] as number) - (g[k - 1] as number)) !== dir || dir === 0) return false;
  return true;
};

describe("step grids are strictly monotone with the right end points", () => {
  // the last power step is |t1 - t0| N^-rho; with N^rho <= 1e10 and |t1 - t0| > 1e-3 it stays
  // above 1e-13, far above the rounding of nodes in [-2, 2] (4.4e-16)
  it("uniform, power (rho > 0, N^rho <= 1e10) and cosine grids, either direction (fast-check)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 400 }), fc.double({ min: 0.05, max: 12, noNaN: true }),
      fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }),
      (steps, rho, t0, t1) => {
        fc.pre(Math.abs(t1 - t0) > 1e-3 && rho * Math.log10(steps) <= 10);
        for (const g of [uniformGrid(steps, { t0, t1 }), powerGrid(steps, rho, { t0, t1 }), cosineGrid(steps, { t0, t1 })]) {
          expect(g.length).toBe(steps + 1);
          expect(g[0]).toBe(t0);
          expect(g[steps]).toBe(t1);
          expect(strictlyMonotone(g)).toBe(true);
        }
      }), { seed: 18, numRuns: 200 });
  });

  it("power grids match their formula, are uniform at rho = 1, and put the small steps near t1 for rho > 1", () => {
    const g = powerGrid(4, 3);
    for (let i = 0; i <= 4; i++) expect(g[i]).toBeCloseTo(1 - (1 - i / 4) ** 3, 15);
    const u = uniformGrid(8);
    const p1 = powerGrid(8, 1);
    for (let i = 0; i <= 8; i++) expect(p1[i]).toBeCloseTo(u[i] as number, 15);
    const p7 = powerGrid(10, 7);
    expect((p7[10] as number) - (p7[9] as number)).toBeLessThan((p7[1] as number) - (p7[0] as number));
    const c = cosineGrid(6);
    for (let i = 0; i <= 6; i++) expect(c[i]).toBeCloseTo((1 - Math.cos((Math.PI * i) / 6)) / 2, 15);
  });

  it("negative or zero rho, no steps, equal ends and non-monotone explicit grids are typed errors", () => {
    expect(() => powerGrid(4, -1)).toThrow(DomainError);
    // a last step below rounding (400^12 > 1e31) is refused rather than returned with equal nodes
    expect(() => powerGrid(400, 12)).toThrow(/powerGrid\(\): steps\[\d+\] must make the grid strictly monotone/);
    expect(() => powerGrid(4, 0)).toThrow(/powerGrid\(\): rho must/);
    expect(() => powerGrid(4, Number.NaN)).toThrow(NonFiniteError);
    expect(() => uniformGrid(0)).toThrow(DomainError);
    expect(() => cosineGrid(3, { t0: 0.5, t1: 0.5 })).toThrow(DomainError);
    const f: OdeFunction = (_t, y, out) => out.data.set(y.data);
    const y0 = fromRows([[1]]);
    expect(() => integrate(f, y0, { method: "rk4", timeGrid: [0, 0.5, 0.4, 1] })).toThrow(/integrate\(\): options.timeGrid\[2\] must make the grid strictly monotone/);
    expect(() => integrate(f, y0, { method: "rk4", timeGrid: [0, 0.5, 0.5, 1] })).toThrow(DomainError);
    expect(() => integrate(f, y0, { method: "rk4", timeGrid: [0] })).toThrow(DomainError);
    expect(() => integrate(f, y0, { method: "rk4", timeGrid: [0, Number.NaN, 1] })).toThrow(NonFiniteError);
    expect(() => integrate(f, y0, { method: "rk4", timeGrid: [0, 1], steps: 4 })).toThrow(DomainError);
    expect(() => integrate(f, y0, { method: "rk4", timeGrid: [0, 1], t1: 2 })).toThrow(/options.t1 must equal/);
    expect(() => integrate(f, y0, { returnIntermediates: true })).toThrow(/options.times must be given with returnIntermediates/);
    const id: VelocityField = { dim: 1, evaluate: (x, _t, out) => { (out as Batch).data.fill(0); return out as Batch; } };
    expect(() => sample(id, y0, { method: "euler", timeGrid: [0, 0.5, 1.5] })).toThrow(/sample\(\): options.timeGrid\[2\] must be in/);
  });
});

// y' = t y - y^2 / 4 + sin(3 t): nonlinear and time dependent, so a wrong node or step shows
const f: OdeFunction = (t, y, out) => {
  for (let i = 0; i < y.data.length; i++) {
    const v = y.data[i] as number;
    out.data[i] = (t as number) * v - (v * v) / 4 + Math.sin(3 * (t as number));
  }
};
const y0 = fromRows([[0.3, -1], [1.2, 0.5]]);

describe("a timeGrid steps exactly on its nodes", () => {
  it("euler on a grid equals the hand-written Euler recursion bit for bit", () => {
    const grid = powerGrid(7, 2.5);
    const r = integrate(f, fromRows([[0.3]]), { method: "euler", timeGrid: grid });
    let y = 0.3;
    for (let k = 0; k < 7; k++) {
      const t = grid[k] as number;
      y = y + ((grid[k + 1] as number) - t) * (t * y - (y * y) / 4 + Math.sin(3 * t));
    }
    expect(r.y.data[0]).toBe(y);
    expect(r.statistics.nfe).toBe(7);
  });

  it("rk4 on a grid of 64 nodes converges at 4th order to the dopri5 reference", () => {
    const ref = integrate(f, y0, { rtol: 1e-13, atol: 1e-13 }).y.data;
    const err = (steps: number): number => {
      const y = integrate(f, y0, { method: "rk4", timeGrid: cosineGrid(steps) }).y.data;
      return Math.max(...Array.from(y, (v, i) => Math.abs(v - (ref[i] as number))));
    };
    const ratio = err(16) / err(32);
    expect(ratio).toBeGreaterThan(12); // 2^4 = 16 asymptotically
    expect(ratio).toBeLessThan(20);
  });

  it("uniformGrid(N) equals steps: N to rounding", () => {
    const a = integrate(f, y0, { method: "rk4", timeGrid: uniformGrid(10) }).y.data;
    const b = integrate(f, y0, { method: "rk4", steps: 10 }).y.data;
    for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-14);
  });
});

describe("returnIntermediates agrees with integrating to each grid time separately", () => {
  const grid = powerGrid(9, 3);

  it("integrate (rk4, midpoint) and sample/sampleAsync: trajectory[k] is the solve on grid[0..k], bit for bit", async () => {
    for (const method of ["rk4", "midpoint", "dopri5"] as const) {
      const r = integrate(f, y0, { method, timeGrid: grid, returnIntermediates: true });
      expect(Array.from(r.times as Float64Array)).toEqual(Array.from(grid));
      expect((r.trajectory as Batch[])[0]?.data).toEqual(y0.data);
      for (let k = 1; k < grid.length; k++) {
        const alone = integrate(f, y0, { method, timeGrid: grid.slice(0, k + 1) });
        expect((r.trajectory as Batch[])[k]?.data).toEqual(alone.y.data);
      }
      expect((r.trajectory as Batch[])[grid.length - 1]?.data).toEqual(r.y.data);
    }
    const field: VelocityField = { dim: 2, evaluate: (x, t, out) => { f(t, x, out as Batch); return out as Batch; } };
    const s = sample(field, y0, { method: "heun2", timeGrid: grid, returnIntermediates: true });
    const a = await sampleAsync({ dim: 2, evaluateAsync: async (x, t, out) => { f(t, x, out as Batch); return out as Batch; } },
      y0, { method: "heun2", timeGrid: grid, returnIntermediates: true });
    const ia = await integrateAsync(f, y0, { method: "heun2", timeGrid: grid, returnIntermediates: true });
    for (let k = 0; k < grid.length; k++) {
      const alone = k === 0 ? y0.data : sample(field, y0, { method: "heun2", timeGrid: grid.slice(0, k + 1) }).y.data;
      expect((s.trajectory as Batch[])[k]?.data).toEqual(alone);
      expect((a.trajectory as Batch[])[k]?.data).toEqual(alone);
      expect((ia.trajectory as Batch[])[k]?.data).toEqual(alone);
    }
  });

  it("with steps: N the nodes are t0 + k h, each state equal to the solve with k steps to that node (to rounding)", () => {
    const r = integrate(f, y0, { method: "rk4", steps: 8, t1: 0.8, returnIntermediates: true });
    expect(r.times?.length).toBe(9);
    for (let k = 1; k <= 8; k++) {
      expect(r.times?.[k]).toBeCloseTo(0.1 * k, 14);
      const alone = integrate(f, y0, { method: "rk4", steps: k, t1: r.times?.[k] as number }).y.data;
      const got = (r.trajectory as Batch[])[k]?.data as Float64Array;
      for (let i = 0; i < got.length; i++) expect(Math.abs((got[i] as number) - (alone[i] as number))).toBeLessThan(1e-13);
    }
  });

  it("output times between nodes split a step and are reported; a time on a node costs nothing extra", () => {
    const r = integrate(f, y0, { method: "euler", timeGrid: [0, 0.5, 1], times: [0.25, 0.5] });
    expect(r.statistics.nfe).toBe(3);
    const alone = integrate(f, y0, { method: "euler", timeGrid: [0, 0.25] });
    expect(r.trajectory?.[0]?.data).toEqual(alone.y.data);
    expect(r.trajectory?.[1]?.data).toEqual(integrate(f, y0, { method: "euler", timeGrid: [0, 0.25, 0.5] }).y.data);
  });
});

describe("likelihood intermediates: states and log-densities on the grid", () => {
  // p0 = N(0, 1), p1 = N(m, s^2) under condOT: p_t = N(t m, ((1 - t)^2 + t^2 s^2) I) in closed form
  const m = [0.7, -0.4];
  const s = 0.6;
  const field = gaussianVelocity(condOT(), { mean: m, std: s });
  const logPt = (x: ArrayLike<number>, t: number): number => {
    const v = (1 - t) ** 2 + t * t * s * s;
    let q = 0;
    for (let j = 0; j < 2; j++) q += ((x[j] as number) - t * (m[j] as number)) ** 2;
    return -q / (2 * v) - Math.log(2 * Math.PI * v);
  };
  const x = fromRows([[0.5, 0.1], [-1.2, 0.8], [2, -1]]);

  it("logLikelihood (backwards) reports log p_t(x_t) at every node within the rk4 error (1e-7 on 200 steps)", () => {
    const grid = uniformGrid(200);
    const r = logLikelihood(field, x, { method: "rk4", timeGrid: grid, returnIntermediates: true });
    expect(r.times?.[0]).toBe(1);
    expect(r.times?.[200]).toBe(0);
    expect(r.trajectory?.[200]?.data).toEqual(r.x0.data);
    expect(r.logProbTrajectory?.[0]).toEqual(r.logProb);
    for (const k of [0, 37, 100, 163, 200]) {
      const t = r.times?.[k] as number;
      for (let i = 0; i < 3; i++) {
        const xt = (r.trajectory?.[k]?.data as Float64Array).subarray(2 * i, 2 * i + 2);
        expect(Math.abs((r.logProbTrajectory?.[k]?.[i] as number) - logPt(xt, t))).toBeLessThan(1e-7);
      }
    }
  });

  it("logLikelihoodForward: node k equals a forward solve of the rescaled field on [0, grid_k] (to 1e-12)", () => {
    const grid = cosineGrid(12);
    const r = logLikelihoodForward(field, x, { method: "rk4", timeGrid: grid, returnIntermediates: true });
    for (const k of [3, 6, 9]) {
      const tk = grid[k] as number;
      // u'(s, x) = tk u(s tk, x) on s in [0, 1] is the same flow run to tk
      const scaled: VelocityField = {
        dim: 2,
        evaluate: (y, t, out) => { const o = field.evaluate(y, (t as number) * tk, out) as Batch; for (let i = 0; i < o.data.length; i++) o.data[i] = (o.data[i] as number) * tk; return o; },
        divergence: (y, t, out) => { const o = field.divergence?.(y, (t as number) * tk, out) as Float64Array; for (let i = 0; i < o.length; i++) o[i] = (o[i] as number) * tk; return o; },
      };
      const alone = logLikelihoodForward(scaled as VelocityField, x, { method: "rk4", timeGrid: Array.from(grid.slice(0, k + 1), (g) => g / tk) });
      for (let i = 0; i < 3; i++) {
        expect(Math.abs((r.logProbTrajectory?.[k]?.[i] as number) - (alone.logProb[i] as number))).toBeLessThan(1e-12);
        for (let j = 0; j < 2; j++) {
          expect(Math.abs((r.trajectory?.[k]?.data[2 * i + j] as number) - (alone.x1.data[2 * i + j] as number))).toBeLessThan(1e-12);
        }
      }
    }
  });

  it("an increasing grid is accepted by logLikelihood (run from 1 to 0) and gives the same result as the reversed one", () => {
    const grid = powerGrid(20, 2);
    const a = logLikelihood(field, x, { method: "rk4", timeGrid: grid });
    const b = logLikelihood(field, x, { method: "rk4", timeGrid: Array.from(grid).reverse() });
    expect(a.logProb).toEqual(b.logProb);
  });
});

describe("grids over an interval whose length overflows", () => {
  it("uniformGrid, powerGrid and cosineGrid name interval.t1 where t1 - t0 overflows", () => {
    expect(() => uniformGrid(2, { t0: -1.7e308, t1: 1.7e308 })).toThrow(/^uniformGrid\(\): interval\.t1 must be within a finite distance of t0/);
    expect(() => powerGrid(2, 2, { t0: -1.7e308, t1: 1.7e308 })).toThrow(DomainError);
    expect(() => cosineGrid(2, { t0: 1.7e308, t1: -1.7e308 })).toThrow(DomainError);
  });
});

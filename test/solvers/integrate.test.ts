import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { fromRows, zeros } from "../../src/core/batch.js";
import type { Batch } from "../../src/core/batch.js";
import type { Time } from "../../src/core/time.js";
import { ConvergenceError, DomainError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import { integrate } from "../../src/solvers/integrate.js";
import type { OdePartial } from "../../src/solvers/integrate.js";
import type { MethodName } from "../../src/solvers/tableau.js";

// y' = y cos t: y = y0 exp(sin t - sin t0), per row.
const growth = (t: Time, y: Batch, out: Batch): void => {
  const n = y.shape[0] as number;
  for (let i = 0; i < n; i++) out.data[i] = (y.data[i] as number) * Math.cos(typeof t === "number" ? t : (t[i] as number));
};
const exactGrowth = (t: number, y0 = 1, t0 = 0): number => y0 * Math.exp(Math.sin(t) - Math.sin(t0));

describe("integrate", () => {
  it("lands exactly on every requested time and on t1 (f is evaluated at exactly those times)", () => {
    const seen = new Set<number>();
    const f = (t: Time, y: Batch, out: Batch): void => { seen.add(t as number); growth(t, y, out); };
    const times = [0, 0.1, 0.37, 0.37, 1.5, 2.9, 3];
    const r = integrate(f, fromRows([[1], [2]]), { t1: 3, times, rtol: 1e-10, atol: 1e-12 });
    for (const t of [0.1, 0.37, 1.5, 2.9, 3]) expect(seen.has(t)).toBe(true);
    times.forEach((t, k) => {
      expect(Math.abs((r.trajectory?.[k]?.data[0] as number) - exactGrowth(t))).toBeLessThan(1e-9);
      expect(Math.abs((r.trajectory?.[k]?.data[1] as number) - exactGrowth(t, 2))).toBeLessThan(2e-9);
    });
    expect(r.y.data[0]).toBe(r.trajectory?.[6]?.data[0]);
    expect(r.t).toBe(3);
  });

  for (const method of ["bosh3", "dopri5", "tsit5", "dop853"] as MethodName[]) {
    it(`${method}: dense output (interpolate) agrees with the exact solution between steps`, () => {
      const times = Array.from({ length: 41 }, (_, k) => (3 * k) / 40);
      const rtol = method === "bosh3" ? 1e-7 : 1e-10;
      const r = integrate(growth, fromRows([[1]]), { t1: 3, times, interpolate: true, method, rtol, atol: rtol });
      const landed = integrate(growth, fromRows([[1]]), { t1: 3, method, rtol, atol: rtol });
      times.forEach((t, k) => expect(Math.abs((r.trajectory?.[k]?.data[0] as number) - exactGrowth(t))).toBeLessThan(300 * rtol));
      // interpolation costs no extra steps (dop853 adds its 3 dense stages only on steps with outputs)
      expect(r.statistics.accepted).toBe(landed.statistics.accepted);
    });
  }

  // local interpolation error over one step of size h scales like h^(q+1), q the interpolant's order
  for (const [method, q] of [["bosh3", 3], ["dopri5", 4], ["tsit5", 4], ["dop853", 7]] as [MethodName, number][]) {
    it(`${method}: the continuous extension has local order ${q + 1} (${q === 3 ? "cubic Hermite" : "the method's own"})`, () => {
      const errs = [0.4, 0.2].map((h) => {
        const times = [0.3 + 0.37 * h];
        const r = integrate(growth, fromRows([[exactGrowth(0.3)]]), { t0: 0.3, t1: 0.3 + h, times, method, interpolate: true, initialStep: h, rtol: 1, atol: 1 });
        return Math.abs((r.trajectory?.[0]?.data[0] as number) - exactGrowth(times[0] as number));
      });
      expect(Math.log2((errs[0] as number) / (errs[1] as number))).toBeGreaterThan(q + 0.5);
    });
  }

  it("integrates backwards when t1 < t0 (y' = y cos t from t = 2 back to 0)", () => {
    const r = integrate(growth, fromRows([[exactGrowth(2)]]), { t0: 2, t1: 0, rtol: 1e-10, atol: 1e-12, times: [1.5, 0.5] });
    expect(Math.abs((r.y.data[0] as number) - 1)).toBeLessThan(1e-9);
    expect(Math.abs((r.trajectory?.[0]?.data[0] as number) - exactGrowth(1.5))).toBeLessThan(1e-9);
  });

  it("fixed steps: `steps` equal steps, FSAL saving one evaluation per step, and exact landing on times", () => {
    const r = integrate(growth, fromRows([[1]]), { t1: 1, method: "rk4", steps: 10 });
    expect(r.statistics).toMatchObject({ nfe: 40, accepted: 10, rejected: 0 });
    const d5 = integrate(growth, fromRows([[1]]), { t1: 1, method: "dopri5", steps: 10 });
    expect(d5.statistics.nfe).toBe(1 + 10 * 6);
    const withTimes = integrate(growth, fromRows([[1]]), { t1: 1, method: "rk4", stepSize: 0.1, times: [0.25] });
    expect(Math.abs((withTimes.trajectory?.[0]?.data[0] as number) - exactGrowth(0.25))).toBeLessThan(1e-6);
    expect(Math.abs((r.y.data[0] as number) - exactGrowth(1))).toBeLessThan(1e-5);
  });

  it("per-sample steps: rows with different dynamics finish independently and f receives one time per row", () => {
    let sawArray = false;
    const f = (t: Time, y: Batch, out: Batch, rows?: Int32Array): void => {
      if (typeof t !== "number") sawArray = true;
      const m = y.shape[0] as number;
      for (let i = 0; i < m; i++) {
        const row = rows === undefined ? i : (rows[i] as number);
        const ti = typeof t === "number" ? t : (t[i] as number);
        out.data[i] = (row + 1) * (y.data[i] as number) * Math.cos(ti);
      }
    };
    const r = integrate(f, fromRows([[1], [1], [1]]), { t1: 2, rtol: 1e-10, atol: 1e-12, perSample: true, times: [1] });
    expect(sawArray).toBe(true);
    for (let i = 0; i < 3; i++) {
      expect(Math.abs((r.y.data[i] as number) - Math.exp((i + 1) * Math.sin(2)))).toBeLessThan(1e-8 * Math.exp((i + 1) * Math.sin(2)));
      expect(Math.abs((r.trajectory?.[0]?.data[i] as number) - Math.exp((i + 1) * Math.sin(1)))).toBeLessThan(1e-8 * 10);
    }
  });

  it("per-sample steps with dense output: each row interpolates its own steps (dop853 extra stages, tsit5)", () => {
    const times = [0.25, 1.1, 1.9];
    for (const method of ["dop853", "tsit5"] as MethodName[]) {
      const y0 = fromRows([[1], [2], [0.5]]);
      const r = integrate(growth, y0, { t1: 2, times, interpolate: true, perSample: true, method, rtol: 1e-10, atol: 1e-10 });
      times.forEach((t, k) => {
        [1, 2, 0.5].forEach((v, i) => expect(Math.abs((r.trajectory?.[k]?.data[i] as number) - exactGrowth(t, v))).toBeLessThan(1e-8));
      });
    }
  });

  it("t0 = t1 returns y0 without evaluating f", () => {
    const r = integrate(growth, fromRows([[3]]), { t0: 0.5, t1: 0.5 });
    expect(r.y.data[0]).toBe(3);
    expect(r.statistics.nfe).toBe(0);
  });

  it("does not modify y0", () => {
    const y0 = fromRows([[1, 2]]);
    integrate((_t, y, out) => { out.data.set(y.data); }, y0);
    expect(Array.from(y0.data)).toEqual([1, 2]);
  });

  it("maxSteps reached -> ConvergenceError carrying the partial time and state", () => {
    let err: unknown;
    try { integrate(growth, fromRows([[1]]), { t1: 3, rtol: 1e-12, atol: 1e-12, maxSteps: 5 }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConvergenceError);
    const partial = (err as ConvergenceError<OdePartial>).partial as OdePartial;
    expect(partial.t).toBeGreaterThan(0);
    expect(partial.t).toBeLessThan(3);
    expect(Math.abs((partial.y.data[0] as number) - exactGrowth(partial.t as number))).toBeLessThan(1e-10);
    expect(() => integrate(growth, fromRows([[1]]), { t1: 3, method: "rk4", steps: 10, maxSteps: 3 })).toThrow(ConvergenceError);
  });

  it("step size underflow -> ConvergenceError (y' = y^2 blows up at t = 1)", () => {
    const blowUp = (_t: Time, y: Batch, out: Batch): void => { out.data[0] = (y.data[0] as number) ** 2; };
    let err: unknown;
    try { integrate(blowUp, fromRows([[1]]), { t1: 2 }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConvergenceError);
    expect((err as Error).message).toMatch(/step size underflow/);
    expect(Math.abs(((err as ConvergenceError<OdePartial>).partial as OdePartial).t as number - 1)).toBeLessThan(1e-5);
  });

  it("tolerances far below the solution's scale: the initial step stays finite (a ConvergenceError naming options.rtol, not f blamed for t = NaN); y0 = 0 with atol = 1e-300 integrates", () => {
    // before: ||y0 / sc|| and ||f0 / sc|| both overflowed, h0 = Infinity / Infinity = NaN, and f was called at t = NaN
    const decay = (_t: Time, y: Batch, out: Batch): void => { out.data[0] = -(y.data[0] as number); };
    for (const method of ["dopri5", "dop853", "bosh3", "tsit5"] as const) {
      let err: unknown;
      try { integrate(decay, fromRows([[1]]), { method, rtol: 1e-300, atol: 1e-300 }); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ConvergenceError);
      expect((err as Error).message).toMatch(/options\.rtol .*step size underflow/);
      // y' = 1 - y from y0 = 0: ||f0 / atol|| overflows at the start only
      const r = integrate((_t: Time, y: Batch, out: Batch): void => { out.data[0] = 1 - (y.data[0] as number); }, fromRows([[0]]), { method, rtol: 1e-8, atol: 1e-300 });
      expect(Math.abs((r.y.data[0] as number) - (1 - Math.exp(-1)))).toBeLessThan(1e-6);
    }
  });

  it("a non-finite value of f -> NonFiniteError naming the row, step and time", () => {
    const bad = (t: Time, y: Batch, out: Batch): void => { growth(t, y, out); if ((t as number) > 0.5) out.data[1] = Number.NaN; };
    expect(() => integrate(bad, fromRows([[1], [1]]))).toThrow(NonFiniteError);
    expect(() => integrate(bad, fromRows([[1], [1]]))).toThrow(/NaN at row 1, column 0, in step \d+ at t = 0\.[5-9]/);
  });

  it("bad input -> typed errors", () => {
    expect(() => integrate(growth, ndarray(new Float64Array(3), [3]) as unknown as Batch)).toThrow(ShapeError);
    expect(() => integrate(growth, fromRows([[Number.NaN]]))).toThrow(NonFiniteError);
    expect(() => integrate(growth, fromRows([[1]]), { rtol: 0 })).toThrow(DomainError);
    expect(() => integrate(growth, fromRows([[1]]), { atol: -1 })).toThrow(DomainError);
    expect(() => integrate(growth, fromRows([[1]]), { times: [1.5] })).toThrow(DomainError);
    expect(() => integrate(growth, fromRows([[1]]), { times: [0.5, 0.2] })).toThrow(DomainError);
    expect(() => integrate(growth, fromRows([[1]]), { method: "rk4" })).toThrow(DomainError);
    expect(() => integrate(growth, fromRows([[1]]), { steps: 4, stepSize: 0.1 })).toThrow(DomainError);
    expect(() => integrate(growth, fromRows([[1]]), { steps: 0 })).toThrow(DomainError);
    expect(() => integrate(growth, fromRows([[1]]), { t1: Number.POSITIVE_INFINITY })).toThrow(NonFiniteError);
    expect(() => integrate(growth, fromRows([[1]]), { controller: { beta: 0.5 } })).toThrow(DomainError);
    expect(() => integrate("f" as unknown as typeof growth, zeros(1, 1))).toThrow(DomainError);
  });
});

describe("error messages name what the caller wrote", () => {
  const field = { dim: 2, evaluate: (x: Batch, _t: Time, out: Batch = zeros(x.shape[0] as number, 2)) => out };
  it("sample() calls its initial state x0 and integrate() y0; an unknown method is the option options.method", async () => {
    const { sample } = await import("../../src/solvers/sample.js");
    expect(() => sample(field, fromRows([[0, 0, 0]]))).toThrow(/^sample\(\): x0 /);
    expect(() => integrate((_t, _y, out) => out, ndarray(new Float64Array(2), [1, 2, 3]))).toThrow(/^integrate\(\): y0 /);
    expect(() => sample(field, fromRows([[0, 0]]), { method: "dopri" as MethodName })).toThrow(/^sample\(\): options\.method must be one of euler, .*dop853, got "dopri"$/);
    expect(() => integrate((_t, _y, out) => out, fromRows([[0]]), { method: 5 as unknown as MethodName })).toThrow(DomainError);
  });
});

describe("adaptive steps after landing on an output time", () => {
  const decay = (_t: Time, y: Batch, out: Batch): void => { for (let i = 0; i < y.data.length; i++) out.data[i] = -(y.data[i] as number); };

  it("two output times an ulp apart cost one short step: the step after it resumes from the proposal (every method, both directions)", () => {
    for (const method of ["dopri5", "tsit5", "dop853", "bosh3"] as const) {
      const base = integrate(decay, fromRows([[1]]), { method, times: [0.9] });
      const r = integrate(decay, fromRows([[1]]), { method, times: [0.9, 0.9 + 2 ** -52] });
      expect(r.y.data[0]).toBeCloseTo(Math.exp(-1), 5);
      expect(r.trajectory?.[1]?.data[0]).toBeCloseTo(Math.exp(-0.9), 5);
      // one short step and its stages more, not a collapse of the step size (44 -> 134 evaluations before)
      expect(r.statistics.nfe).toBeLessThanOrEqual(base.statistics.nfe + 13);
    }
    const back = integrate(decay, fromRows([[1]]), { t0: 1, t1: 0, times: [1 - 2 ** -53, 0.5] });
    expect(back.y.data[0]).toBeCloseTo(Math.E, 6);
    const perRow = integrate(decay, fromRows([[1], [2]]), { perSample: true, times: [0.6, 0.6 + 2 ** -52, 0.8] });
    expect(perRow.y.data[1]).toBeCloseTo(2 * Math.exp(-1), 6);
  });

  it("an interval shorter than the step-size floor 10 eps |t| is one landing step, as fixed steps solve it", () => {
    const r = integrate(decay, fromRows([[1]]), { t0: 1e6, t1: 1e6 + 1e-9 });
    const fixed = integrate(decay, fromRows([[1]]), { t0: 1e6, t1: 1e6 + 1e-9, method: "rk4", steps: 1 });
    expect(r.y.data[0]).toBeCloseTo(fixed.y.data[0] as number, 15);
    expect(r.statistics.accepted).toBe(1);
  });

  it("a state of width 0 has nothing to integrate: no evaluations, an empty result", () => {
    const r = integrate(decay, ndarray(new Float64Array(0), [3, 0]) as unknown as Batch, { times: [0.5] });
    expect(r.y.shape).toEqual([3, 0]);
    expect(r.statistics.nfe).toBe(0);
    expect(r.trajectory?.[0]?.shape).toEqual([3, 0]);
  });
});

describe("malformed options are typed errors naming the option", () => {
  it("times and timeGrid whose length is not a count (1e12, -1, Infinity, NaN) are DomainErrors, not RangeErrors or an empty list", () => {
    for (const length of [1e12, -1, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(() => integrate(growth, fromRows([[1]]), { times: { length } as ArrayLike<number> })).toThrow(/^integrate\(\): options\.times/);
      expect(() => integrate(growth, fromRows([[1]]), { times: { length } as ArrayLike<number> })).toThrow(DomainError);
      expect(() => integrate(growth, fromRows([[1]]), { timeGrid: { length } as ArrayLike<number> })).toThrow(/^integrate\(\): options\.timeGrid/);
      expect(() => integrate(growth, fromRows([[1]]), { timeGrid: { length } as ArrayLike<number> })).toThrow(DomainError);
    }
  });

  it("an interval whose length overflows names options.timeGrid or options.t1, not f", () => {
    expect(() => integrate(growth, fromRows([[1]]), { timeGrid: [-1.7e308, 1.7e308] })).toThrow(/^integrate\(\): options\.timeGrid\[1\] must be within a finite distance/);
    expect(() => integrate(growth, fromRows([[1]]), { timeGrid: [-1.7e308, 0, 1.7e308] })).toThrow(/^integrate\(\): options\.timeGrid must span a finite interval/);
    expect(() => integrate(growth, fromRows([[1]]), { t0: -1.7e308, t1: 1.7e308 })).toThrow(/^integrate\(\): options\.t1 must be within a finite distance/);
    expect(() => integrate(growth, fromRows([[1]]), { t0: -1.7e308, t1: 1.7e308, method: "euler", steps: 2 })).toThrow(DomainError);
  });

  it("a controller that is not an object and flags that are not booleans are DomainErrors, not silently the defaults", () => {
    const cases: [string, unknown][] = [["controller", "x"], ["controller", null], ["interpolate", "yes"], ["perSample", 1], ["returnIntermediates", "yes"]];
    for (const [key, value] of cases) {
      expect(() => integrate(growth, fromRows([[1]]), { times: [0.5], [key]: value })).toThrow(DomainError);
      expect(() => integrate(growth, fromRows([[1]]), { times: [0.5], [key]: value })).toThrow(new RegExp(`^integrate\\(\\): options\\.${key} must be`));
    }
  });
});

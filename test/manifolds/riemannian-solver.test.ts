import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { fromRows } from "../../src/core/batch.js";
import type { Batch } from "../../src/core/batch.js";
import { DomainError, ShapeError } from "../../src/core/errors.js";
import type { VelocityField } from "../../src/core/interfaces.js";
import type { Time } from "../../src/core/time.js";
import { riemannianSample, sphere, torus, type RiemannianMethod, type RiemannianUpdate, Manifold } from "../../src/manifolds/index.js";

/**
 * Rotation about the z axis at angular speed 1 + t, plus a radial component 5 x that is not
 * tangent (the solver must project it away). Exact flow: rotation by (t1 - t0) + (t1^2 - t0^2) / 2.
 */
const rotation: VelocityField = {
  dim: 3,
  evaluate(x: Batch, t: Time): Batch {
    const n = x.shape[0]!;
    const out = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) {
      const w = 1 + (typeof t === "number" ? t : t[i]!);
      const [a, b, c] = [x.data[3 * i]!, x.data[3 * i + 1]!, x.data[3 * i + 2]!];
      out[3 * i] = -w * b + 5 * a;
      out[3 * i + 1] = w * a + 5 * b;
      out[3 * i + 2] = 5 * c;
    }
    return ndarray(out, [n, 3]);
  },
};
const start = [0.6, 0, 0.8];
const exact = (t0: number, t1: number) => {
  const th = t1 - t0 + (t1 * t1 - t0 * t0) / 2;
  return [0.6 * Math.cos(th), 0.6 * Math.sin(th), 0.8];
};
const err = (a: ArrayLike<number>, b: number[]) => Math.max(...b.map((v, j) => Math.abs(v - a[j]!)));

function order(method: RiemannianMethod, update: RiemannianUpdate): number {
  const e = [8, 16].map((steps) => err(riemannianSample(rotation, sphere(3), fromRows([start]), { method, steps, update, t0: 0, t1: 2 }).x.data, exact(0, 2)));
  return Math.log2(e[0]! / e[1]!);
}

describe("riemannianSample", () => {
  it("projection update keeps the classical orders: euler 1, midpoint 2, rk4 4 (observed order within 0.3)", () => {
    expect(Math.abs(order("euler", "projection") - 1)).toBeLessThan(0.3);
    expect(Math.abs(order("midpoint", "projection") - 2)).toBeLessThan(0.3);
    expect(Math.abs(order("rk4", "projection") - 4)).toBeLessThan(0.3);
  });

  it("expmap update: euler is order 1, midpoint order 2, rk4 at least order 2", () => {
    expect(Math.abs(order("euler", "expmap") - 1)).toBeLessThan(0.3);
    expect(Math.abs(order("midpoint", "expmap") - 2)).toBeLessThan(0.3);
    expect(order("rk4", "expmap")).toBeGreaterThan(1.7);
  });

  it("samples stay on the sphere (|x| = 1 to 1e-12) for every method and update, many rows", () => {
    const rows = Array.from({ length: 50 }, (_, i) => [Math.cos(i), Math.sin(i) * Math.cos(3 * i), Math.sin(i) * Math.sin(3 * i)]);
    for (const method of ["euler", "midpoint", "rk4"] as const) {
      for (const update of ["projection", "expmap"] as const) {
        const { x, nfe, steps } = riemannianSample(rotation, sphere(3), fromRows(rows), { method, update, steps: 37 });
        expect(steps).toBe(37);
        expect(nfe).toBe(37 * { euler: 1, midpoint: 2, rk4: 4 }[method]);
        for (let i = 0; i < 50; i++) expect(Math.abs(Math.hypot(...x.data.subarray(3 * i, 3 * i + 3)) - 1)).toBeLessThan(1e-12);
      }
    }
  });

  it("honours a grid that starts at 0.5 (unlike the Python anchor) and runs backward to its start", () => {
    const fwd = riemannianSample(rotation, sphere(3), fromRows([start]), { grid: [0.5, 0.7, 1] , method: "rk4" });
    const ref = riemannianSample(rotation, sphere(3), fromRows([start]), { t0: 0.5, t1: 1, steps: 200 });
    expect(err(ref.x.data, exact(0.5, 1))).toBeLessThan(1e-10);
    expect(err(fwd.x.data, exact(0.5, 1))).toBeLessThan(1e-3);
    const back = riemannianSample(rotation, sphere(3), ref.x, { t0: 1, t1: 0.5, steps: 200 });
    expect(err(back.x.data, start)).toBeLessThan(1e-10);
    const backGrid = riemannianSample(rotation, sphere(3), ref.x, { grid: Array.from({ length: 201 }, (_, i) => 1 - i / 400) });
    expect(err(backGrid.x.data, start)).toBeLessThan(1e-10);
  });

  it("on the torus a constant field gives x0 + c t mod 2 pi", () => {
    const field: VelocityField = { dim: 2, evaluate: (x) => ndarray(new Float64Array(x.shape[0]! * 2).map((_, j) => (j % 2 === 0 ? 3 : -1)), [x.shape[0]!, 2]) };
    const { x } = riemannianSample(field, torus(2), fromRows([[6, 0.5]]), { method: "euler", steps: 10, t1: 1 });
    expect(x.data[0]).toBeCloseTo(9 - 2 * Math.PI, 12);
    expect(x.data[1]).toBeCloseTo(0.5 - 1 + 2 * Math.PI, 12);
  });

  it("bad input throws typed errors", () => {
    const s = sphere(3);
    const x = fromRows([start]);
    expect(() => riemannianSample({ ...rotation, dim: 2 }, s, x)).toThrow(ShapeError);
    expect(() => riemannianSample(rotation, s, fromRows([[1, 0]]))).toThrow(ShapeError);
    expect(() => riemannianSample(rotation, s, x, { method: "rk45" as RiemannianMethod })).toThrow(DomainError);
    expect(() => riemannianSample(rotation, s, x, { update: "retract" as RiemannianUpdate })).toThrow(DomainError);
    expect(() => riemannianSample(rotation, s, x, { grid: [0, 0.5, 0.4] })).toThrow(DomainError);
    expect(() => riemannianSample(rotation, s, x, { grid: [0] })).toThrow(DomainError);
    expect(() => riemannianSample(rotation, s, x, { grid: [0, Number.NaN] })).toThrow(Error);
    expect(() => riemannianSample(rotation, s, x, { steps: 0 })).toThrow(DomainError);
    expect(() => riemannianSample(rotation, s, x, { t0: 1, t1: 1 })).toThrow(DomainError);
    expect(() => riemannianSample(rotation, {} as Manifold, x)).toThrow(DomainError);
    expect(() => riemannianSample({} as VelocityField, s, x)).toThrow(DomainError);
    const bad: VelocityField = { dim: 3, evaluate: () => fromRows([[1, 2]]) };
    expect(() => riemannianSample(bad, s, x, { steps: 1 })).toThrow(ShapeError);
  });

  it("a grid that is not an array or whose steps overflow is a DomainError naming the option; a step the sphere cannot take names riemannianSample", () => {
    // before: grid null was a raw TypeError, a string grid was read character by character, a step of
    // 3.4e308 or a step onto the origin was reported as "projx(): x must ..."
    const s2 = sphere(2);
    const rotate: VelocityField = { dim: 2, evaluate: (x: Batch) => fromRows([[-(x.data[1] as number), x.data[0] as number]]) };
    const x = fromRows([[1, 0]]);
    expect(() => riemannianSample(rotate, s2, x, { grid: null as never })).toThrow(DomainError);
    expect(() => riemannianSample(rotate, s2, x, { grid: null as never })).toThrow(/^riemannianSample\(\): options\.grid must be an array of times, got null$/);
    expect(() => riemannianSample(rotate, s2, x, { grid: "01" as never })).toThrow(DomainError);
    expect(() => riemannianSample(rotate, s2, x, { grid: [-1.7e308, 1.7e308] })).toThrow(/^riemannianSample\(\): options\.grid must have steps within the float64 range/);
    expect(() => riemannianSample(rotate, s2, x, { t0: -1.7e308, t1: 1.7e308, steps: 1 })).toThrow(/^riemannianSample\(\): options\.t1 must be within the float64 range/);
    expect(() => riemannianSample(rotate, s2, x, { steps: 2, returnIntermediates: "yes" as never })).toThrow(DomainError);
    expect(() => riemannianSample(rotate, s2, fromRows([[0, 0]]))).toThrow(/^riemannianSample\(\): x0 must have nonzero rows/);
    const huge: VelocityField = { dim: 2, evaluate: () => fromRows([[0, 1e308]]) };
    expect(() => riemannianSample(huge, s2, x, { steps: 2 })).toThrow(DomainError);
    expect(() => riemannianSample(huge, s2, x, { steps: 2 })).toThrow(/^riemannianSample\(\): x \(step 1 of 2, from t = 0; take more steps or rescale the field\) must have nonzero rows/);
  });
});

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fromRows } from "../../src/core/batch.js";
import { DomainError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import type { Scheduler } from "../../src/core/interfaces.js";
import { geodesicPath, sphere, torus, product, euclidean, GeodesicPath, Manifold } from "../../src/manifolds/index.js";
import { condOT, smoothstep } from "./helpers.js";

const unit = (d: number) =>
  fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: d, maxLength: d })
    .filter((v) => Math.hypot(...v) > 1e-2).map((v) => { const r = Math.hypot(...v); return v.map((a) => a / r); });
const angles = (d: number) => fc.array(fc.double({ min: 0, max: 2 * Math.PI, maxExcluded: true, noNaN: true }), { minLength: d, maxLength: d });
/** Wrapped difference for torus columns, plain difference elsewhere. */
const diff = (a: number, b: number, wrapped: boolean) => {
  if (!wrapped) return a - b;
  const e = (a - b) % (2 * Math.PI);
  return e > Math.PI ? e - 2 * Math.PI : e < -Math.PI ? e + 2 * Math.PI : e;
};

const m = product(sphere(3), torus(2), euclidean(1));
const wrappedColumn = [false, false, false, true, true, false];
const point = fc.tuple(unit(3), angles(2), fc.double({ min: -5, max: 5, noNaN: true })).map(([s, t, e]) => [...s, ...t, e]);

describe("geodesicPath", () => {
  it("endpoints are exact: x_t = x0 at t = 0 and x_t = x1 at t = 1, bit for bit", () => {
    fc.assert(fc.property(point, point, (a, b) => {
      for (const sch of [condOT, smoothstep]) {
        const path = geodesicPath(sch, m);
        const s = path.sample(fromRows([a, b]), fromRows([b, a]), new Float64Array([0, 1]));
        expect(Array.from(s.xt.data)).toEqual([...a, ...a]);
      }
    }), { seed: 42, numRuns: 100 });
  });

  it("dx_t agrees with a central finite difference of x_t (h = 1e-5, tolerance 1e-7)", () => {
    fc.assert(fc.property(point, point, fc.double({ min: 0.05, max: 0.95, noNaN: true }), (a, b, t) => {
      // stay away from the cut locus, where the finite difference is taken across a jump
      fc.pre(sphere(3).dist(fromRows([a.slice(0, 3)]), fromRows([b.slice(0, 3)]))[0]! < 3);
      const path = geodesicPath(smoothstep, m);
      const x0 = fromRows([a, a, a]);
      const x1 = fromRows([b, b, b]);
      const h = 1e-5;
      const s = path.sample(x0, x1, new Float64Array([t - h, t, t + h]));
      for (let j = 0; j < 6; j++) {
        const fd = diff(s.xt.get(2, j), s.xt.get(0, j), wrappedColumn[j]!) / (2 * h);
        expect(Math.abs(fd - s.dxt.get(1, j))).toBeLessThan(1e-7);
      }
    }), { seed: 42, numRuns: 100 });
  });

  it("x_t stays on the sphere, dx_t is tangent at x_t, and d(x0, x_t) = kappa_t d(x0, x1)", () => {
    const s3 = sphere(3);
    const path = geodesicPath(smoothstep, s3);
    fc.assert(fc.property(unit(3), unit(3), fc.double({ min: 0, max: 1, noNaN: true }), (a, b, t) => {
      const x0 = fromRows([a]);
      const x1 = fromRows([b]);
      const s = path.sample(x0, x1, t);
      const xt = Array.from(s.xt.data);
      expect(Math.abs(Math.hypot(...xt) - 1)).toBeLessThan(1e-15);
      expect(Math.abs(xt.reduce((acc, v, j) => acc + v * s.dxt.data[j]!, 0))).toBeLessThan(1e-12);
      const kappa = smoothstep.at(t).alpha;
      expect(Math.abs(s3.dist(x0, s.xt)[0]! - kappa * s3.dist(x0, x1)[0]!)).toBeLessThan(1e-12);
    }), { seed: 42, numRuns: 100 });
  });

  it("the velocity stays finite at kappa = 1: on a great circle at unit speed, |dx_1| = d(x0, x1) and dx_1 is tangent at x1", () => {
    const path = geodesicPath(condOT, sphere(3));
    const s = path.sample(fromRows([[1, 0, 0]]), fromRows([[0, 1, 0]]), 1);
    // gamma'(1) at x1 = e2 points away from e1: (-pi/2, 0, 0)
    expect(s.dxt.data[0]).toBeCloseTo(-Math.PI / 2, 14);
    expect(Math.abs(s.dxt.data[1]!)).toBeLessThan(1e-15);
    expect(Array.from(s.t)).toEqual([1]);
  });

  it("torus paths take the short way round", () => {
    const path = geodesicPath(condOT, torus(1));
    const s = path.sample(fromRows([[6]]), fromRows([[0.5]]), 0.5);
    expect(s.dxt.data[0]).toBeCloseTo(0.5 + 2 * Math.PI - 6, 14);
    expect(s.xt.data[0]).toBeCloseTo((6 + (0.5 + 2 * Math.PI - 6) / 2) % (2 * Math.PI), 14);
  });

  it("bad input throws typed errors", () => {
    const vp: Scheduler = { name: "vp", at: (t) => ({ alpha: Math.sin(t), sigma: Math.cos(t), dAlpha: Math.cos(t), dSigma: -Math.sin(t) }) };
    expect(() => geodesicPath(vp, sphere(3)).sample(fromRows([[1, 0, 0]]), fromRows([[0, 1, 0]]), 0.5)).toThrow(DomainError);
    const path = geodesicPath(condOT, sphere(3));
    expect(() => path.sample(fromRows([[1, 0, 0]]), fromRows([[0, 1, 0]]), 1.5)).toThrow(DomainError);
    expect(() => path.sample(fromRows([[1, 0, 0]]), fromRows([[0, 1]]), 0.5)).toThrow(ShapeError);
    expect(() => path.sample(fromRows([[1, 0, 0]]), fromRows([[0, 1, 0]]), new Float64Array(2))).toThrow(ShapeError);
    expect(() => geodesicPath(condOT, {} as unknown as Manifold)).toThrow(DomainError);
    expect(() => new GeodesicPath(null as unknown as Scheduler, sphere(3))).toThrow(DomainError);
  });

  it("the manifold's errors name GeodesicPath.sample and its arguments: a zero row of a sphere, an overflow", () => {
    // before: "logmap(): x must have nonzero rows ..." and "Manifold.logRow(): out must be finite ..."
    const path = geodesicPath(condOT, sphere(3));
    expect(() => path.sample(fromRows([[0, 0, 0]]), fromRows([[1, 0, 0]]), 0.5)).toThrow(DomainError);
    expect(() => path.sample(fromRows([[0, 0, 0]]), fromRows([[1, 0, 0]]), 0.5)).toThrow(/^GeodesicPath\.sample\(\): x0 must have nonzero rows \(points on the sphere\), got a zero row$/);
    expect(() => path.sample(fromRows([[1, 0, 0]]), fromRows([[0, 0, 0]]), 0.5)).toThrow(/^GeodesicPath\.sample\(\): x1 must have nonzero rows/);
    const flat = geodesicPath(condOT, euclidean(1));
    expect(() => flat.sample(fromRows([[1.7e308]]), fromRows([[-1.7e308]]), 0.5)).toThrow(NonFiniteError);
    expect(() => flat.sample(fromRows([[1.7e308]]), fromRows([[-1.7e308]]), 0.5)).toThrow(/^GeodesicPath\.sample\(\): /);
  });
});

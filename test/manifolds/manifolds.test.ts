import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fromRows, fromData, toRows } from "../../src/core/batch.js";
import { DomainError, ShapeError, NonFiniteError } from "../../src/core/errors.js";
import { euclidean, sphere, torus, product, Manifold } from "../../src/manifolds/index.js";

const vec = (d: number) => fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: d, maxLength: d });
const unit = (d: number) =>
  vec(d).filter((v) => Math.hypot(...v) > 1e-3).map((v) => { const r = Math.hypot(...v); return v.map((a) => a / r); });
const angles = (d: number) => fc.array(fc.double({ min: 0, max: 2 * Math.PI, maxExcluded: true, noNaN: true }), { minLength: d, maxLength: d });

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}
/** Largest wrapped angular difference. */
function maxAngle(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs((a[i] as number) - (b[i] as number)) % (2 * Math.PI);
    m = Math.max(m, Math.min(e, 2 * Math.PI - e));
  }
  return m;
}

describe("sphere", () => {
  it("expmap(x, logmap(x, y)) = y to 1e-12 for random points, including near-antipodal and nearly equal pairs", () => {
    const s = sphere(4);
    const pair = fc.oneof(
      fc.tuple(unit(4), unit(4)),
      // y = -x + tiny perturbation (near antipodal) and y = x + tiny perturbation (near zero angle)
      fc.tuple(unit(4), vec(4), fc.double({ min: 1e-12, max: 1e-4, noNaN: true }), fc.boolean()).map(([x, e, eps, anti]) => {
        const y = x.map((a, j) => (anti ? -a : a) + eps * (e[j] as number));
        const r = Math.hypot(...y);
        return [x, y.map((a) => a / r)] as [number[], number[]];
      }),
    );
    fc.assert(fc.property(pair, ([x, y]) => {
      const X = fromRows([x]);
      const Y = fromRows([y]);
      const back = s.expmap(X, s.logmap(X, Y));
      expect(maxAbs(back.data, y)).toBeLessThan(1e-12);
      // log is tangent and its length is the distance
      const v = s.logmap(X, Y).data;
      expect(Math.abs(x.reduce((acc, a, j) => acc + a * (v[j] as number), 0))).toBeLessThan(1e-12);
      expect(Math.abs(Math.hypot(...v) - (s.dist(X, Y)[0] as number))).toBeLessThan(1e-12);
    }), { seed: 42, numRuns: 300 });
  });

  it("rows scaled by 1e300 or 1e-300 are valid points: projx, proju, logmap and dist equal those of the unscaled rows", () => {
    // before: |x|^2 overflowed to Infinity or underflowed to 0, so projx gave a zero row or refused a nonzero one
    const s = sphere(3);
    const x = [0.6, -0.8, 0], y = [0, 0.28, 0.96], u = [0.3, 0.1, -0.5];
    for (const scale of [1e300, 1e-300, 1e-160, 1e160]) {
      const X = fromRows([x.map((a) => a * scale)]), Y = fromRows([y.map((a) => a * scale)]);
      expect(maxAbs(s.projx(X).data, x)).toBeLessThan(1e-15);
      expect(maxAbs(s.logmap(X, Y).data, s.logmap(fromRows([x]), fromRows([y])).data)).toBeLessThan(1e-15);
      expect(Math.abs((s.dist(X, Y)[0] as number) - (s.dist(fromRows([x]), fromRows([y]))[0] as number))).toBeLessThan(1e-15);
      // proju(x, u) = u - (x.u / |x|^2) x does not depend on |x|
      expect(maxAbs(s.proju(X, fromRows([u])).data, s.proju(fromRows([x]), fromRows([u])).data)).toBeLessThan(1e-15);
    }
  });

  it("logmap matches the acos closed form away from 0 and pi", () => {
    const s = sphere(3);
    const x = [1, 0, 0];
    const y = [Math.cos(1), Math.sin(1), 0];
    expect(maxAbs(s.logmap(fromRows([x]), fromRows([y])).data, [0, 1, 0])).toBeLessThan(1e-15);
  });

  it("exactly antipodal logmap is a tangent vector of length pi that exp maps to -x", () => {
    const s = sphere(3);
    const X = fromRows([[0, 0.6, 0.8]]);
    const v = s.logmap(X, fromRows([[0, -0.6, -0.8]]));
    expect(Math.hypot(...v.data)).toBeCloseTo(Math.PI, 14);
    expect(Math.abs(0.6 * (v.data[1] as number) + 0.8 * (v.data[2] as number))).toBeLessThan(1e-15);
    expect(maxAbs(s.expmap(X, v).data, [0, -0.6, -0.8])).toBeLessThan(1e-15);
  });

  it("logmap(x, x) = 0 and expmap(x, 0) = x", () => {
    const s = sphere(3);
    const X = fromRows([[0.6, 0, 0.8]]);
    expect(Array.from(s.logmap(X, X).data)).toEqual([0, 0, 0]);
    expect(maxAbs(s.expmap(X, fromRows([[0, 0, 0]])).data, [0.6, 0, 0.8])).toBeLessThan(1e-16);
  });

  it("projx gives unit rows and proju gives vectors orthogonal to x (idempotent)", () => {
    fc.assert(fc.property(vec(5).filter((v) => Math.hypot(...v) > 1e-3), vec(5), (a, u) => {
      const s = sphere(5);
      const x = s.projx(fromRows([a]));
      expect(Math.abs(Math.hypot(...x.data) - 1)).toBeLessThan(1e-15);
      const p = s.proju(x, fromRows([u]));
      expect(Math.abs(Array.from(x.data).reduce((acc, xi, j) => acc + xi * (p.data[j] as number), 0))).toBeLessThan(1e-12);
      expect(maxAbs(s.proju(x, p).data, p.data)).toBeLessThan(1e-12);
    }), { seed: 42, numRuns: 100 });
  });

  it("off-sphere base points act as their projections: expmap(c x, u) = expmap(x, u) for c > 0", () => {
    const s = sphere(3);
    const u = fromRows([[0, 0.7, -0.2]]);
    const a = s.expmap(fromRows([[3, 0, 0]]), u).data;
    const b = s.expmap(fromRows([[1, 0, 0]]), u).data;
    expect(maxAbs(a, b)).toBeLessThan(1e-15);
    expect(() => s.expmap(fromRows([[0, 0, 0]]), u)).toThrow(DomainError);
  });

  it("expmap stays on the sphere for long tangent vectors", () => {
    const s = sphere(3);
    const y = s.expmap(fromRows([[1, 0, 0]]), fromRows([[0, 100, 0]]));
    expect(Math.abs(Math.hypot(...y.data) - 1)).toBeLessThan(1e-15);
    expect(maxAbs(y.data, [Math.cos(100), Math.sin(100), 0])).toBeLessThan(1e-12);
  });

  it("bad input throws typed errors", () => {
    expect(() => sphere(1)).toThrow(DomainError);
    const s = sphere(3);
    expect(() => s.projx(fromRows([[0, 0, 0]]))).toThrow(DomainError);
    expect(() => s.logmap(fromRows([[0, 0, 0]]), fromRows([[1, 0, 0]]))).toThrow(DomainError);
    expect(() => s.expmap(fromRows([[1, 0]]), fromRows([[0, 1]]))).toThrow(ShapeError);
    expect(() => s.logmap(fromRows([[1, 0, 0]]), fromRows([[1, 0, 0], [0, 1, 0]]))).toThrow(ShapeError);
    expect(() => s.dist(fromRows([[1, 0, Number.NaN]]), fromRows([[1, 0, 0]]))).toThrow(NonFiniteError);
    expect(() => s.dist(fromRows([[1, 0, 0]]), fromRows([[1, 0, 0]]), new Float64Array(2))).toThrow(ShapeError);
    expect(() => s.projx(fromRows([[1, 0, 0]]), fromRows([[1, 0]]))).toThrow(ShapeError);
  });
});

describe("sphere zero rows", () => {
  it("a zero row is a DomainError naming the method, from dist and proju as from logmap, also inside a product", () => {
    // before: dist gave "result must be finite ... (overflow; rescale the input)" (a NaN), proju returned u unchanged
    const s = sphere(3);
    const zero = fromRows([[0, 0, 0]]), e1 = fromRows([[1, 0, 0]]);
    expect(() => s.dist(zero, e1)).toThrow(DomainError);
    expect(() => s.dist(zero, e1)).toThrow(/^dist\(\): x must have nonzero rows \(points on the sphere\), got a zero row$/);
    expect(() => s.dist(e1, zero)).toThrow(/^dist\(\): y must have nonzero rows/);
    expect(() => s.proju(zero, e1)).toThrow(DomainError);
    expect(() => s.proju(zero, e1)).toThrow(/^proju\(\): x must have nonzero rows/);
    const p = product(s, torus(1));
    expect(() => p.dist(fromRows([[0, 0, 0, 0.1]]), fromRows([[1, 0, 0, 0.2]]))).toThrow(/^dist\(\): x must have nonzero rows/);
  });
});

describe("torus", () => {
  it("expmap(x, logmap(x, y)) = y to 1e-12 (mod 2 pi) and logmap lies in [-pi, pi)", () => {
    const m = torus(3);
    fc.assert(fc.property(angles(3), angles(3), (x, y) => {
      const X = fromRows([x]);
      const v = m.logmap(X, fromRows([y])).data;
      for (const a of v) expect(a >= -Math.PI && a < Math.PI).toBe(true);
      expect(maxAngle(m.expmap(X, fromRows([Array.from(v)])).data, y)).toBeLessThan(1e-12);
      expect(Math.abs(Math.hypot(...v) - (m.dist(X, fromRows([y]))[0] as number))).toBeLessThan(1e-12);
    }), { seed: 42, numRuns: 300 });
  });

  it("projx wraps angles into [0, 2 pi) and leaves in-range angles unchanged bit for bit", () => {
    const m = torus(4);
    const p = m.projx(fromRows([[-0.5, 7, 1.25, -1e-18]])).data;
    expect(p[0]).toBeCloseTo(2 * Math.PI - 0.5, 14);
    expect(p[1]).toBeCloseTo(7 - 2 * Math.PI, 14);
    expect(p[2]).toBe(1.25);
    expect(p[3]! >= 0 && p[3]! < 2 * Math.PI).toBe(true);
    expect(Array.from(m.proju(fromRows([[1, 2, 3, 4]]), fromRows([[5, 6, 7, 8]])).data)).toEqual([5, 6, 7, 8]);
    expect(m.logmap(fromRows([[0, 0, 0, 0]]), fromRows([[10, -10, Math.PI, 3 * Math.PI]])).data[0]).toBeCloseTo(10 - 4 * Math.PI, 13);
  });
});

describe("torus at the ends of the float64 range", () => {
  it("angles near ±1.7e308 are reduced mod 2 pi before they are added or subtracted: logmap, dist and expmap stay finite", () => {
    // before: y - x and x + u overflowed to ±Infinity and wrapping gave NaN ("result must be finite")
    const m = torus(1);
    const a = 1.7e308, b = -1.7e308;
    const pa = m.projx(fromRows([[a]])).data[0] as number, pb = m.projx(fromRows([[b]])).data[0] as number;
    const log = m.logmap(fromRows([[pb]]), fromRows([[pa]])).data[0] as number;
    expect(m.logmap(fromRows([[b]]), fromRows([[a]])).data[0]).toBe(log);
    expect(m.dist(fromRows([[b]]), fromRows([[a]]))[0]).toBe(Math.abs(log));
    expect(m.expmap(fromRows([[a]]), fromRows([[a]])).data[0]).toBe(m.projx(fromRows([[pa + pa]])).data[0]);
  });
});

describe("euclidean and product", () => {
  it("dist is finite where the squared distance over- or underflows (points 1e200 or 1e-170 apart); past the float64 range it is a NonFiniteError", () => {
    // before: 1e-170 apart gave 0, 1e200 apart threw "result must be finite ... (overflow; rescale the input)"
    const e = euclidean(2);
    expect(e.dist(fromRows([[1e-170, 0]]), fromRows([[0, 0]]))[0]).toBe(1e-170);
    expect(e.dist(fromRows([[1e200, 0]]), fromRows([[-1e200, 0]]))[0]).toBe(2e200);
    const rel = (a: number, b: number): number => Math.abs(a - b) / b;
    expect(rel(e.dist(fromRows([[3e-170, 0]]), fromRows([[0, 4e-170]]))[0] as number, 5e-170)).toBeLessThan(1e-15);
    expect(rel(e.dist(fromRows([[3e200, 0]]), fromRows([[0, 4e200]]))[0] as number, 5e200)).toBeLessThan(1e-15);
    expect(rel(product(euclidean(1), euclidean(1)).dist(fromRows([[3e200, 0]]), fromRows([[0, 4e200]]))[0] as number, 5e200)).toBeLessThan(1e-15);
    // ordinary distances keep their bits: sqrt of the squared distance
    const e0 = 0.7 - 0.1, e1 = -0.3 - 0.2;
    expect(e.dist(fromRows([[0.1, 0.2]]), fromRows([[0.7, -0.3]]))[0]).toBe(Math.sqrt(e0 * e0 + e1 * e1));
    expect(() => e.dist(fromRows([[1.7e308, 0]]), fromRows([[-1.7e308, 0]]))).toThrow(NonFiniteError);
  });

  it("euclidean exp/log are x + u and y - x, exactly", () => {
    const e = euclidean(2);
    expect(Array.from(e.expmap(fromRows([[1, 2]]), fromRows([[0.5, -1]])).data)).toEqual([1.5, 1]);
    expect(Array.from(e.logmap(fromRows([[1, 2]]), fromRows([[0.5, -1]])).data)).toEqual([-0.5, -3]);
    expect(Array.from(e.projx(fromRows([[3, 4]])).data)).toEqual([3, 4]);
    expect(Array.from(e.proju(fromRows([[3, 4]]), fromRows([[1, 1]])).data)).toEqual([1, 1]);
    expect(e.dist(fromRows([[0, 0]]), fromRows([[3, 4]]))[0]).toBe(5);
  });

  it("product acts factor by factor: round trip to 1e-12 and distance^2 is the sum of the factors'", () => {
    const s = sphere(3);
    const t = torus(2);
    const e = euclidean(1);
    const m = product(s, t, e);
    expect(m.dim).toBe(6);
    fc.assert(fc.property(unit(3), angles(2), vec(1), unit(3), angles(2), vec(1), (a, b, c, p, q, r) => {
      const X = fromRows([[...a, ...b, ...c]]);
      const Y = fromRows([[...p, ...q, ...r]]);
      const back = m.expmap(X, m.logmap(X, Y)).data;
      expect(maxAbs(back.subarray(0, 3), p)).toBeLessThan(1e-12);
      expect(maxAngle(back.subarray(3, 5), q)).toBeLessThan(1e-12);
      expect(maxAbs(back.subarray(5), r)).toBeLessThan(1e-12);
      const d2 = (s.dist(fromRows([a]), fromRows([p]))[0] as number) ** 2 + (t.dist(fromRows([b]), fromRows([q]))[0] as number) ** 2 + ((c[0] as number) - (r[0] as number)) ** 2;
      expect(Math.abs((m.dist(X, Y)[0] as number) ** 2 - d2)).toBeLessThan(1e-10);
    }), { seed: 42, numRuns: 200 });
    const P = m.projx(fromRows([[3, 0, 4, -1, 7, 2]])).data;
    expect(maxAbs(P.subarray(0, 3), [0.6, 0, 0.8])).toBeLessThan(1e-15);
    expect(P[3]).toBeCloseTo(2 * Math.PI - 1, 14);
    const U = m.proju(fromRows([[1, 0, 0, 1, 1, 1]]), fromRows([[5, 6, 7, 8, 9, 10]])).data;
    expect(Array.from(U)).toEqual([0, 6, 7, 8, 9, 10]);
  });

  it("batched methods handle many rows and write to out", () => {
    const s = sphere(3);
    const x = fromData([1, 0, 0, 0, 1, 0], [2, 3]);
    const y = fromData([0, 1, 0, 0, 0, 1], [2, 3]);
    const out = fromData(new Float64Array(6), [2, 3]);
    expect(s.logmap(x, y, out)).toBe(out);
    expect(toRows(out).map((r) => r.map((v) => Number(v.toFixed(12))))).toEqual([[0, Math.PI / 2, 0].map((v) => Number(v.toFixed(12))), [0, 0, Number((Math.PI / 2).toFixed(12))]]);
  });

  it("bad input throws typed errors", () => {
    expect(() => product()).toThrow(DomainError);
    expect(() => product({} as unknown as Manifold)).toThrow(DomainError);
    expect(() => torus(0)).toThrow(DomainError);
    expect(() => euclidean(1.5)).toThrow(DomainError);
  });
});

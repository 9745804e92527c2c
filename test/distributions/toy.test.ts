import { describe, expect, it } from "vitest";
import { Random, checkerboard, circles, empirical, fromRows, moons, spirals, swissRoll, toRows, uniformBox, ShapeError, DomainError } from "../../src/index.js";
import { grid2d, integrate2d } from "../helpers/grid.js";

describe("2-D toy sets", () => {
  it("checkerboard samples fall only on its support, cover all 8 squares evenly, and the density integrates to 1", () => {
    const cb = checkerboard();
    const n = 16_000;
    const x = cb.sample(n, new Random(1));
    const lp = cb.logProb(x);
    expect(lp.every((v) => v === -Math.log(8))).toBe(true);
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const key = `${Math.floor(x.data[2 * i]!)},${Math.floor(x.data[2 * i + 1]!)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(8);
    for (const c of counts.values()) expect(Math.abs(c / n - 1 / 8)).toBeLessThan(4 * Math.sqrt((1 / 8) * (7 / 8) / n));
    expect(integrate2d((p) => cb.logProb(p), -3, 3, 600)).toBeCloseTo(1, 12);
    const scaled = checkerboard({ side: 0.5 });
    expect(integrate2d((p) => scaled.logProb(p), -3, 3, 600)).toBeCloseTo(1, 12);
    // the white squares and the outside carry no mass
    expect(cb.logProb(fromRows([[0.5, -0.5], [-0.5, 0.5], [2.5, 0.5]]))).toEqual(new Float64Array([-Infinity, -Infinity, -Infinity]));
  });

  it("moons with zero noise lies exactly on the two scaled half circles", () => {
    const x = toRows(moons({ noise: 0, scale: 1, shift: 0 }).sample(500, new Random(2)));
    for (const [a, b] of x) {
      const upper = Math.abs(Math.hypot(a!, b!) - 1) < 1e-12 && b! >= -1e-12;
      const lower = Math.abs(Math.hypot(a! - 1, b! - 0.5) - 1) < 1e-12 && b! <= 0.5 + 1e-12;
      expect(upper || lower).toBe(true);
    }
    const y = toRows(moons().sample(2000, new Random(3)));
    const meanX = y.reduce((s, r) => s + r[0]!, 0) / y.length;
    // E[x] = (0 + 1)/2 scaled by 3 and shifted by -1 => 0.5
    expect(Math.abs(meanX - 0.5)).toBeLessThan(0.15);
  });

  it("circles, spirals and swiss roll with zero noise lie on their curves", () => {
    for (const [a, b] of toRows(circles({ noise: 0, radius: 2, factor: 0.25 }).sample(300, new Random(4)))) {
      const r = Math.hypot(a!, b!);
      expect(Math.abs(r - 2) < 1e-12 || Math.abs(r - 0.5) < 1e-12).toBe(true);
    }
    for (const [a, b] of toRows(spirals({ noise: 0, radius: 4, halfTurns: 3 }).sample(300, new Random(5)))) {
      const r = Math.hypot(a!, b!);
      const angle = (r / 4) * 3 * Math.PI;
      const onArm = [0, Math.PI].some((phase) => Math.hypot(a! - r * Math.cos(angle + phase), b! - r * Math.sin(angle + phase)) < 1e-9);
      expect(onArm).toBe(true);
    }
    for (const [a, b] of toRows(swissRoll({ noise: 0, scaleDown: 1 }).sample(300, new Random(6)))) {
      const r = Math.hypot(a!, b!);
      expect(r).toBeGreaterThanOrEqual(1.5 * Math.PI - 1e-9);
      expect(r).toBeLessThanOrEqual(4.5 * Math.PI + 1e-9);
      // the point is (a cos a, a sin a) with a = r
      expect(Math.hypot(a! - r * Math.cos(r), b! - r * Math.sin(r))).toBeLessThan(1e-9);
    }
  });

  it("uniform box samples stay inside and its density integrates to 1", () => {
    const u = uniformBox({ low: [-1, 0], high: [1, 0.5] });
    const x = u.sample(1000, new Random(7));
    expect(u.logProb(x).every((v) => v === -Math.log(2 * 0.5))).toBe(true);
    expect(integrate2d((p) => u.logProb(p), -2, 2, 400)).toBeCloseTo(1, 12);
    expect(() => uniformBox({ low: [0, 0], high: [1, 0] })).toThrow(/high\[1\] must be > low\[1\] = 0, got 0/);
    expect(() => uniformBox({ low: [0], high: [1, 2] })).toThrow(ShapeError);
    expect(() => uniformBox({ low: [], high: [] })).toThrow(ShapeError);
  });

  it("empirical sampling: with replacement draws data rows uniformly; without replacement draws distinct rows", () => {
    const data = fromRows([[0, 0], [1, 1], [2, 2], [3, 3]]);
    const e = empirical(data);
    const n = 20_000;
    const { x, indices } = e.sampleWithIndices(n, new Random(8));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      counts[indices[i]!]!++;
      expect(x.data[2 * i]).toBe(indices[i]);
    }
    for (const c of counts) expect(Math.abs(c / n - 0.25)).toBeLessThan(4 * Math.sqrt(0.1875 / n));
    const noRep = empirical(data, { replace: false });
    const rows = toRows(noRep.sample(4, new Random(9))).map((r) => r[0]).sort();
    expect(rows).toEqual([0, 1, 2, 3]);
    expect(() => noRep.sample(5, new Random(0))).toThrow(/n must be <= the data set size 4 without replacement, got 5/);
    // the data set is copied: mutating the input does not change the distribution
    data.data[0] = 100;
    expect(e.data.data[0]).toBe(0);
  });

  it("rejects an empty data set, non-finite data and bad toy parameters", () => {
    expect(() => empirical(fromRows([], 2))).toThrow(/empirical\(\): data must have at least one row/);
    expect(() => empirical(fromRows([[Number.NaN]]))).toThrow(/empirical\(\): data/);
    expect(() => moons({ noise: -0.1 })).toThrow(/moons\(\): noise must be >= 0/);
    expect(() => circles({ factor: 2 })).toThrow(/circles\(\): factor must be in/);
    expect(() => spirals({ radius: 0 })).toThrow(DomainError);
    expect(() => swissRoll({ scaleDown: Number.NaN })).toThrow(/swissRoll\(\): scaleDown/);
    expect(() => checkerboard({ side: -1 })).toThrow(DomainError);
    expect(() => moons().sample(-1, new Random(0))).toThrow(/moons.sample\(\): n must be/);
    expect(grid2d(0, 1, 2).area).toBe(0.25);
  });
});

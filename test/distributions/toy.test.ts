import { describe, expect, it } from "vitest";
import { Random, checkerboard, circles, empirical, fromRows, moons, spirals, swissRoll, toRows, uniformBox, ShapeError, DomainError, NonFiniteError } from "../../src/index.js";
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

  it("uniform box: a side wider than the largest double keeps a finite log density and its samples; a side one ulp wide keeps samples inside", () => {
    // before: logProb -Infinity and sample threw a NonFiniteError about hi - lo; the narrow box sampled its upper corner (density -Infinity)
    const wide = uniformBox({ low: [-1e308], high: [1e308] });
    expect(wide.logProb(fromRows([[0]]))[0]).toBeCloseTo(-(Math.log(1e308) + Math.LN2), 12);
    const w = wide.sample(200, new Random(1));
    expect(wide.logProb(w).every((v) => v === wide.logProb(fromRows([[0]]))[0])).toBe(true);
    const narrow = uniformBox({ low: [1], high: [1 + 2 ** -52] });
    expect(narrow.logProb(narrow.sample(200, new Random(2))).every((v) => v === -Math.log(2 ** -52))).toBe(true);
  });

  it("checkerboard: the log density -ln 8 - 2 ln side is finite for any side, and a board past the largest double is rejected", () => {
    // before: side 1e200 gave -Infinity, side 1e-300 +Infinity (8 side^2 overflowed or underflowed)
    expect(checkerboard({ side: 1e200 }).logProb(fromRows([[5e199, 5e199]]))[0]).toBeCloseTo(-Math.log(8) - 2 * Math.log(1e200), 10);
    expect(checkerboard({ side: 1e-300 }).logProb(fromRows([[5e-301, 5e-301]]))[0]).toBeCloseTo(-Math.log(8) - 2 * Math.log(1e-300), 10);
    expect(checkerboard({ side: 2 }).logProb(fromRows([[0.5, 0.5]]))[0]).toBe(-Math.log(32));
    // before: samples overflowed to -Infinity at the board's corner -2 side
    expect(() => checkerboard({ side: 1e308 })).toThrow(NonFiniteError);
    const big = checkerboard({ side: 8e307 });
    expect(big.sample(100, new Random(3)).data.every(Number.isFinite)).toBe(true);
  });

  it("spirals with a radius near the largest double stay on their arms; halfTurns whose angle overflows is rejected", () => {
    // before: radius 1e308 gave +-Infinity (radius * a overflowed), halfTurns 1e308 all NaN
    for (const [a, b] of toRows(spirals({ noise: 0, radius: 1e308 }).sample(100, new Random(4)))) {
      expect(Number.isFinite(a!) && Number.isFinite(b!)).toBe(true);
      expect(Math.hypot(a! / 1e308, b! / 1e308)).toBeLessThanOrEqual(1 + 1e-12);
    }
    expect(() => spirals({ halfTurns: 1e308 })).toThrow(/spirals\(\): halfTurns must be <=/);
  });

  it("toy samplers whose draws overflow throw a NonFiniteError naming the sampler and its options", () => {
    // before: +-Infinity entries were returned
    expect(() => moons({ noise: 1e308 }).sample(64, new Random(1))).toThrow(/moons.sample\(\): noise, scale, shift must give finite samples/);
    expect(() => circles({ noise: 1e308 }).sample(64, new Random(1))).toThrow(/circles.sample\(\): radius, noise/);
    expect(() => swissRoll({ scaleDown: 1e-320 }).sample(4, new Random(1))).toThrow(/swissRoll.sample\(\): scaleDown, noise/);
  });

  it("empirical rejects a replace option that is not a boolean", () => {
    // before: "no" sampled with replacement and 0 without, silently
    const data = fromRows([[1], [2]]);
    expect(() => empirical(data, { replace: "no" as never })).toThrow(/empirical\(\): replace must be a boolean, got "no"/);
    expect(() => empirical(data, { replace: 0 as never })).toThrow(DomainError);
  });
});

import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { DomainError, NonFiniteError, Random, createRandom } from "../../src/index.js";
import { ksStatistic, normalCdf } from "../helpers/stats.js";

describe("Random", () => {
  it("a seed reproduces the same stream, and different seeds differ", () => {
    const a = new Random(42), b = createRandom(42), c = new Random(43);
    const xs = Array.from({ length: 100 }, () => a.uniform());
    expect(Array.from({ length: 100 }, () => b.uniform())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.uniform())).not.toEqual(xs);
  });

  it("the first draws for seed 42 are pinned (catches any change of the stream across releases and platforms)", () => {
    const r = new Random(42);
    const u = [r.nextUint32(), r.nextUint32(), r.nextUint32()];
    expect(u).toMatchSnapshot();
    const n = new Random(42).normalBatch(1, 4).data;
    expect(Array.from(n)).toMatchSnapshot();
  });

  it("the generator core is xoshiro128**: state [1, 2, 3, 4] gives the reference outputs 11520, 0, 5927040", () => {
    const r = new Random({ words: [1, 2, 3, 4], spareNormal: null });
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([11520, 0, 5927040]);
  });

  it("negative and large seeds are valid and distinct; fractional seeds are rejected", () => {
    const xs = [0, -1, 2 ** 40, -(2 ** 40) + 3].map((s) => new Random(s).uniform());
    expect(new Set(xs).size).toBe(4);
    expect(() => new Random(0.5)).toThrow(DomainError);
    expect(() => new Random(Number.NaN)).toThrow(/Random\(\): seed must be an integer/);
  });

  it("getState/clone restore the exact stream, including a cached normal of a saved 0.1 state", () => {
    const r = new Random({ words: [5, 6, 7, 8], spareNormal: 0.25 });
    const s = r.getState();
    expect(s.spareNormal).toBe(0.25);
    const copy = new Random(s);
    const twin = r.clone();
    const next = [r.normal(), r.normal(), r.uniform()];
    expect([copy.normal(), copy.normal(), copy.uniform()]).toEqual(next);
    expect([twin.normal(), twin.normal(), twin.uniform()]).toEqual(next);
    expect(() => new Random({ words: [0, 0, 0, 0], spareNormal: null })).toThrow(/not be all zero/);
    expect(() => new Random({ words: [1, 2, 3] as never, spareNormal: null })).toThrow(/four unsigned 32-bit integers/);
  });

  it("fork gives a child stream that does not overlap its parent's next draws", () => {
    const parent = new Random(11);
    const child = parent.fork();
    const a = Array.from({ length: 1000 }, () => parent.nextUint32());
    const b = new Set(Array.from({ length: 1000 }, () => child.nextUint32()));
    expect(a.filter((v) => b.has(v)).length).toBeLessThan(3);
    // fork is deterministic
    const p2 = new Random(11);
    const c2 = p2.fork();
    expect(c2.uniform()).toBe(new Random(11).fork().uniform());
    const q = new Random(11);
    q.fork();
    expect(p2.uniform()).toBe(q.uniform());
  });

  it.each([1, 2, 3, 4, 5])("normal draws pass a Kolmogorov-Smirnov test at n = 1e5 (seed %i, alpha = 0.001)", (seed) => {
    const n = 100_000;
    const x = new Random(seed).fillNormal(new Float64Array(n));
    const d = ksStatistic(x, normalCdf);
    expect(d).toBeLessThan(1.949 / Math.sqrt(n));
  });

  it("uniform draws pass a Kolmogorov-Smirnov test and lie in [lo, hi)", () => {
    const n = 100_000;
    const x = new Random(9).fillUniform(new Float64Array(n));
    expect(ksStatistic(x, (v) => Math.min(1, Math.max(0, v)))).toBeLessThan(1.949 / Math.sqrt(n));
    const r = new Random(1);
    for (let i = 0; i < 1000; i++) {
      const v = r.uniform(-2, 3);
      expect(v).toBeGreaterThanOrEqual(-2);
      expect(v).toBeLessThan(3);
    }
  });

  it("rademacher frequencies lie within 4 standard errors of 1/2 and values are +-1", () => {
    const n = 100_000;
    const x = new Random(3).fillRademacher(new Float64Array(n));
    let plus = 0;
    for (const v of x) {
      expect(v === 1 || v === -1).toBe(true);
      if (v === 1) plus++;
    }
    expect(Math.abs(plus / n - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n));
  });

  it("categorical frequencies lie within 4 standard errors of the normalised weights; zero weights never drawn", () => {
    const w = [1, 0, 2, 5, 0.5];
    const total = w.reduce((a, b) => a + b, 0);
    const n = 100_000;
    const draws = new Random(5).categoricalMany(w, n);
    const counts = new Array(w.length).fill(0);
    for (const k of draws) counts[k]++;
    w.forEach((wk, k) => {
      const p = wk / total;
      expect(Math.abs(counts[k] / n - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / n));
    });
    expect(counts[1]).toBe(0);
    expect(new Random(1).categorical([0, 0, 3])).toBe(2);
  });

  it("categorical rejects empty, negative, non-finite and zero-sum weights", () => {
    const r = new Random(1);
    expect(() => r.categorical([])).toThrow(/weights must be non-empty/);
    expect(() => r.categorical([1, -1])).toThrow(/weights\[1\] must be >= 0, got -1/);
    expect(() => r.categorical([1, Number.NaN])).toThrow(/finite/);
    expect(() => r.categorical([0, 0])).toThrow(/positive sum/);
  });

  test.prop([fc.integer({ min: 0, max: 300 }), fc.integer()], { seed: 4 })("permutation(n) is a permutation of 0..n-1", (n, seed) => {
    const p = new Random(seed).permutation(n);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it("int(n) is unbiased: counts for n = 6 within 4 standard errors, including a non-power-of-two bound near 2^32", () => {
    const r = new Random(8);
    const n = 60_000;
    const counts = new Array(6).fill(0);
    for (let i = 0; i < n; i++) counts[r.int(6)]++;
    for (const c of counts) expect(Math.abs(c / n - 1 / 6)).toBeLessThan(4 * Math.sqrt((1 / 6) * (5 / 6) / n));
    const big = 3 * 2 ** 30;
    let high = 0;
    for (let i = 0; i < 20_000; i++) if (r.int(big) >= 2 ** 31) high++;
    // P(v >= 2^31) = 1/3 exactly for an unbiased draw
    expect(Math.abs(high / 20_000 - 1 / 3)).toBeLessThan(4 * Math.sqrt((2 / 9) / 20_000));
    expect(r.int(2 ** 32)).toBeLessThan(2 ** 32);
    expect(() => r.int(0)).toThrow(DomainError);
  });

  it("property: fillNormal gives the same bits as successive normal() calls and leaves the same state (any length, with or without a cached normal)", () => {
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 0, max: 300 }), fc.boolean(), fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), (seed, n, spare, mean, std) => {
      const words = new Random(seed).getState().words;
      const a = new Random({ words, spareNormal: spare ? 1.5 : null }), b = new Random({ words, spareNormal: spare ? 1.5 : null });
      const filled = a.fillNormal(new Float64Array(n), mean, std);
      const one = Float64Array.from({ length: n }, () => b.normal(mean, std));
      expect(Array.from(filled)).toEqual(Array.from(one));
      expect(a.getState()).toEqual(b.getState());
      if (n > 0) expect(a.getState().spareNormal).toBeNull();
    }), { numRuns: 200, seed: 7 });
  });

  it("normal draws have the requested mean and std; batch helpers have the requested shapes", () => {
    const r = new Random(12);
    const n = 50_000;
    const x = r.fillNormal(new Float64Array(n), 3, 2);
    const mean = x.reduce((a, b) => a + b, 0) / n;
    const v = x.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean - 3)).toBeLessThan(4 * (2 / Math.sqrt(n)));
    expect(Math.abs(Math.sqrt(v) - 2)).toBeLessThan(4 * (2 / Math.sqrt(2 * n)));
    expect(r.normalBatch(3, 2).shape).toEqual([3, 2]);
    expect(r.uniformBatch(3, 2, -1, 1).shape).toEqual([3, 2]);
    expect(Array.from(r.rademacherBatch(2, 2).data).every((s) => s * s === 1)).toBe(true);
    expect(() => r.fillNormal(new Float64Array(1), 0, -1)).toThrow(/std must be >= 0/);
    expect(() => r.fillUniform(new Float64Array(1), Number.NaN, 1)).toThrow(/lo must be finite/);
  });

  it("uniform(lo, hi) never returns hi: narrow intervals, a subnormal width and a width past the largest double", () => {
    // before: lo + (hi - lo) u rounded up to hi in about half the draws of [1, 1 + 2^-52)
    const r = new Random(0);
    for (const [lo, hi] of [[1, 1 + 2 ** -52], [0, 5e-324], [1e16, 1e16 + 2], [-1e308, 1e308], [-Number.MAX_VALUE, Number.MAX_VALUE]] as const) {
      for (let i = 0; i < 2000; i++) {
        const v = r.uniform(lo, hi);
        expect(v >= lo && v < hi).toBe(true);
      }
    }
  });

  it("property: ordinary uniform(lo, hi) draws keep their bits, lo + (hi - lo) U with the same U", () => {
    fc.assert(fc.property(fc.integer(), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), (seed, lo, width) => {
      const hi = lo + width;
      const a = new Random(seed), b = new Random(seed);
      for (let i = 0; i < 20; i++) {
        const x = lo + (hi - lo) * b.uniform();
        const v = a.uniform(lo, hi);
        if (x < hi) expect(v).toBe(x);
        else expect(v).toBeLessThan(hi);
      }
    }), { numRuns: 200, seed: 11 });
  });

  it("fillUniform into a Float32Array stays in [lo, hi) after rounding to float32", () => {
    // before: 1 + 2^-20 - (less than half a float32 ulp) rounded up to hi in 1/16 of the draws
    const out = new Random(2).fillUniform(new Float32Array(4000), 1, 1 + 2 ** -20);
    expect(out.every((v) => v >= 1 && v < 1 + 2 ** -20)).toBe(true);
    const unit = new Random(3).fillUniform(new Float32Array(4000));
    expect(unit.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(() => new Random(1).fillUniform(new Float32Array(4), 1e39, 2e39)).toThrow(NonFiniteError);
    expect(() => new Random(1).fillUniform(new Float32Array(4), 1 + 2 ** -40, 1 + 2 ** -39)).toThrow(/float32 value in \[lo, hi\)/);
  });

  it("uniform draws over an empty or reversed interval are rejected, naming the method", () => {
    const r = new Random(1);
    expect(() => r.uniform(1, 0)).toThrow(/Random.uniform\(\): hi must be > lo = 1/);
    expect(() => r.uniform(1, 1)).toThrow(DomainError);
    expect(() => r.fillUniform(new Float64Array(2), 1, 0)).toThrow(/Random.fillUniform\(\): hi must be > lo/);
    expect(() => r.uniformBatch(2, 2, 1, 0)).toThrow(/Random.uniformBatch\(\): hi must be > lo/);
    expect(() => r.uniform(0, Infinity)).toThrow(NonFiniteError);
  });

  it("categorical weights whose sum overflows or is subnormal are drawn in proportion (within 4 standard errors)", () => {
    // before: [1e308, 1e308] gave index 1 every time, and subnormal weights were quantised
    const n = 6000;
    for (const w of [[1e308, 1e308, 1e308], [5e-324, 5e-324, 5e-324], [1e-320, 1e-320, 1e-320]]) {
      const counts = [0, 0, 0];
      for (const k of new Random(4).categoricalMany(w, n)) counts[k]!++;
      for (const c of counts) expect(Math.abs(c / n - 1 / 3)).toBeLessThan(4 * Math.sqrt((2 / 9) / n));
    }
    const r = new Random(5);
    let ones = 0;
    for (let i = 0; i < 2000; i++) ones += r.categorical([1e308, 1e308]);
    expect(Math.abs(ones / 2000 - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / 2000));
    expect(new Random(1).categorical([0, 1e308, 0])).toBe(1);
  });

  it("normal fills that overflow throw a NonFiniteError instead of writing Infinity", () => {
    expect(() => new Random(0).fillNormal(new Float64Array(64), 1e308, 1e308)).toThrow(/Random.fillNormal\(\): mean \+ std z must be finite/);
    expect(() => new Random(0).fillNormal(new Float32Array(4), 1e39)).toThrow(NonFiniteError);
    expect(() => new Random({ words: [1, 2, 3, 4], spareNormal: 1e300 }).fillNormal(new Float64Array(1), 0, 1e10)).toThrow(NonFiniteError);
    // large but safe parameters still fill
    expect(new Random(0).fillNormal(new Float32Array(64), 1e37, 1e36).every(Number.isFinite)).toBe(true);
  });

  it("a seed that is neither an integer nor a state object is named as seed", () => {
    expect(() => new Random("5" as never)).toThrow(/Random\(\): seed must be an integer or a saved RandomState/);
    expect(() => new Random(null as never)).toThrow(DomainError);
  });

  it("integer seeds fold to 32 bits (documented): 0 and 2^32 + 0x9e3779b1 give the same stream", () => {
    expect(new Random(2 ** 32 + 0x9e3779b1).nextUint32()).toBe(new Random(0).nextUint32());
  });
});

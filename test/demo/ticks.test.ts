import { describe, expect, it } from "vitest";
import { fc, test as fcTest } from "@fast-check/vitest";
import { decimals, niceTicks } from "../../demo/ticks.js";

describe("the demo's loss-chart ticks", () => {
  it("are round numbers in steps of 1, 2 or 5 times a power of ten, printed without exponents", () => {
    expect(niceTicks(2.31, 4.87, 5)).toEqual([2, 3, 4, 5]);
    expect(niceTicks(2.31, 4.87, 8)).toEqual([2, 2.5, 3, 3.5, 4, 4.5, 5]);
    expect(niceTicks(0, 2000, 5)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(niceTicks(12.6, 13.1, 5)).toEqual([12.6, 12.7, 12.8, 12.9, 13, 13.1]);
    expect(decimals(niceTicks(12.6, 13.1, 5))).toBe(1);
    expect(decimals([0, 500, 1000])).toBe(0);
    expect(niceTicks(0.0123, 0.0178, 4).map((v) => v.toFixed(decimals(niceTicks(0.0123, 0.0178, 4))))).toEqual(["0.012", "0.014", "0.016", "0.018"]);
  });

  fcTest.prop([fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.integer({ min: 2, max: 10 })])(
    "property: they cover [lo, hi], increase by one round step, number about count (at most 2 count + 2), and their labels differ",
    (lo, spanDrawn, count) => {
      const span = Math.max(spanDrawn, 1e-4 * Math.abs(lo)); // a loss chart's range is not below 1e-4 of its level
      const hi = lo + span;
      const ticks = niceTicks(lo, hi, count);
      const step = ticks[1]! - ticks[0]!;
      expect(ticks[0]!).toBeLessThanOrEqual(lo + 1e-9 * step);
      expect(ticks[ticks.length - 1]!).toBeGreaterThanOrEqual(hi - 1e-9 * step);
      expect(ticks.length).toBeLessThanOrEqual(2 * count + 2);
      const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
      expect([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-6)).toBe(true);
      const labels = ticks.map((v) => v.toFixed(decimals(ticks)));
      expect(new Set(labels).size).toBe(labels.length);
      expect(labels.every((l) => !/e/i.test(l))).toBe(true);
    },
  );
});

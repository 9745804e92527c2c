import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { portableExp } from "../../src/random/exp.js";
import { portableLog } from "../../src/random/log.js";

describe("portableExp", () => {
  test.prop([fc.double({ min: -708, max: 709, noNaN: true })], { seed: 5, numRuns: 3000 })(
    "agrees with Math.exp to 2.5 ulp-scale relative error over the normal range",
    (x) => {
      const a = portableExp(x), b = Math.exp(x);
      expect(Math.abs(a - b)).toBeLessThanOrEqual(5.6e-16 * b);
    },
  );

  it("is exact at 0 and at multiples of ln 2's table values, inverts portableLog, and saturates outside the range", () => {
    expect(portableExp(0)).toBe(1);
    expect(portableExp(-0)).toBe(1);
    for (const k of [-1000, -30, -1, 1, 30, 1000]) expect(Math.abs(portableExp(k * Math.LN2) / 2 ** k - 1)).toBeLessThan(1e-13 * Math.max(1, Math.abs(k)));
    for (const x of [1e-300, 0.5, 3, 1e10, 1e300]) expect(Math.abs(portableExp(portableLog(x)) / x - 1)).toBeLessThan(1e-12);
    expect(portableExp(710)).toBe(Infinity);
    expect(portableExp(-746)).toBe(0);
    expect(portableExp(-740)).toBeGreaterThan(0);
    expect(portableExp(Number.NaN)).toBeNaN();
  });
});

import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { portableLog } from "../../src/random/log.js";

describe("portableLog", () => {
  test.prop([fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true })], { seed: 3, numRuns: 2000 })(
    "agrees with Math.log to 2 ulp-scale relative error over the whole positive range",
    (x) => {
      const a = portableLog(x), b = Math.log(x);
      expect(Math.abs(a - b)).toBeLessThanOrEqual(4.5e-16 * Math.max(1, Math.abs(b)));
    },
  );

  it("is exact at powers of two and at 1, handles subnormals, and returns NaN outside the domain", () => {
    expect(portableLog(1)).toBe(0);
    expect(portableLog(2)).toBe(Math.LN2);
    expect(portableLog(2 ** -1074)).toBeCloseTo(-1074 * Math.LN2, 10);
    expect(portableLog(Math.E)).toBeCloseTo(1, 15);
    expect(portableLog(0)).toBeNaN();
    expect(portableLog(-1)).toBeNaN();
    expect(portableLog(Infinity)).toBeNaN();
  });
});

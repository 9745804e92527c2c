import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { DomainError, NonFiniteError, checkFinite, checkFiniteArray, checkInRange, checkInteger, checkNonNegative, checkPositive, checkTime, timeAt, ShapeError } from "../../src/index.js";
import { checkBoolean } from "../../src/core/check.js";

describe("argument checks", () => {
  test.prop([fc.double({ noNaN: true, noDefaultInfinity: true })], { seed: 1 })("checkFinite returns every finite number unchanged", (x) => {
    expect(Object.is(checkFinite("f", "x", x), x)).toBe(true);
  });

  it("non-finite numbers raise NonFiniteError naming the function and argument", () => {
    for (const v of [Number.NaN, Infinity, -Infinity]) {
      expect(() => checkFinite("gaussian", "mean[0]", v)).toThrow(NonFiniteError);
      expect(() => checkFinite("gaussian", "mean[0]", v)).toThrow(/^gaussian\(\): mean\[0\] must be finite, got/);
    }
    expect(() => checkFinite("f", "x", "1")).toThrow(DomainError);
  });

  it("positivity, non-negativity, integrality and ranges reject the boundary cases", () => {
    expect(() => checkPositive("g", "std", 0)).toThrow(/std must be > 0, got 0/);
    expect(() => checkPositive("g", "std", -1)).toThrow(DomainError);
    expect(checkNonNegative("g", "noise", 0)).toBe(0);
    expect(() => checkNonNegative("g", "noise", -1e-300)).toThrow(/must be >= 0/);
    expect(checkInteger("s", "n", 3)).toBe(3);
    expect(() => checkInteger("s", "n", 2.5)).toThrow(/n must be an integer, got 2.5/);
    expect(() => checkInteger("s", "n", -1)).toThrow(/n must be an integer >= 0, got -1/);
    expect(() => checkInteger("s", "n", 9, 0, 8)).toThrow(/in \[0, 8\]/);
    expect(checkInRange("a", "t", 1, 0, 1)).toBe(1);
    expect(() => checkInRange("a", "t", 1.5, 0, 1)).toThrow(/t must be in \[0, 1\], got 1.5/);
    expect(() => checkFiniteArray("e", "data", [1, Number.NaN])).toThrow(/NaN at index 1/);
  });

  it("checkTime accepts a scalar or one time per row and rejects the wrong length or range", () => {
    expect(checkTime("p", "t", 0.5, 3)).toBe(0.5);
    const t = new Float64Array([0, 1]);
    expect(checkTime("p", "t", t, 2)).toBe(t);
    expect(() => checkTime("p", "t", t, 3)).toThrow(ShapeError);
    expect(() => checkTime("p", "t", new Float64Array([0, 2]), 2)).toThrow(/t\[1\] must be in \[0, 1\], got 2/);
    expect(() => checkTime("p", "t", [0.5] as unknown as Float64Array, 1)).toThrow(DomainError);
    expect(timeAt(0.3, 5)).toBe(0.3);
    expect(timeAt(t, 1)).toBe(1);
  });
});

describe("checkBoolean", () => {
  it("gives the fallback for undefined, the value for a boolean, and a DomainError naming the option otherwise", () => {
    expect(checkBoolean("f", "options.x", undefined, true)).toBe(true);
    expect(checkBoolean("f", "options.x", false, true)).toBe(false);
    for (const bad of ["no", 0, 1, null, {}]) expect(() => checkBoolean("f", "options.x", bad, true)).toThrow(/f\(\): options.x must be true or false/);
  });
});

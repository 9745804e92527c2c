import { describe, expect, it } from "vitest";
import { DomainError, affinePath, defineScheduler, fromRows } from "../../src/index.js";
import { checkScheduler } from "../../src/testing/index.js";

const square = () => defineScheduler({
  name: "square", alpha: (t) => t * t, sigma: (t) => 1 - t * t, dAlpha: (t) => 2 * t, dSigma: (t) => -2 * t, snrInverse: "bisection",
});

describe("defineScheduler", () => {
  it("a user scheduler from functions evaluates them and passes every check, bisection snrInverse included", () => {
    const s = square();
    expect(s.at(0.5)).toEqual({ alpha: 0.25, sigma: 0.75, dAlpha: 1, dSigma: -1 });
    checkScheduler(s);
    expect(s.snrInverse?.(1 / 3)).toBeCloseTo(0.5, 14);
    expect(s.snrInverse?.(Infinity)).toBe(1);
    expect(s.snrInverse?.(0)).toBe(0);
    expect(affinePath(s).sample(fromRows([[1]]), fromRows([[2]]), 0.5).xt.data[0]).toBe(1.25);
  });

  it("passes through explicit snrInverse/kappaInverse, and rejects missing functions, NaN values and bad snr", () => {
    const s = defineScheduler({ name: "ot", alpha: (t) => t, sigma: (t) => 1 - t, dAlpha: () => 1, dSigma: () => -1, snrInverse: (r) => r / (1 + r), kappaInverse: (k) => k });
    expect(s.kappaInverse?.(0.3)).toBe(0.3);
    expect(s.snrInverse?.(1)).toBe(0.5);
    expect(() => defineScheduler({ name: "x" } as never)).toThrow(DomainError);
    const nan = defineScheduler({ name: "nan", alpha: () => Number.NaN, sigma: (t) => 1 - t, dAlpha: () => 1, dSigma: () => -1 });
    expect(() => nan.at(0.5)).toThrow(/alpha must be a number/);
    expect(() => square().snrInverse?.(-1)).toThrow(DomainError);
    const bounded = defineScheduler({ name: "b", alpha: (t) => 0.1 + 0.8 * t, sigma: () => 1, dAlpha: () => 0.8, dSigma: () => 0, snrInverse: "bisection" });
    expect(() => bounded.snrInverse?.(0.05)).toThrow(DomainError);
    expect(() => bounded.snrInverse?.(2)).toThrow(DomainError);
    expect(bounded.snrInverse?.(0.9)).toBe(1);
  });
});

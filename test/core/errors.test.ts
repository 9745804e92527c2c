import { describe, expect, it } from "vitest";
import { ConvergenceError, DomainError, FlowMatchingError, NonFiniteError, ShapeError } from "../../src/index.js";
import { describeShape, describeValue } from "../../src/core/format.js";

describe("errors", () => {
  it("every error family member is a FlowMatchingError with a stable code and the one message formula", () => {
    const cases: [FlowMatchingError, string][] = [
      [new ShapeError("sample", "x0", "have shape [n, 2]", "[128, 3]"), "SHAPE_MISMATCH"],
      [new DomainError("gaussian", "std", "be > 0", "-1"), "INVALID_ARGUMENT"],
      [new NonFiniteError("gaussian", "mean[0]", "be finite", "NaN"), "NON_FINITE"],
      [new ConvergenceError("sinkhorn", "maxIterations", "suffice", "100", { it: 100 }), "NOT_CONVERGED"],
    ];
    for (const [e, code] of cases) {
      expect(e).toBeInstanceOf(FlowMatchingError);
      expect(e).toBeInstanceOf(Error);
      expect(e.code).toBe(code);
      expect(e.message).toMatch(new RegExp(`^${e.fn}\\(\\): ${e.argument.replace(/[[\]]/g, "\\$&")} must .+, got .+$`));
      expect(e.name).toBe(e.constructor.name);
    }
    expect(cases[0]![0].message).toBe("sample(): x0 must have shape [n, 2], got [128, 3]");
    expect((cases[3]![0] as ConvergenceError).partial).toEqual({ it: 100 });
  });

  it("describeValue keeps -0, NaN and long arrays readable", () => {
    expect(describeValue(-0)).toBe("-0");
    expect(describeValue(Number.NaN)).toBe("NaN");
    expect(describeValue("a")).toBe('"a"');
    expect(describeValue(null)).toBe("null");
    expect(describeValue(undefined)).toBe("undefined");
    expect(describeValue([1, 2, 3, 4, 5, 6, 7])).toBe("[1, 2, 3, 4, 5, 6, ... (7 entries)]");
    expect(describeValue(new Float64Array([0.5]))).toBe("[0.5]");
    expect(describeValue({ shape: [2, 3] })).toBe("an ndarray of shape [2, 3]");
    expect(describeValue(() => 1)).toBe("a function");
    expect(describeValue({})).toBe("an object");
    expect(describeValue(true)).toBe("true");
    expect(describeShape([128, 3])).toBe("[128, 3]");
  });
});

import { describe, expect, it } from "vitest";
import { fromRows } from "../../src/core/batch.js";
import { NonFiniteError } from "../../src/core/errors.js";
import { hutchinson } from "../../src/divergence/hutchinson.js";
import { linearField } from "../solvers/helpers.js";

// u(x) = A x with A = [[1, 5], [0, 2]]: z^T A z = 8 for z = [1, 1]
const A = [1, 5, 0, 2];

describe("hutchinson", () => {
  it("gives z^T A z for one probe, through field.jvp and through central differences", () => {
    const x = fromRows([[1, 2]]);
    expect(hutchinson(linearField(A, 2), x, 0, [fromRows([[1, 1]])])[0]).toBe(8);
    expect(Math.abs((hutchinson(linearField(A, 2, false), x, 0, [fromRows([[1, 1]])])[0] as number) - 8)).toBeLessThan(1e-8);
  });

  it("an estimate that overflows for finite probes is a NonFiniteError naming hutchinson (before: Infinity returned)", () => {
    // z^T A z = 8e400 for z = [1e200, 1e200] (field.jvp), 8e320 for z = [1e160, 1e160] (differences)
    for (const [jvp, c] of [[true, 1e200], [false, 1e160]] as const) {
      const call = (): Float64Array => hutchinson(linearField(A, 2, jvp), fromRows([[1, 2]]), 0, [fromRows([[c, c]])]);
      expect(call).toThrow(NonFiniteError);
      expect(call).toThrow(/^hutchinson\(\): estimate must be finite .*, got Infinity at row 0$/);
    }
  });
});

import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/core/errors.js";
import { Random } from "../../src/random/random.js";
import { drawProbes } from "../../src/divergence/probes.js";

describe("drawProbes", () => {
  it("draws count batches of shape [n, d], empty ones included", () => {
    const probes = drawProbes(new Random(1), 3, 2, 0);
    expect(probes.map((p) => p.shape)).toEqual([[2, 0], [2, 0], [2, 0]]);
  });

  it("rejects a count of empty probes beyond 2^20 with a DomainError naming count, before allocating (before: out of memory, the process died)", () => {
    for (const [count, n, d] of [[2 ** 30, 2 ** 30, 0], [2 ** 30, 0, 5], [2 ** 20 + 1, 1, 1], [2 ** 28, 1, 1]] as const) {
      const call = (): unknown => drawProbes(new Random(1), count, n, d);
      expect(call).toThrow(DomainError);
      expect(call).toThrow(`drawProbes(): count must be an integer <= ${2 ** 20}, got ${count}`);
    }
  });
});

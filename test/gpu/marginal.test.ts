import { describe, expect, it } from "vitest";
import { Random } from "../../src/random/index.js";
import { marginalVelocity } from "../../src/velocity/index.js";
import { gpuMarginalVelocity } from "../../src/gpu/index.js";
import { maxRelativeError } from "./helpers.js";

const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };

describe("gpuMarginalVelocity agrees with the float64 closed-form field", () => {
  for (const [backend, async] of [["webasm", false], ["webasm", true], ["cpu", false], ["cpu", true]] as const) {
    it(`property: max relative error <= 1e-4, data tiles of 1100 (> 1000 loop) not dividing N, d = 2 and 64, per-row times incl. t = 1 (${backend}, async=${async})`, async () => {
      for (const d of [2, 64]) {
        const rng = new Random(d);
        const data = rng.normalBatch(2500, d);
        const x = rng.normalBatch(301, d);
        const t = Float64Array.from({ length: 301 }, (_, i) => (i === 0 ? 1 : 0.05 + 0.9 * rng.uniform()));
        const field = gpuMarginalVelocity(condOT, data, { backend, dataTile: 1100, tileRows: 128 });
        try {
          const u = async ? await field.evaluateAsync(x, t) : field.evaluate(x, t);
          expect(maxRelativeError(u.data, marginalVelocity(condOT, data).evaluate(x, t).data)).toBeLessThanOrEqual(1e-4);
          expect(field.report.kernels.every((k) => k.ran === backend && k.fallbackReason === null)).toBe(true);
        } finally {
          field.dispose();
        }
      }
    });
  }
});

import { describe, expect, it } from "vitest";
import { Random } from "../../src/random/index.js";
import { marginalVelocity } from "../../src/velocity/index.js";
import { gpuMarginalVelocity } from "../../src/gpu/index.js";
import type { Batch } from "../../src/core/batch.js";
import { indicesBeyondRounding, ROUNDING_SIGMAS } from "./helpers.js";

const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };

describe("gpuMarginalVelocity agrees with the float64 closed-form field", () => {
  for (const [backend, async] of [["webasm", false], ["webasm", true], ["cpu", false], ["cpu", true]] as const) {
    it(`property: relative error <= 1e-4 or within the float32 rounding bound, data tiles of 1100 (> 1000 loop) not dividing N, d = 2 and 64, per-row times incl. t = 1 (${backend}, async=${async})`, async () => {
      for (const d of [2, 64]) {
        const rng = new Random(d);
        const data = rng.normalBatch(2500, d);
        const x = rng.normalBatch(301, d);
        const t = Float64Array.from({ length: 301 }, (_, i) => (i === 0 ? 1 : 0.05 + 0.9 * rng.uniform()));
        const field = gpuMarginalVelocity(condOT, data, { backend, dataTile: 1100, tileRows: 128 });
        try {
          const u = async ? await field.evaluateAsync(x, t) : field.evaluate(x, t);
          // within 1e-4 of the float64 field's scale, or else within the float32 rounding bound
          // of that entry (large logits at d = 64 near t = 1 leave no 1e-4 to spare)
          const exact = marginalVelocity(condOT, data).evaluate(x, t).data;
          const bound = marginalRoundingBound(data, x, t, exact);
          expect(indicesBeyondRounding(u.data, exact, (i) => bound[i] as number)).toEqual([]);
          expect(field.report.kernels.every((k) => k.ran === backend && k.fallbackReason === null)).toBe(true);
        } finally {
          field.dispose();
        }
      }
    });
  }
});

/**
 * ROUNDING_SIGMAS standard deviations of the float32 rounding error of each entry of the condOT
 * marginal field u_i = (sum_j w_j y_j / sum_j w_j - x_i) / s, s = 1 - t, w_j = exp(l_j - max l),
 * l_j = -|x_i / s - y_j t / s|^2 / 2 as the kernels compute it, under the probabilistic model of
 * ./helpers.ts (independent rounding errors of size u add in quadrature; a sum of n terms errs
 * by (n + 1) times the sum of its squared terms). In units of u^2: a difference
 * e_k = x_k / s - y_k t / s has variance (x_k / s)^2 + (y_k t / s)^2 + e_k^2, so l_j carries
 * V_j = sum_k e_k^2 Var(e_k) + (d + 1) sum_k (e_k^2 / 2)^2 + l_j^2; the exponent l_j - max l
 * adds the maximum's V, its own rounding and 16 ulps of the SIMD exp; a weight error dw_j / w_j
 * moves u by (y_j - E y) / s dw_j / w_j; the weighted sums and the final difference add their
 * own roundings. The row at t = 1 (a nearest-point rule) gets no extra room.
 */
function marginalRoundingBound(data: Batch, x: Batch, t: Float64Array, exact: Float64Array): Float64Array {
  const [n, d] = x.shape as [number, number];
  const m = data.shape[0] as number;
  const u = 2 ** -24;
  const bound = new Float64Array(n * d);
  const logits = new Float64Array(m), variances = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const ti = t[i] as number, s = 1 - ti;
    if (s === 0) continue;
    let max = -Infinity, vMax = 0;
    for (let j = 0; j < m; j++) {
      let l = 0, v = 0, partial = 0;
      for (let k = 0; k < d; k++) {
        const a = (x.data[i * d + k] as number) / s, b = ((data.data[j * d + k] as number) * ti) / s, e = a - b;
        l -= (e * e) / 2;
        v += e * e * (a * a + b * b + e * e);
        partial += (e * e / 2) ** 2;
      }
      logits[j] = l;
      variances[j] = v + (d + 1) * partial + l * l;
      if (l > max) { max = l; vMax = variances[j] as number; }
    }
    let total = 0;
    for (let j = 0; j < m; j++) total += Math.exp((logits[j] as number) - max);
    for (let k = 0; k < d; k++) {
      const ey = exact[i * d + k]! * s + (x.data[i * d + k] as number);
      let weightVar = 0, sumVar = 0;
      for (let j = 0; j < m; j++) {
        const w = Math.exp((logits[j] as number) - max) / total;
        if (w === 0) continue;
        const yk = data.data[j * d + k] as number;
        const exponentVar = (variances[j] as number) + vMax + ((logits[j] as number) - max) ** 2 + 16 ** 2;
        weightVar += w * w * exponentVar * ((yk - ey) / s) ** 2;
        sumVar += (m + 1) * ((w * yk) / s) ** 2;
      }
      const finalVar = ((Math.abs(ey) + Math.abs(x.data[i * d + k] as number)) / s) ** 2;
      bound[i * d + k] = ROUNDING_SIGMAS * u * Math.sqrt(weightVar + sumVar + finalVar);
    }
  }
  return bound;
}

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { loadMarginal, marginalF64Module, marginalPlan, marginalRows } from "../../src/engine/marginal-f64.js";
import { empiricalValueRows } from "../../src/engine/marginal-direct.js";
import { Random } from "../../src/random/index.js";

/** Rows computed by the GEMM form (with the difference form for the rows it declines), and which rows were declined. */
function gemmRows(y: Float64Array, K: number, d: number, x: Float64Array, coef: Float64Array, n: number, splits: number[] = [n]) {
  const plan = marginalPlan(y, K, d);
  const kernel = loadMarginal(marginalF64Module as WebAssembly.Module, y, plan);
  const out = new Float64Array(n * d);
  const declined: number[] = [];
  const logits = new Float64Array(K), w = new Float64Array(K), yHat = new Float64Array(d);
  let first = 0;
  for (const count of splits) {
    marginalRows(kernel, plan, x, coef, first, count, out, (r) => { declined.push(r); empiricalValueRows(y, d, K, x, coef, r, 1, logits, w, yHat, out); });
    first += count;
  }
  return { out, declined };
}

function directRows(y: Float64Array, K: number, d: number, x: Float64Array, coef: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * d);
  empiricalValueRows(y, d, K, x, coef, 0, n, new Float64Array(K), new Float64Array(K), new Float64Array(d), out);
  return out;
}

const condOTCoef = (t: number) => [t, 1 - t, 1, -1];

describe("marginal velocity as a blocked GEMM (float64)", () => {
  it("the module compiles here (Node has WebAssembly SIMD)", () => {
    expect(marginalF64Module).not.toBeNull();
  });

  it("property: equals the difference form within 1e-10 relative (d 1..70, K 1..300, any offset of the data, t in [0, 1])", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 45 }), fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.integer({ min: 0, max: 2 ** 31 }), (d, K, n, offset, seed) => {
      const rng = new Random(seed);
      const y = rng.normalBatch(K, d).data.map((v) => v + offset);
      const x = rng.normalBatch(n, d).data.map((v) => v + offset * 0.5);
      const coef = new Float64Array(4 * n);
      for (let r = 0; r < n; r++) coef.set(condOTCoef(r === 0 ? 0 : r === 1 ? 1 : rng.uniform()), 4 * r);
      const want = directRows(y, K, d, x, coef, n);
      const { out, declined } = gemmRows(y, K, d, x, coef, n);
      for (let i = 0; i < n * d; i++) {
        const scale = Math.max(1, Math.abs(want[i] as number), Math.abs(offset));
        expect(Math.abs((out[i] as number) - (want[i] as number))).toBeLessThanOrEqual(1e-10 * scale);
      }
      // the singular end t = 1 always takes the difference form
      if (n > 1) expect(declined).toContain(1);
    }), { numRuns: 60, seed: 16 });
  });

  it("property: a row's bits do not depend on how the rows are split into calls and blocks", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 100 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 2 ** 31 }), (d, K, splits, seed) => {
      const n = splits.reduce((a, b) => a + b, 0);
      const rng = new Random(seed);
      const y = rng.normalBatch(K, d).data, x = rng.normalBatch(n, d).data;
      const coef = new Float64Array(4 * n);
      for (let r = 0; r < n; r++) coef.set(condOTCoef(rng.uniform()), 4 * r);
      expect(Array.from(gemmRows(y, K, d, x, coef, n, splits).out)).toEqual(Array.from(gemmRows(y, K, d, x, coef, n).out));
    }), { numRuns: 40, seed: 17 });
  });

  it("declines exactly the rows whose logit error bound (d + 4) 2^-52 |c| (|x'| Y + alpha Y2 / 2) exceeds 2^-36, and those are bit-identical to the difference form", () => {
    const d = 8, K = 64, rng = new Random(3);
    const y = rng.normalBatch(K, d).data;
    const ts = [0.5, 0.9, 0.99, 0.999, 0.9999, 1 - 1e-6];
    const x = rng.normalBatch(ts.length, d).data;
    const coef = new Float64Array(4 * ts.length);
    ts.forEach((t, r) => coef.set(condOTCoef(t), 4 * r));
    const plan = marginalPlan(y, K, d);
    const expected = ts.flatMap((t, r) => {
      let nx = 0;
      for (let j = 0; j < d; j++) nx += ((x[r * d + j] as number) - t * (plan.mean[j] as number)) ** 2;
      const c = t / (1 - t) ** 2;
      return (d + 4) * 2 ** -52 * c * (Math.sqrt(nx) * plan.yMax + 0.5 * t * plan.y2Max) > 2 ** -36 ? [r] : [];
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(ts.length);
    const { out, declined } = gemmRows(y, K, d, x, coef, ts.length);
    expect(declined).toEqual(expected);
    const want = directRows(y, K, d, x, coef, ts.length);
    for (const r of declined) expect(Array.from(out.subarray(r * d, (r + 1) * d))).toEqual(Array.from(want.subarray(r * d, (r + 1) * d)));
  });

  it("the SIMD exp inside the softmax: weights of two points at logit gaps 0..45 match Math.exp within 1e-15 relative", () => {
    // two data points on a line; the posterior weight of the far one is exp(-gap) / (1 + exp(-gap))
    const y = Float64Array.from([0, 1]);
    for (let gap = 0; gap <= 45; gap += 0.37) {
      // condOT at t = 0.5: c = alpha / sigma^2 = 2, logit difference = 2 (x (y1 - y0) - (alpha / 2)(y1^2 - y0^2)) = 2 x - 0.5
      const xv = (gap + 0.5) / 2;
      const x = Float64Array.from([-xv + 0.5]);
      const coef = Float64Array.from(condOTCoef(0.5));
      const { out } = gemmRows(y, 2, 1, x, coef, 1);
      const want = directRows(y, 2, 1, x, coef, 1);
      expect(Math.abs((out[0] as number) - (want[0] as number))).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(want[0] as number)));
    }
  });
});

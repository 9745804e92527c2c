import { describe, expect, it } from "vitest";
import { DomainError, NonFiniteError, Random, ShapeError, fromRows, independentCfmPath, schrodingerBridgePath, scoreMatchingLoss } from "../../src/index.js";
import type { Batch } from "../../src/index.js";

describe("scoreMatchingLoss", () => {
  it("is (1/n) sum lambda_i^2 ||s_i - score_i||^2 with gradient (2 lambda_i^2 / n)(s_i - score_i) (brute force, finite differences)", () => {
    const rng = new Random(1);
    const path = schrodingerBridgePath({ sigma: 0.7 });
    const smp = path.sample(rng.normalBatch(5, 3), rng.normalBatch(5, 3), rng.fillUniform(new Float64Array(5), 0.1, 0.9), rng);
    const s = rng.normalBatch(5, 3);
    const { loss, gradient } = scoreMatchingLoss(s, smp);
    let expected = 0;
    for (let i = 0; i < 5; i++) {
      let q = 0;
      for (let j = 0; j < 3; j++) q += ((s.data[3 * i + j] as number) - (smp.score.data[3 * i + j] as number)) ** 2;
      expected += (smp.lambda[i] as number) ** 2 * q;
    }
    expect(loss).toBeCloseTo(expected / 5, 12);
    const h = 1e-6;
    for (const idx of [0, 4, 14]) {
      const plus = Float64Array.from(s.data); plus[idx] = (plus[idx] as number) + h;
      const minus = Float64Array.from(s.data); minus[idx] = (minus[idx] as number) - h;
      const fd = (scoreMatchingLoss(fromFlat(plus, 3), smp).loss - scoreMatchingLoss(fromFlat(minus, 3), smp).loss) / (2 * h);
      expect(Math.abs((gradient.data[idx] as number) - fd)).toBeLessThan(1e-7);
    }
  });

  it("is smallest at the marginal score: I-CFM path N(0, 1) -> N(m, s^2) with noise sigma, marginal N(t m, (1-t)^2 + t^2 s^2 + sigma^2)", () => {
    const rng = new Random(2);
    const n = 20000, m = 1.5, sd = 0.5, sigma = 0.3;
    const x0 = rng.normalBatch(n, 1);
    const x1 = rng.normalBatch(n, 1);
    for (let i = 0; i < n; i++) x1.data[i] = m + sd * (x1.data[i] as number);
    const t = rng.fillUniform(new Float64Array(n), 0.05, 0.95);
    const smp = independentCfmPath({ sigma }).sample(x0, x1, t, rng);
    const marginal = (scale: number, shift: number): Batch => fromFlat(Float64Array.from(smp.xt.data, (x, i) => {
      const ti = t[i] as number;
      return scale * (-(x - ti * m) / ((1 - ti) ** 2 + ti * ti * sd * sd + sigma * sigma)) + shift;
    }), 1);
    const best = scoreMatchingLoss(marginal(1, 0), smp).loss;
    // E L(s) - E L(s*) = E lambda^2 (s - s*)^2 > 0; the sampling noise of the difference is far smaller than these gaps
    for (const [scale, shift] of [[1.2, 0], [0.8, 0], [1, 0.2], [1, -0.2]] as const) {
      expect(scoreMatchingLoss(marginal(scale, shift), smp).loss).toBeGreaterThan(best);
    }
  });

  it("rejects a sample without score or lambda, and shape or weight errors, with typed errors", () => {
    const s = fromRows([[0, 0]]);
    expect(() => scoreMatchingLoss(s, {} as never)).toThrow(DomainError);
    expect(() => scoreMatchingLoss(s, { score: fromRows([[0, 0, 0]]), lambda: [1] })).toThrow(ShapeError);
    expect(() => scoreMatchingLoss(s, { score: s, lambda: [Number.NaN] })).toThrow(/scoreMatchingLoss\(\): sample.lambda/);
    expect(() => scoreMatchingLoss(s, { score: s, lambda: [Number.NaN] })).toThrow(NonFiniteError);
    expect(() => scoreMatchingLoss(s, { score: s, lambda: [1, 2] })).toThrow(ShapeError);
  });

  it("its errors name scoreMatchingLoss and its own arguments, not cfmLoss's weights, u or v", () => {
    // before: "cfmLoss(): weights[0] must be finite, got Infinity", "cfmLoss(): v must have shape ...", "cfmLoss(): weights must have length 1"
    const s = fromRows([[1, 0]]), score = fromRows([[0, 0]]);
    expect(() => scoreMatchingLoss(s, { score, lambda: [1e200] })).toThrow(NonFiniteError);
    expect(() => scoreMatchingLoss(s, { score, lambda: [1e200] })).toThrow(/^scoreMatchingLoss\(\): sample\.lambda\[0\] must have a finite square/);
    expect(() => scoreMatchingLoss(s, { score: fromRows([[0, 0, 0]]), lambda: [1] })).toThrow(/^scoreMatchingLoss\(\): sample\.score must have shape \[n, 2\], got \[1, 3\]$/);
    expect(() => scoreMatchingLoss(s, { score, lambda: [1, 2] })).toThrow(/^scoreMatchingLoss\(\): sample\.lambda must have length 1/);
    expect(() => scoreMatchingLoss(fromRows([[1e200, 0]]), { score, lambda: [1] })).toThrow(/^scoreMatchingLoss\(\): loss must be finite/);
    expect(() => scoreMatchingLoss(fromRows([], 2), { score: fromRows([], 2), lambda: [] })).toThrow(/^scoreMatchingLoss\(\): prediction must have at least one row/);
  });
});

function fromFlat(data: Float64Array, d: number): Batch {
  return fromRows(Array.from({ length: data.length / d }, (_, i) => data.subarray(i * d, (i + 1) * d)));
}

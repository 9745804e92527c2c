import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import type { Batch } from "../../src/core/batch.js";
import { fromRows, zeros } from "../../src/core/batch.js";
import { NonFiniteError, ShapeError } from "../../src/core/errors.js";
import type { Time } from "../../src/core/time.js";
import { timeAt } from "../../src/core/time.js";
import type { VelocityField } from "../../src/core/interfaces.js";
import { Random } from "../../src/random/random.js";
import { gaussianVelocity, fromX1Prediction, fromEpsilonPrediction, fromScore, withLabels, classifierFreeGuidance } from "../../src/velocity/index.js";
import { mlp } from "../../src/nn/index.js";
import { cosine, vp, condOT } from "./schedulers.js";
import { affinePath } from "../../src/paths/index.js";
import { condOT as libCondOT } from "../../src/schedulers/index.js";
import type { Scheduler } from "../../src/core/interfaces.js";

const mean = [1, -0.5], std = [0.7, 1.6];

/** Closed-form predictors for N(0, I) -> N(mean, diag std^2): per coordinate p = A x + B. */
function predictor(s: Scheduler, kind: "x1" | "epsilon" | "score"): VelocityField {
  const coef = (t: number, j: number) => {
    const { alpha, sigma } = s.at(t);
    const s2 = (std[j] as number) ** 2, m = mean[j] as number, v = alpha * alpha * s2 + sigma * sigma;
    if (kind === "x1") return { A: (alpha * s2) / v, B: m - (alpha * s2 * alpha * m) / v };
    if (kind === "epsilon") return { A: sigma / v, B: (-sigma * alpha * m) / v };
    return { A: -1 / v, B: (alpha * m) / v };
  };
  const apply = (x: Batch, t: Time, f: (A: number, B: number, xv: number) => number) => {
    const n = x.shape[0] as number;
    const out = ndarray(new Float64Array(n * 2), [n, 2]) as Batch;
    for (let r = 0; r < n; r++) for (let j = 0; j < 2; j++) { const { A, B } = coef(timeAt(t, r), j); out.data[r * 2 + j] = f(A, B, x.data[r * 2 + j] as number); }
    return out;
  };
  return {
    dim: 2,
    evaluate: (x, t) => apply(x, t, (A, B, xv) => A * xv + B),
    jvp: (x, t, v) => { const n = x.shape[0] as number; const out = apply(x, t, (A) => A); for (let i = 0; i < n * 2; i++) out.data[i] = (out.data[i] as number) * (v.data[i] as number); return out; },
    divergence: (x, t) => { const n = x.shape[0] as number; const a = apply(x, t, (A) => A); return Float64Array.from({ length: n }, (_, r) => (a.data[2 * r] as number) + (a.data[2 * r + 1] as number)); },
  };
}

describe("prediction wrappers", () => {
  const x = new Random(4).normalBatch(3, 2);
  const v = new Random(5).normalBatch(3, 2);
  for (const s of [cosine, vp]) {
    for (const [name, wrap, kind] of [["fromX1Prediction", fromX1Prediction, "x1"], ["fromEpsilonPrediction", fromEpsilonPrediction, "epsilon"], ["fromScore", fromScore, "score"]] as const) {
      it(`${name} of the exact ${kind} predictor reproduces the Gaussian closed-form velocity, jvp and divergence (${s.name}, 1e-10)`, () => {
        const exact = gaussianVelocity(s, { mean, std });
        const field = wrap(predictor(s, kind), { scheduler: s });
        for (const t of [0.1, 0.5, 0.9, new Float64Array([0.2, 0.6, 0.95])]) {
          const close = (a: ArrayLike<number>, b: ArrayLike<number>) => { for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-10 * Math.max(1, Math.abs(b[i] as number))); };
          close(field.evaluate(x, t).data, exact.evaluate(x, t).data);
          close(field.jvp!(x, t, v).data, exact.jvp(x, t, v).data);
          close(field.divergence!(x, t), exact.divergence(x, t));
        }
      });
    }
  }

  it("at the singular ends: x1-prediction at sigma = 0 gives alpha' x1_hat; epsilon and score at alpha = 0 throw", () => {
    const x1Hat: VelocityField = { dim: 1, evaluate: (xx) => ndarray(new Float64Array((xx.shape[0] as number)).fill(3), [xx.shape[0] as number, 1]) as Batch };
    expect(Array.from(fromX1Prediction(x1Hat, condOT).evaluate(fromRows([[1]]), 1).data)).toEqual([3]);
    expect(() => fromEpsilonPrediction(x1Hat, condOT).evaluate(fromRows([[1]]), 0)).toThrow(/alpha_t != 0/);
    expect(() => fromScore(x1Hat, condOT).evaluate(fromRows([[1]]), 0)).toThrow(/alpha_t != 0/);
    expect(() => fromScore(null as never, condOT)).toThrow(/model must be/);
    expect(fromX1Prediction(x1Hat, condOT).jvp).toBeUndefined();
    // mixed per-row times through the library's affine path: rows at sigma = 0 get alpha' x1_hat, others (x1 - x)/(1 - t)
    const field = fromX1Prediction(x1Hat, affinePath(libCondOT()));
    expect(Array.from(field.evaluate(fromRows([[1], [1], [2]]), new Float64Array([1, 0.5, 1])).data)).toEqual([3, 4, 3]);
    expect(Array.from(field.evaluate(fromRows([[1], [2]]), new Float64Array([0.5, 0])).data)).toEqual([4, 1]);
  });
});

describe("conditional fields and classifier-free guidance", () => {
  const net = mlp({ dim: 2, hidden: [6, 6], classes: 3, seed: 3 });
  const x = new Random(6).normalBatch(4, 2);
  const v = new Random(7).normalBatch(4, 2);
  const labels = [0, 1, 2, 1];

  it("withLabels binds labels: evaluate, jvp and divergence equal the labeled calls", () => {
    const f = withLabels(net, labels);
    expect(Array.from(f.evaluate(x, 0.3).data)).toEqual(Array.from(net.evaluateLabeled(x, 0.3, labels).data));
    expect(Array.from(f.jvp!(x, 0.3, v).data)).toEqual(Array.from(net.jvpLabeled(x, 0.3, labels, v).data));
    expect(Array.from(f.divergence!(x, 0.3))).toEqual(Array.from(net.divergenceLabeled(x, 0.3, labels)));
    expect(() => withLabels({} as never, 0)).toThrow(/field must be a labeled velocity field/);
  });

  it("guidance is (1 + w) u(x | y) - w u(x | null): w = 0 conditional, w = -1 unconditional, and linear in jvp and divergence", () => {
    const w = 2.5;
    const g = classifierFreeGuidance(net, labels, w);
    const c = net.evaluateLabeled(x, 0.6, labels), u = net.evaluateLabeled(x, 0.6, 3);
    const got = g.evaluate(x, 0.6);
    for (let i = 0; i < 8; i++) expect(got.data[i]).toBeCloseTo((1 + w) * (c.data[i] as number) - w * (u.data[i] as number), 13);
    expect(Array.from(classifierFreeGuidance(net, labels, 0).evaluate(x, 0.6).data)).toEqual(Array.from(c.data));
    expect(Array.from(classifierFreeGuidance(net, labels, -1).evaluate(x, 0.6).data)).toEqual(Array.from(u.data));
    const jc = net.jvpLabeled(x, 0.6, labels, v), ju = net.jvpLabeled(x, 0.6, 3, v), jg = g.jvp!(x, 0.6, v);
    for (let i = 0; i < 8; i++) expect(jg.data[i]).toBeCloseTo((1 + w) * (jc.data[i] as number) - w * (ju.data[i] as number), 12);
    const dc = net.divergenceLabeled(x, 0.6, labels), du = net.divergenceLabeled(x, 0.6, 3), dg = g.divergence!(x, 0.6);
    for (let r = 0; r < 4; r++) expect(dg[r]).toBeCloseTo((1 + w) * (dc[r] as number) - w * (du[r] as number), 12);
    expect(() => classifierFreeGuidance(net, 0, Number.NaN)).toThrow(/scale must be finite/);
  });
});

describe("wrappers check what the wrapped model returns", () => {
  const labeled = (value: (x: Batch, labels: unknown) => unknown) => ({ dim: 1, classes: 2, evaluateLabeled: (x: Batch, _t: Time, labels: unknown) => value(x, labels) as Batch });
  const x = fromRows([[1]]);

  it("classifierFreeGuidance: nothing, the wrong rows or NaN from the model is a typed error naming the call (not a TypeError or NaN)", () => {
    expect(() => classifierFreeGuidance(labeled(() => undefined), 0, 1).evaluate(x, 0.5)).toThrow(ShapeError);
    expect(() => classifierFreeGuidance(labeled(() => undefined), 0, 1).evaluate(x, 0.5))
      .toThrow(/^classifierFreeGuidance\.evaluate\(\): field\.evaluateLabeled must return a batch of shape \[1, 1\], got undefined$/);
    expect(() => classifierFreeGuidance(labeled(() => zeros(0, 1)), 0, 1).evaluate(x, 0.5)).toThrow(ShapeError);
    expect(() => classifierFreeGuidance(labeled(() => fromRows([[Number.NaN]])), 0, 1).evaluate(x, 0.5)).toThrow(NonFiniteError);
    const short = { ...labeled((b) => b), divergenceLabeled: () => new Float64Array(0) };
    expect(() => classifierFreeGuidance(short, 0, 1).divergence?.(x, 0.5)).toThrow(/^classifierFreeGuidance\.divergence\(\): field\.divergenceLabeled must return 1 values/);
  });

  it("classifierFreeGuidance with w = 1e308: where (1 + w) c - w u overflows, c + w (c - u) gives the finite value; ordinary w keeps the first form's bits", () => {
    const same = labeled(() => fromRows([[-1e308]]));
    expect(Array.from(classifierFreeGuidance(same, 0, 1e308).evaluate(x, 0.5).data)).toEqual([-1e308]);
    const apart = labeled((_x, labels) => fromRows([[labels === 2 ? 0.5 : 0.75]]));
    expect(classifierFreeGuidance(apart, 0, 2.5).evaluate(x, 0.5).data[0]).toBe(3.5 * 0.75 - 2.5 * 0.5);
    const beyond = labeled((_x, labels) => fromRows([[labels === 2 ? 1e308 : -1e308]]));
    expect(() => classifierFreeGuidance(beyond, 0, 1).evaluate(x, 0.5)).toThrow(NonFiniteError);
  });

  it("fromX1Prediction at t = 1 (sigma = 0): a model returning too few rows or NaN is a typed error, not NaN read past the end", () => {
    const rows2 = fromRows([[1], [2]]);
    expect(() => fromX1Prediction({ dim: 1, evaluate: () => zeros(0, 1) }, libCondOT()).evaluate(rows2, 1))
      .toThrow(/^fromX1Prediction\.evaluate\(\): model\.evaluate must return a batch of shape \[2, 1\], got \[0, 1\]$/);
    expect(() => fromX1Prediction({ dim: 1, evaluate: () => fromRows([[Number.NaN]]) }, libCondOT()).evaluate(x, 1)).toThrow(NonFiniteError);
    expect(() => fromX1Prediction({ dim: 1, evaluate: () => undefined as never }, libCondOT()).evaluate(x, 0.5)).toThrow(ShapeError);
    // a transposed view is read through its strides
    const view = { dim: 2, evaluate: () => ndarray(new Float64Array([1, 3, 2, 4]), [2, 2]).transpose(1, 0) as Batch };
    expect(Array.from(fromX1Prediction(view, libCondOT()).evaluate(fromRows([[0, 0], [0, 0]]), 1).data)).toEqual([1, 2, 3, 4]);
  });
});

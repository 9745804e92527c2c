import { describe, expect, it } from "vitest";
import {
  DomainError, NonFiniteError, Random, ShapeError, conditionGuidance, fromData, fromRows, logLikelihood, sample, sampleAsync, sdeSample,
  condOT, withCondition, zeros,
} from "../../src/index.js";
import type { Batch, ConditionedVelocityField, Time } from "../../src/index.js";

// p0 = N(0, I), p1(. | c) = N(c, s^2 I) under condOT: x_t | c ~ N(t c, v_t I), v_t = (1 - t)^2 + t^2 s^2,
// u_t(x | c) = c + k_t (x - t c) with k_t = (t s^2 - (1 - t)) / v_t, and the flow maps x0 to c + s x0.
const s = 0.5;
const k = (t: number): number => (t * s * s - (1 - t)) / ((1 - t) ** 2 + t * t * s * s);
const at = (t: Time, i: number): number => (typeof t === "number" ? t : (t[i] as number));
const gaussianConditioned: ConditionedVelocityField = {
  dim: 2,
  conditionDim: 2,
  evaluateConditioned(x, t, c, out) {
    const o = out ?? zeros(x.shape[0] as number, 2);
    for (let i = 0; i < (x.shape[0] as number); i++) {
      const ti = at(t, i);
      for (let j = 0; j < 2; j++) {
        const cj = c.data[2 * i + j] as number;
        o.data[2 * i + j] = cj + k(ti) * ((x.data[2 * i + j] as number) - ti * cj);
      }
    }
    return o;
  },
  jvpConditioned(x, t, _c, v, out) {
    const o = out ?? zeros(x.shape[0] as number, 2);
    for (let i = 0; i < o.data.length; i++) o.data[i] = k(at(t, Math.floor(i / 2))) * (v.data[i] as number);
    return o;
  },
  divergenceConditioned(x, t, _c, out) {
    const o = out ?? new Float64Array(x.shape[0] as number);
    for (let i = 0; i < o.length; i++) o[i] = 2 * k(at(t, i));
    return o;
  },
};

const n = 6;
const rng = new Random(3);
const c = rng.normalBatch(n, 2);
for (let i = 0; i < c.data.length; i++) c.data[i] = 3 * (c.data[i] as number);
const x0 = rng.normalBatch(n, 2);

describe("conditions travel with their rows through the solvers", () => {
  it("sample and sampleAsync map x0 to c + s x0, row by row (to 1e-7 at rtol 1e-10)", async () => {
    const field = withCondition(gaussianConditioned, c);
    const r = sample(field, x0, { rtol: 1e-10, atol: 1e-10 });
    const a = await sampleAsync(field, x0, { rtol: 1e-10, atol: 1e-10 });
    for (let i = 0; i < n * 2; i++) {
      expect(Math.abs((r.y.data[i] as number) - ((c.data[i] as number) + s * (x0.data[i] as number)))).toBeLessThan(1e-7);
    }
    expect(a.y.data).toEqual(r.y.data);
  });

  it("permuting the rows of (x0, c) together permutes the samples, bit for bit", () => {
    const perm = new Random(9).permutation(n);
    const gather = (b: Batch): Batch => fromData(Float64Array.from({ length: n * 2 }, (_, idx) => b.data[2 * (perm[Math.floor(idx / 2)] as number) + (idx % 2)] as number), [n, 2]);
    const a = sample(withCondition(gaussianConditioned, c), x0, { method: "rk4", steps: 20 });
    const b = sample(withCondition(gaussianConditioned, gather(c)), gather(x0), { method: "rk4", steps: 20 });
    expect(b.y.data).toEqual(gather(a.y).data);
  });

  it("logLikelihood (exact and Hutchinson through the bound jvp) is log N(x1; c_i, s^2 I)", () => {
    const x1 = fromData(Float64Array.from(c.data, (v, i) => v + s * (x0.data[i] as number)), [n, 2]);
    const exact = logLikelihood(withCondition(gaussianConditioned, c), x1, { rtol: 1e-10, atol: 1e-10 });
    const { divergenceConditioned: _d, ...noDivergence } = gaussianConditioned;
    const hutch = logLikelihood(withCondition(noDivergence, c), x1, { rtol: 1e-10, atol: 1e-10, divergence: "hutchinson", rng: new Random(1), probes: 2 });
    for (let i = 0; i < n; i++) {
      let q = 0;
      for (let j = 0; j < 2; j++) q += ((x1.data[2 * i + j] as number) - (c.data[2 * i + j] as number)) ** 2;
      const expected = -q / (2 * s * s) - Math.log(2 * Math.PI * s * s);
      expect(Math.abs((exact.logProb[i] as number) - expected)).toBeLessThan(1e-7);
      // J = k_t I: Rademacher probes give the trace exactly
      expect(Math.abs((hutch.logProb[i] as number) - expected)).toBeLessThan(1e-7);
    }
  });

  it("sdeSample with g = 0 takes the bound conditions too", () => {
    const r = sdeSample(withCondition(gaussianConditioned, c), x0, { scheduler: condOT(), method: "heun", steps: 400, rng: new Random(0) });
    for (let i = 0; i < n * 2; i++) expect(Math.abs((r.x.data[i] as number) - ((c.data[i] as number) + s * (x0.data[i] as number)))).toBeLessThan(1e-4);
  });
});

describe("conditionGuidance", () => {
  it("is (1 + w) u(x | c) - w u(x | null) for evaluate, jvp and divergence, and w = 0 is the conditional field", () => {
    const nul = [0.5, -1];
    const nullBatch = fromRows(Array.from({ length: n }, () => nul));
    const w = 1.7;
    const g = conditionGuidance(gaussianConditioned, c, nul, w);
    const x = new Random(5).normalBatch(n, 2);
    const v = new Random(6).normalBatch(n, 2);
    const t = new Float64Array(n).map((_, i) => 0.1 + 0.13 * i);
    const comb = (a: ArrayLike<number>, b: ArrayLike<number>): number[] => Array.from(a, (ai, i) => (1 + w) * ai - w * (b[i] as number));
    const cd = withCondition(gaussianConditioned, c), un = withCondition(gaussianConditioned, nullBatch);
    expect(Array.from(g.evaluate(x, t).data)).toEqual(comb(cd.evaluate(x, t).data, un.evaluate(x, t).data));
    expect(Array.from(g.jvp?.(x, t, v).data ?? [])).toEqual(comb(cd.jvp?.(x, t, v).data ?? [], un.jvp?.(x, t, v).data ?? []));
    expect(Array.from(g.divergence?.(x, t) ?? [])).toEqual(comb(cd.divergence?.(x, t) ?? [], un.divergence?.(x, t) ?? []));
    expect(conditionGuidance(gaussianConditioned, c, nul, 0).evaluate(x, t).data).toEqual(cd.evaluate(x, t).data);
  });
});

describe("extras reach the model through withCondition and conditionGuidance", () => {
  // the same Gaussian field, with its target shifted by extras.shift: x0 -> c + shift + s x0
  const seen: unknown[] = [];
  const shifted = (cond: Batch, extras?: Readonly<Record<string, unknown>>): Batch => {
    seen.push(extras);
    const shift = (extras?.shift as number | undefined) ?? 0;
    return fromData(Float64Array.from(cond.data, (v) => v + shift), cond.shape as [number, number]);
  };
  const field: ConditionedVelocityField = {
    dim: 2, conditionDim: 2,
    evaluateConditioned: (x, t, cond, out, extras) => gaussianConditioned.evaluateConditioned(x, t, shifted(cond, extras), out),
    jvpConditioned: (x, t, cond, v, out, extras) => (gaussianConditioned.jvpConditioned as NonNullable<ConditionedVelocityField["jvpConditioned"]>)(x, t, shifted(cond, extras), v, out),
  };

  it("sample and logLikelihood (Hutchinson through the bound jvp) see options.extras on every call", () => {
    const extras = { shift: 1.5 };
    seen.length = 0;
    const r = sample(withCondition(field, c, { extras }), x0, { rtol: 1e-10, atol: 1e-10 });
    for (let i = 0; i < n * 2; i++) expect(Math.abs((r.y.data[i] as number) - ((c.data[i] as number) + 1.5 + s * (x0.data[i] as number)))).toBeLessThan(1e-7);
    const ll = logLikelihood(withCondition(field, c, { extras }), r.y, { rtol: 1e-10, atol: 1e-10, divergence: "hutchinson", rng: new Random(1), probes: 1 });
    for (let i = 0; i < n; i++) expect(Math.abs((ll.logProb[i] as number) - (-0.5 * ((x0.data[2 * i] as number) ** 2 + (x0.data[2 * i + 1] as number) ** 2) / 1 - Math.log(2 * Math.PI * s * s)))).toBeLessThan(1e-6);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.every((e) => e === extras)).toBe(true);
    // without extras the model gets undefined: the unshifted flow
    const plain = sample(withCondition(field, c), x0, { rtol: 1e-10, atol: 1e-10 });
    expect(Math.abs((plain.y.data[0] as number) - ((c.data[0] as number) + s * (x0.data[0] as number)))).toBeLessThan(1e-7);
  });

  it("conditionGuidance passes them to both branches; an Mlp ignores them (same bits)", async () => {
    const extras = { shift: -2 };
    const x = new Random(5).normalBatch(n, 2);
    const g = conditionGuidance(field, c, [0, 0], 0.5, { extras });
    const shiftedC = fromData(Float64Array.from(c.data, (v) => v - 2), [n, 2]);
    expect(g.evaluate(x, 0.3).data).toEqual(conditionGuidance(gaussianConditioned, shiftedC, [-2, -2], 0.5).evaluate(x, 0.3).data);
    const { mlp } = await import("../../src/index.js");
    const net = mlp({ dim: 2, hidden: [8], conditionDim: 2, seed: 1 });
    expect(withCondition(net, c, { extras }).evaluate(x, 0.3).data).toEqual(withCondition(net, c).evaluate(x, 0.3).data);
  });
});

describe("bad conditions are typed errors", () => {
  it("wrong row count, NaN conditions, wrong width, per-sample steps, bad fields and scales", () => {
    expect(() => sample(withCondition(gaussianConditioned, c), fromRows([[0, 0], [1, 1]]))).toThrow(ShapeError);
    expect(() => sample(withCondition(gaussianConditioned, c), fromRows([[0, 0], [1, 1]]))).toThrow(/withCondition\(\): condition must have one row per row of x \(2/);
    expect(() => withCondition(gaussianConditioned, fromRows([[0, Number.NaN]]))).toThrow(NonFiniteError);
    expect(() => withCondition(gaussianConditioned, fromRows([[0, 1, 2]]))).toThrow(ShapeError);
    expect(() => withCondition({ dim: 2 } as unknown as ConditionedVelocityField, c)).toThrow(DomainError);
    expect(() => conditionGuidance(gaussianConditioned, c, [0, 0], Number.NaN)).toThrow(NonFiniteError);
    expect(() => conditionGuidance(gaussianConditioned, c, [0], 1)).toThrow(ShapeError);
    // rows with very different conditions finish at different steps: per-sample steps retire rows
    const far = fromRows([[0, 0], [400, -400], [0, 0], [0, 0], [0, 0], [0, 0]]);
    expect(() => sample(withCondition(gaussianConditioned, far), x0, { perSample: true })).toThrow(ShapeError);
  });
});

describe("the Riemannian solver takes a conditioned field", () => {
  it("on the circle, u(x | c) = c J x rotates each row by its own angle c (RK4, 400 steps: error O((c h)^4) ~ 1e-11, checked to 1e-9)", async () => {
    const { riemannianSample, sphere } = await import("../../src/index.js");
    const rotation: ConditionedVelocityField = {
      dim: 2, conditionDim: 1,
      evaluateConditioned: (x, _t, cond) => fromData(Float64Array.from(x.data, (_, k) => {
        const i = Math.floor(k / 2), a = cond.data[i] as number;
        return k % 2 === 0 ? -a * (x.data[k + 1] as number) : a * (x.data[k - 1] as number);
      }), [x.shape[0] as number, 2]),
    };
    const angles = [0.3, -1.2, 2.5];
    const start = fromRows([[1, 0], [0, 1], [Math.SQRT1_2, Math.SQRT1_2]]);
    const r = riemannianSample(withCondition(rotation, fromRows(angles.map((a) => [a]))), sphere(2), start, { method: "rk4", steps: 400 });
    angles.forEach((a, i) => {
      const [u, v] = [start.data[2 * i] as number, start.data[2 * i + 1] as number];
      expect(Math.abs((r.x.data[2 * i] as number) - (Math.cos(a) * u - Math.sin(a) * v))).toBeLessThan(1e-9);
      expect(Math.abs((r.x.data[2 * i + 1] as number) - (Math.sin(a) * u + Math.cos(a) * v))).toBeLessThan(1e-9);
    });
  });
});

describe("conditionGuidance checks what the conditioned field returns", () => {
  const field = (value: (c: Batch) => unknown): ConditionedVelocityField => ({ dim: 1, conditionDim: 1, evaluateConditioned: (_x, _t, cond) => value(cond) as Batch });
  const x = fromRows([[1]]);
  it("nothing, the wrong rows or NaN is a typed error naming field.evaluateConditioned (not a TypeError or NaN)", () => {
    expect(() => conditionGuidance(field(() => undefined), fromRows([[1]]), [0], 1).evaluate(x, 0.5))
      .toThrow(/^conditionGuidance\.evaluate\(\): field\.evaluateConditioned must return a batch of shape \[1, 1\], got undefined$/);
    expect(() => conditionGuidance(field(() => zeros(0, 1)), fromRows([[1]]), [0], 1).evaluate(x, 0.5)).toThrow(ShapeError);
    expect(() => conditionGuidance(field(() => fromRows([[Number.NaN]])), fromRows([[1]]), [0], 1).evaluate(x, 0.5)).toThrow(NonFiniteError);
  });
  it("a guided value that overflows in (1 + w) c - w u but not in c + w (c - u) is finite", () => {
    expect(Array.from(conditionGuidance(field(() => fromRows([[-1e308]])), fromRows([[1]]), [0], 1e308).evaluate(x, 0.5).data)).toEqual([-1e308]);
  });
});

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import ndarray from "ndarray";
import { Random, condOT, cosine, fromRows, lipmanPath, linearVP, polynomial, scheduleTransform, vp, zeros, DomainError, NonFiniteError, ShapeError } from "../../src/index.js";
import type { Batch, Scheduler, VelocityField } from "../../src/index.js";
import { gaussianField, rk4 } from "./helpers.js";

const mu = [2, -1];
const s = [0.5, 1.5];

describe("scheduleTransform", () => {
  it("the condOT Gaussian field transformed to cosine integrates (RK4, 2000 steps) to the same end samples as the closed-form cosine field, to 1e-10", () => {
    const x0 = new Random(7).normalBatch(16, 2);
    const transformed = scheduleTransform(gaussianField(condOT(), mu, s), { from: condOT(), to: cosine() });
    const a = rk4(transformed, x0, 2000);
    const b = rk4(gaussianField(cosine(), mu, s), x0, 2000);
    for (let k = 0; k < a.data.length; k++) expect(Math.abs((a.data[k] as number) - (b.data[k] as number))).toBeLessThan(1e-10);
    // Both also land on the exact transport map x1 = mu + s x0 of the Gaussian path.
    for (let k = 0; k < a.data.length; k++) {
      const j = k % 2;
      expect(Math.abs((a.data[k] as number) - ((mu[j] as number) + (s[j] as number) * (x0.data[k] as number)))).toBeLessThan(1e-9);
    }
  });

  it("pointwise: transform(u_A, A -> B) equals the closed-form field u_B for random scheduler pairs, times and points (rel 1e-9)", () => {
    const schedulers: Scheduler[] = [condOT(), polynomial(2), polynomial(0.7), cosine(), linearVP(), vp()];
    const sources = schedulers.filter((x) => x.name !== vp().name);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sources.length - 1 }), fc.integer({ min: 0, max: schedulers.length - 1 }),
        fc.double({ min: 0.02, max: 0.98, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }),
        (i, j, r, x, y) => {
          const A = sources[i] as Scheduler;
          const B = schedulers[j] as Scheduler;
          const v = scheduleTransform(gaussianField(A, mu, s), { from: A, to: B }).evaluate(fromRows([[x, y]]), r);
          const w = gaussianField(B, mu, s).evaluate(fromRows([[x, y]]), r);
          for (let k = 0; k < 2; k++) expect(Math.abs((v.data[k] as number) - (w.data[k] as number))).toBeLessThan(1e-9 * Math.max(1, Math.abs(w.data[k] as number)));
        }),
      { seed: 42, numRuns: 200 },
    );
  });

  it("per-row times and the divergence d c'/c + t' div u match the closed form", () => {
    const A = condOT();
    const B = cosine();
    const v = scheduleTransform(gaussianField(A, mu, s), { from: A, to: B });
    const x = fromRows([[0.3, -0.2], [1, 2], [-1, 0.5]]);
    const t = new Float64Array([0, 0.4, 1]);
    const got = v.evaluate(x, t);
    const want = gaussianField(B, mu, s).evaluate(x, t);
    for (let k = 0; k < 6; k++) expect(got.data[k]).toBeCloseTo(want.data[k] as number, 10);
    const div = v.divergence?.(x, t) as Float64Array;
    const divWant = gaussianField(B, mu, s).divergence?.(x, t) as Float64Array;
    for (let i = 0; i < 3; i++) expect(div[i]).toBeCloseTo(divWant[i] as number, 10);
  });

  it("throws DomainError for a source without snrInverse, and where B's SNR is outside A's range (A = VP at r = 0)", () => {
    const noInverse = { name: "plain", at: condOT().at };
    expect(() => scheduleTransform(gaussianField(condOT(), mu, s), { from: noInverse, to: cosine() })).toThrow(DomainError);
    const v = scheduleTransform(gaussianField(vp(), mu, s), { from: vp(), to: condOT() });
    expect(() => v.evaluate(fromRows([[0, 0]]), 0)).toThrow(/snr/);
    expect(() => scheduleTransform(gaussianField(condOT(), mu, s), { from: condOT(), to: linearVP() }).evaluate(fromRows([[0, 0]]), 1)).toThrow(DomainError);
  });
});

describe("scheduleTransform checks what it is given and what the field returns", () => {
  const identity: VelocityField = { dim: 1, evaluate: (x: Batch) => x };
  const x = fromRows([[1], [2]]);

  it("a missing or malformed options.to is a DomainError naming it (not a TypeError at evaluate)", () => {
    expect(() => scheduleTransform(identity, { from: condOT() } as never)).toThrow(/^scheduleTransform\(\): options\.to must be a Scheduler/);
    expect(() => scheduleTransform(identity, { from: condOT(), to: { name: "x" } } as never)).toThrow(DomainError);
  });

  it("a wrapped field returning the wrong rows, nothing or NaN, or a divergence of the wrong length, is a typed error (not NaN)", () => {
    const options = { from: condOT(), to: cosine() };
    expect(() => scheduleTransform({ dim: 1, evaluate: () => zeros(0, 1) }, options).evaluate(x, 0.5)).toThrow(ShapeError);
    expect(() => scheduleTransform({ dim: 1, evaluate: () => zeros(0, 1) }, options).evaluate(x, 0.5))
      .toThrow(/^scheduleTransform\.evaluate\(\): field\.evaluate must return a batch of shape \[2, 1\], got \[0, 1\]$/);
    expect(() => scheduleTransform({ dim: 1, evaluate: () => undefined as never }, options).evaluate(x, 0.5)).toThrow(ShapeError);
    expect(() => scheduleTransform({ dim: 1, evaluate: () => fromRows([[Number.NaN], [0]]) }, options).evaluate(x, 0.5)).toThrow(NonFiniteError);
    const shortDivergence = { ...identity, divergence: () => new Float64Array(0) };
    expect(() => scheduleTransform(shortDivergence, options).divergence?.(x, 0.5)).toThrow(/^scheduleTransform\.divergence\(\): field\.divergence must return 2 values/);
  });

  it("a field returning a transposed view is read through its strides", () => {
    const d2: VelocityField = { dim: 2, evaluate: () => ndarray(new Float64Array([1, 3, 2, 4]), [2, 2]).transpose(1, 0) as Batch };
    const v = scheduleTransform(d2, { from: condOT(), to: condOT() }).evaluate(fromRows([[0, 0], [0, 0]]), 0.5);
    expect(Array.from(v.data)).toEqual([1, 2, 3, 4]);
  });

  it("from = lipman(0.1), whose SNR ends at 10: where to's SNR passes it (r near 1 for condOT) the error is the SNR's, not a time 1.11 outside [0, 1]", () => {
    const lipman = lipmanPath({ sigmaMin: 0.1 }).scheduler;
    const v = scheduleTransform(identity, { from: lipman, to: condOT() });
    expect(() => v.evaluate(fromRows([[1]]), 1 - 1e-12)).toThrow(DomainError);
    expect(() => v.evaluate(fromRows([[1]]), 1 - 1e-12)).toThrow(/snrInverse\(\): snr must be a number in \[0, 10/);
    expect(Number.isFinite(v.evaluate(fromRows([[1]]), 0.5).data[0])).toBe(true);
  });

  it("a user snrInverse that returns a time outside [0, 1] is a DomainError naming options.from.snrInverse", () => {
    const broken = { ...condOT(), snrInverse: () => 1.5 };
    expect(() => scheduleTransform(identity, { from: broken, to: cosine() }).evaluate(x, 0.5)).toThrow(/^scheduleTransform\.evaluate\(\): options\.from\.snrInverse must return a time in \[0, 1\]/);
  });
});

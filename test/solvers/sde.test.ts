import { describe, expect, it } from "vitest";
import {
  DomainError, NonFiniteError, Random, condOT, cosine, fromRows, gaussianMixture, marginalVelocity, mmdSquared, powerGrid,
  sample, sdeSample, sdeSampleAsync, standardNormal, withCondition, fromData,
} from "../../src/index.js";
import type { AsyncVelocityField, Batch, ConditionedVelocityField, VelocityField } from "../../src/index.js";

// Gaussian -> Gaussian mixture on the condOT path: marginalVelocity gives the exact marginal
// field u_t, so the only errors left are the SDE's discretisation and sampling noise.
const target = gaussianMixture({ means: [[-2, 0], [2, 1], [0, 3]], stds: [[0.3, 0.3], [0.5, 1], [0.8, 0.8]], weights: [0.2, 0.5, 0.3] });
const field = marginalVelocity(condOT(), target);
const N = 1500;
const mmdOptions = { biased: true, bandwidths: [0.25, 0.5, 1, 2] };
const maxAbsDiff = (a: Batch, b: Batch): number => Math.max(...Array.from(a.data, (v, i) => Math.abs(v - (b.data[i] as number))));

describe("sdeSample with g = 0 is the ODE sampler", () => {
  const x0 = standardNormal(2).sample(200, new Random(5));
  it("Euler–Maruyama = sample(method euler), Heun = sample(method heun2), on the same grid, to 1e-10", () => {
    const grid = powerGrid(40, 2);
    const em = sdeSample(field, x0, { scheduler: condOT(), method: "euler-maruyama", timeGrid: grid, rng: new Random(1) });
    const heun = sdeSample(field, x0, { scheduler: condOT(), method: "heun", timeGrid: grid, rng: new Random(1), diffusion: () => 0 });
    const euler = sample(field, x0, { method: "euler", timeGrid: grid });
    const heun2 = sample(field, x0, { method: "heun2", timeGrid: grid });
    expect(maxAbsDiff(em.x, euler.y)).toBeLessThanOrEqual(1e-10);
    expect(maxAbsDiff(heun.x, heun2.y)).toBeLessThanOrEqual(1e-10);
    expect(em.nfe).toBe(40);
    expect(heun.nfe).toBe(80);
    // and the two methods differ (the test would not notice a swapped method otherwise)
    expect(maxAbsDiff(em.x, heun.x)).toBeGreaterThan(1e-4);
  });

  it("returnIntermediates gives the state at every node, the last equal to x", () => {
    const r = sdeSample(field, x0, { scheduler: condOT(), diffusion: (t) => 1 - t, steps: 10, rng: new Random(2), returnIntermediates: true });
    expect(r.times?.length).toBe(11);
    expect(r.trajectory?.[0]?.data).toEqual(x0.data);
    expect(r.trajectory?.[10]?.data).toEqual(r.x.data);
    // truncating the grid at node k with the same seed reproduces trajectory[k]
    const alone = sdeSample(field, x0, { scheduler: condOT(), diffusion: (t) => 1 - t, timeGrid: r.times?.slice(0, 5) as Float64Array, rng: new Random(2) });
    expect(r.trajectory?.[4]?.data).toEqual(alone.x.data);
  });
});

describe("sdeSample keeps the marginals for several diffusions g", () => {
  // Reference level: the mean biased MMD^2 between two independent exact sample sets of size N
  // (3 pairs; about 4e-3 at N = 1500, and a single exact-vs-exact pair ranged over 0.7x to 1.9x
  // of the mean in 6 trials). The SDE's samples must be within a factor 3 of the level (measured:
  // 1.2x to 1.9x for these seeds). A sampler that forms the score with the wrong path (the score
  // term matters for g > 0) lands at 5.6x, so the factor 3 has power.
  let level = 0;
  for (let r = 0; r < 3; r++) level += mmdSquared(target.sample(N, new Random(100 + r)), target.sample(N, new Random(200 + r)), mmdOptions) / 3;
  const x0 = standardNormal(2).sample(N, new Random(1));
  const diffusions: [string, (t: number) => number][] = [
    ["g = 1 - t", (t) => 1 - t],
    ["g = 2 (1 - t)", (t) => 2 * (1 - t)],
    ["g = 3 t (1 - t)", (t) => 3 * t * (1 - t)],
  ];
  for (const [method, steps] of [["euler-maruyama", 400], ["heun", 200]] as const) {
    for (const [name, g] of diffusions) {
      it(`${method}, ${steps} steps, ${name}: MMD^2 to exact samples <= 3 x the exact-vs-exact level`, () => {
        const r = sdeSample(field, x0, { scheduler: condOT(), diffusion: g, method, steps, rng: new Random(2) });
        const m = mmdSquared(r.x, target.sample(N, new Random(3)), mmdOptions);
        expect(m, `MMD^2 ${m} vs level ${level}`).toBeLessThanOrEqual(3 * level);
      });
    }
  }

  it("power: the score of the wrong path (cosine for a condOT field) misses the target by > 3 x the level", () => {
    const r = sdeSample(field, x0, { scheduler: cosine(), diffusion: (t) => 2 * (1 - t), method: "heun", steps: 200, rng: new Random(2) });
    const m = mmdSquared(r.x, target.sample(N, new Random(3)), mmdOptions);
    expect(m, `MMD^2 ${m} vs level ${level}`).toBeGreaterThan(3 * level);
  });
});

describe("sdeSample Heun into sigma = 0", () => {
  it("with g(1) > 0 the last Heun step is an Euler-Maruyama step (no score at t = 1): finite, one evaluation fewer", () => {
    // before: a DomainError for every constant g with method "heun" (the corrector formed the score at t = 1)
    const x0 = standardNormal(2).sample(64, new Random(5));
    const r = sdeSample(field, x0, { scheduler: condOT(), diffusion: 0.5, method: "heun", steps: 4, rng: new Random(6) });
    expect(r.nfe).toBe(2 * 3 + 1);
    for (const v of r.x.data) expect(Number.isFinite(v)).toBe(true);
    // the same run with g vanishing only at t = 1 keeps the corrector on every step
    expect(sdeSample(field, x0, { scheduler: condOT(), diffusion: (t) => 0.5 * (1 - t), method: "heun", steps: 4, rng: new Random(6) }).nfe).toBe(8);
  });
});

describe("sdeSample rejects bad input with typed errors", () => {
  const x0 = fromRows([[0, 0]]);
  const base = { scheduler: condOT(), rng: new Random(0), steps: 4 };
  it("negative or NaN g, g > 0 where sigma_t = 0, bad grids, methods, generators and shapes", () => {
    expect(() => sdeSample(field, x0, { ...base, diffusion: -1 })).toThrow(/sdeSample\(\): options.diffusion must be finite and >= 0/);
    expect(() => sdeSample(field, x0, { ...base, diffusion: () => Number.NaN })).toThrow(DomainError);
    // a scheduler whose sigma vanishes inside the grid: g > 0 there has no score
    const pinched = { name: "pinched", at: (t: number) => ({ alpha: t, sigma: Math.abs(1 - 2 * t), dAlpha: 1, dSigma: t < 0.5 ? -2 : 2 }) };
    expect(() => sdeSample(field, x0, { ...base, scheduler: pinched as never, diffusion: 0.5 })).toThrow(/be 0 where sigma_t = 0/);
    expect(() => sdeSample(field, x0, { ...base, timeGrid: [0, 0.5, 0.4, 1] })).toThrow(DomainError);
    expect(() => sdeSample(field, x0, { ...base, timeGrid: [1, 0] })).toThrow(/options.timeGrid must increase/);
    expect(() => sdeSample(field, x0, { ...base, method: "rk4" as "heun" })).toThrow(DomainError);
    expect(() => sdeSample(field, x0, { ...base, rng: {} as Random })).toThrow(/options.rng must be a Random/);
    expect(() => sdeSample(field, fromRows([[0, 0, 0]]), base)).toThrow(/sdeSample\(\): x0/);
    const nan: VelocityField = { dim: 2, evaluate: (x) => fromRows(Array.from({ length: x.shape[0] as number }, () => [Number.NaN, 0])) };
    expect(() => sdeSample(nan, x0, base)).toThrow(NonFiniteError);
  });
});

describe("sdeSampleAsync runs the stepping code of sdeSample", () => {
  // the same field, answering on a later tick
  const later: AsyncVelocityField = { dim: 2, evaluateAsync: (x, t) => new Promise((resolve) => setTimeout(() => resolve(field.evaluate(x, t)), 0)) };
  const x0 = standardNormal(2).sample(64, new Random(7));
  for (const method of ["euler-maruyama", "heun"] as const) {
    it(`${method}: bit-identical samples, intermediates and nfe for a field resolving later`, async () => {
      const options = { scheduler: condOT(), method, diffusion: (t: number) => 0.8 * (1 - t), timeGrid: powerGrid(12, 2), returnIntermediates: true };
      const sync = sdeSample(field, x0, { ...options, rng: new Random(3) });
      const async = await sdeSampleAsync(later, x0, { ...options, rng: new Random(3) });
      expect(Array.from(async.x.data)).toEqual(Array.from(sync.x.data));
      expect(async.nfe).toBe(sync.nfe);
      expect(async.trajectory?.map((b) => Array.from(b.data))).toEqual(sync.trajectory?.map((b) => Array.from(b.data)));
    });
  }

  it("rejects what sdeSample rejects, and passes on the field's rejection", async () => {
    await expect(sdeSampleAsync(later, x0, { scheduler: condOT(), rng: new Random(1), diffusion: -1 })).rejects.toThrow(/sdeSampleAsync\(\): options.diffusion must be finite and >= 0/);
    await expect(sdeSampleAsync(later, fromRows([[0, 0, 0]]), { scheduler: condOT(), rng: new Random(1) })).rejects.toThrow(/x0/);
    const failing: AsyncVelocityField = { dim: 2, evaluateAsync: () => Promise.reject(new Error("device lost")) };
    await expect(sdeSampleAsync(failing, x0, { scheduler: condOT(), rng: new Random(1) })).rejects.toThrow("device lost");
    const nan: AsyncVelocityField = { dim: 2, evaluateAsync: async (x) => fromData(new Float64Array(x.data.length).fill(Number.NaN), [x.shape[0] as number, 2]) };
    await expect(sdeSampleAsync(nan, x0, { scheduler: condOT(), rng: new Random(1) })).rejects.toThrow(NonFiniteError);
  });

  it("takes a conditioned field bound with withCondition: each row follows its own condition", () => {
    // u_t(x | c) = c - x for one row per condition; with g = 0 and Euler steps x_k+1 = x_k + h (c - x_k)
    const conditioned: ConditionedVelocityField = {
      dim: 1, conditionDim: 1,
      evaluateConditioned: (x, t, c) => fromData(Float64Array.from(x.data, (v, i) => (c.data[i] as number) - v), [x.shape[0] as number, 1]),
    };
    const r = sdeSample(withCondition(conditioned, fromRows([[2], [-1]])), fromRows([[0], [0]]), { scheduler: condOT(), steps: 4, rng: new Random(1) });
    const closed = (c: number) => c * (1 - 0.75 ** 4);
    expect(r.x.data[0]).toBeCloseTo(closed(2), 14);
    expect(r.x.data[1]).toBeCloseTo(closed(-1), 14);
  });
});

describe("sdeSample at extreme scales", () => {
  const zero: VelocityField = { dim: 1, evaluate: (x) => fromData(new Float64Array(x.shape[0] as number), [x.shape[0] as number, 1]) };

  it("g = 1e155 (g^2 / 2 overflows): the drift g^2 s / 2 is formed scaled, so the sample is finite and matches the closed form", () => {
    // u = 0 on condOT at t = 0: s = -x, drift = -g^2 x / 2, so x' = x - h g^2 x / 2 + g sqrt(h) z
    const g = 1e155, h = 0.5, x0 = 1e-300;
    const r = sdeSample(zero, fromRows([[x0]]), { scheduler: condOT(), rng: new Random(1), timeGrid: [0, h], diffusion: g });
    const z = new Float64Array(1);
    new Random(1).fillNormal(z);
    const want = x0 - h * 0.5 * g * (g * x0) + g * Math.sqrt(h) * (z[0] as number);
    expect(Number.isFinite(r.x.data[0])).toBe(true);
    expect(Math.abs((r.x.data[0] as number) - want)).toBeLessThanOrEqual(1e-12 * Math.abs(want));
  });

  it("a state that overflows is a NonFiniteError naming sdeSample and the step, not -Infinity or another function's check", () => {
    const options = { scheduler: condOT(), rng: new Random(1), timeGrid: [0, 0.5, 0.7], diffusion: 1e200 };
    expect(() => sdeSample(zero, fromRows([[1]]), options)).toThrow(NonFiniteError);
    expect(() => sdeSample(zero, fromRows([[1]]), { ...options, rng: new Random(1) })).toThrow(/^sdeSample\(\): x must stay finite .* after step 0/);
    expect(() => sdeSample(zero, fromRows([[1]]), { ...options, rng: new Random(1), method: "heun" })).toThrow(/^sdeSample\(\): x must stay finite/);
    expect(() => sdeSample(zero, fromRows([[1]]), { ...options, rng: new Random(1), returnIntermediates: "yes" as never })).toThrow(/options\.returnIntermediates must be true or false/);
  });
});

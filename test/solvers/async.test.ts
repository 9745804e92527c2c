/*
 * The async solvers run the same stepping code as the sync ones: for a field evaluated both
 * ways with the same numbers, every output (states, trajectories, log-likelihoods, statistics,
 * errors and their partial states) is bit-identical.
 */
import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import type { Batch } from "../../src/core/batch.js";
import { zeros } from "../../src/core/batch.js";
import { ConvergenceError, DomainError, FlowMatchingError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import type { AsyncVelocityField, VelocityField } from "../../src/core/interfaces.js";
import type { Time } from "../../src/core/time.js";
import { timeAt } from "../../src/core/time.js";
import { Random } from "../../src/random/random.js";
import { integrate, integrateAsync } from "../../src/solvers/integrate.js";
import type { IntegrateOptions, OdeResult } from "../../src/solvers/integrate.js";
import type { OdeFunction } from "../../src/solvers/evaluate.js";
import { logLikelihood, logLikelihoodAsync } from "../../src/solvers/likelihood.js";
import type { LogLikelihoodOptions, LogLikelihoodResult } from "../../src/solvers/likelihood.js";
import { sample, sampleAsync } from "../../src/solvers/sample.js";
import type { MethodName } from "../../src/solvers/tableau.js";

const D = 3;

/** A nonlinear, time-dependent field: u_t(x)_j = sin(x_{j+1}) (1 + t) - 0.5 x_j + t x_j x_{j+2} / (1 + x_j^2). */
function u(x: Batch, t: Time, out: Batch): Batch {
  const n = x.shape[0] as number;
  const d = x.shape[1] as number;
  for (let i = 0; i < n; i++) {
    const ti = timeAt(t, i);
    for (let j = 0; j < d; j++) {
      const a = x.data[i * d + j] as number;
      const b = x.data[i * d + ((j + 1) % d)] as number;
      const c = x.data[i * d + ((j + 2) % d)] as number;
      out.data[i * d + j] = Math.sin(b) * (1 + ti) - 0.5 * a + (ti * a * c) / (1 + a * a);
    }
  }
  return out;
}

/** Its JVP, from the analytic Jacobian. */
function uJvp(x: Batch, t: Time, v: Batch, out: Batch): Batch {
  const n = x.shape[0] as number;
  const d = x.shape[1] as number;
  for (let i = 0; i < n; i++) {
    const ti = timeAt(t, i);
    for (let j = 0; j < d; j++) {
      const a = x.data[i * d + j] as number;
      const b = x.data[i * d + ((j + 1) % d)] as number;
      const c = x.data[i * d + ((j + 2) % d)] as number;
      const q = 1 + a * a;
      const da = -0.5 + (ti * c * (1 - a * a)) / (q * q);
      const db = Math.cos(b) * (1 + ti);
      const dc = (ti * a) / q;
      out.data[i * d + j] = da * (v.data[i * d + j] as number) + db * (v.data[i * d + ((j + 1) % d)] as number) + dc * (v.data[i * d + ((j + 2) % d)] as number);
    }
  }
  return out;
}

/** Its VJP J^T v: (J^T v)_k = sum_j J_jk v_j. */
function uVjp(x: Batch, t: Time, v: Batch, out: Batch): Batch {
  const n = x.shape[0] as number;
  const d = x.shape[1] as number;
  out.data.fill(0);
  for (let i = 0; i < n; i++) {
    const ti = timeAt(t, i);
    for (let j = 0; j < d; j++) {
      const a = x.data[i * d + j] as number;
      const b = x.data[i * d + ((j + 1) % d)] as number;
      const c = x.data[i * d + ((j + 2) % d)] as number;
      const q = 1 + a * a;
      const vj = v.data[i * d + j] as number;
      out.data[i * d + j] = (out.data[i * d + j] as number) + (-0.5 + (ti * c * (1 - a * a)) / (q * q)) * vj;
      out.data[i * d + ((j + 1) % d)] = (out.data[i * d + ((j + 1) % d)] as number) + Math.cos(b) * (1 + ti) * vj;
      out.data[i * d + ((j + 2) % d)] = (out.data[i * d + ((j + 2) % d)] as number) + ((ti * a) / q) * vj;
    }
  }
  return out;
}

type Kind = "evaluate" | "jvp" | "vjp" | "divergence";

/** The same field as a sync VelocityField (with the chosen capabilities) and as an async one whose calls resolve on a later macrotask. */
function fields(kinds: Kind[]): { sync: VelocityField; async: AsyncVelocityField; calls: { inFlight: number; maxInFlight: number } } {
  const calls = { inFlight: 0, maxInFlight: 0 };
  const divergence = (x: Batch, t: Time, out?: Float64Array): Float64Array => {
    const n = x.shape[0] as number;
    const r = out ?? new Float64Array(n);
    const e = zeros(n, D);
    const jv = zeros(n, D);
    r.fill(0);
    for (let j = 0; j < D; j++) {
      e.data.fill(0);
      for (let i = 0; i < n; i++) e.data[i * D + j] = 1;
      uJvp(x, t, e, jv);
      for (let i = 0; i < n; i++) r[i] = (r[i] as number) + (jv.data[i * D + j] as number);
    }
    return r;
  };
  const sync: VelocityField = { dim: D, evaluate: (x, t, out) => u(x, t, out ?? zeros(x.shape[0] as number, D)) };
  if (kinds.includes("jvp")) sync.jvp = (x, t, v, out) => uJvp(x, t, v, out ?? zeros(x.shape[0] as number, D));
  if (kinds.includes("vjp")) sync.vjp = (x, t, v, out) => uVjp(x, t, v, out ?? zeros(x.shape[0] as number, D));
  if (kinds.includes("divergence")) sync.divergence = divergence;
  const later = async <R>(work: () => R): Promise<R> => {
    calls.inFlight++;
    calls.maxInFlight = Math.max(calls.maxInFlight, calls.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    calls.inFlight--;
    return work();
  };
  // the async field returns fresh batches (not `out`): the solvers must copy them
  const async: AsyncVelocityField = { dim: D, evaluateAsync: (x, t) => later(() => u(x, t, zeros(x.shape[0] as number, D))) };
  if (kinds.includes("jvp")) async.jvpAsync = (x, t, v) => later(() => uJvp(x, t, v, zeros(x.shape[0] as number, D)));
  if (kinds.includes("vjp")) async.vjpAsync = (x, t, v) => later(() => uVjp(x, t, v, zeros(x.shape[0] as number, D)));
  if (kinds.includes("divergence")) async.divergenceAsync = (x, t) => later(() => divergence(x, t));
  return { sync, async, calls };
}

function starts(n: number, seed: number): Batch {
  return new Random(seed).normalBatch(n, D);
}

function expectSameResult(a: OdeResult, b: OdeResult): void {
  expect(Array.from(b.y.data)).toEqual(Array.from(a.y.data));
  expect(b.statistics).toEqual(a.statistics);
  expect(b.times).toEqual(a.times);
  expect(b.trajectory?.map((s) => Array.from(s.data))).toEqual(a.trajectory?.map((s) => Array.from(s.data)));
}

const CASES: { name: string; options: IntegrateOptions }[] = [
  ...(["euler", "midpoint", "heun2", "ralston", "heun3", "rk4", "rk38"] as MethodName[]).map((method) => ({ name: `${method}, 7 steps`, options: { method, steps: 7 } })),
  ...(["bosh3", "dopri5", "tsit5", "dop853"] as MethodName[]).map((method) => ({ name: `${method} adaptive`, options: { method, rtol: 1e-7, atol: 1e-9 } })),
  { name: "dopri5 fixed steps (FSAL reuse)", options: { method: "dopri5", stepSize: 0.13 } },
  { name: "dopri5 per-sample steps with landed outputs", options: { method: "dopri5", perSample: true, times: [0.25, 0.5, 1], rtol: 1e-6 } },
  { name: "dop853 dense output", options: { method: "dop853", times: [0, 0.3, 0.7, 1], interpolate: true } },
  { name: "tsit5 per-sample dense output", options: { method: "tsit5", perSample: true, times: [0.1, 0.9], interpolate: true } },
  { name: "backwards with a PI controller", options: { t0: 1, t1: 0.2, method: "dopri5", controller: { beta: 0.08 }, rtol: 1e-8 } },
];

describe("sampleAsync", () => {
  for (const { name, options } of CASES) {
    it(`equals sample bit for bit with the same statistics: ${name}`, async () => {
      const { sync, async, calls } = fields(["evaluate"]);
      const x0 = starts(9, 7);
      const before = Float64Array.from(x0.data);
      const expected = sample(sync, x0, options);
      const got = await sampleAsync(async, x0, options);
      expectSameResult(expected, got);
      expect(calls.maxInFlight).toBe(1);
      expect(Array.from(x0.data)).toEqual(Array.from(before));
    });
  }

  it("takes a synchronous VelocityField too (same result as sample)", async () => {
    const { sync } = fields(["evaluate"]);
    const x0 = starts(4, 1);
    expectSameResult(sample(sync, x0), await sampleAsync(sync, x0));
  });

  it("rejects with ConvergenceError carrying the same partial state as sample", async () => {
    const { sync, async } = fields(["evaluate"]);
    const x0 = starts(5, 2);
    const options = { rtol: 1e-12, atol: 1e-12, maxSteps: 4 };
    let expected: unknown;
    try {
      sample(sync, x0, options);
    } catch (e) {
      expected = e;
    }
    expect(expected).toBeInstanceOf(ConvergenceError);
    const got = await sampleAsync(async, x0, options).catch((e: unknown) => e);
    expect(got).toBeInstanceOf(ConvergenceError);
    const pe = (expected as ConvergenceError).partial as { t: number; y: Batch; statistics: unknown };
    const pg = (got as ConvergenceError).partial as { t: number; y: Batch; statistics: unknown };
    expect((got as Error).message).toBe((expected as Error).message.replace("sample()", "sampleAsync()"));
    expect(pg.t).toBe(pe.t);
    expect(Array.from(pg.y.data)).toEqual(Array.from(pe.y.data));
    expect(pg.statistics).toEqual(pe.statistics);
  });

  it("bad fields and bad values reject with typed errors naming the argument", async () => {
    const x0 = starts(3, 3);
    await expect(sampleAsync({ dim: D } as unknown as AsyncVelocityField, x0)).rejects.toThrow(DomainError);
    await expect(sampleAsync({ dim: D } as unknown as AsyncVelocityField, x0)).rejects.toThrow(/sampleAsync\(\): field must be/);
    const wrongShape: AsyncVelocityField = { dim: D, evaluateAsync: async (x) => zeros(x.shape[0] as number, D + 1) };
    await expect(sampleAsync(wrongShape, x0)).rejects.toThrow(ShapeError);
    await expect(sampleAsync(wrongShape, x0)).rejects.toThrow(/field\.evaluateAsync must return a batch of shape \[3, 3\], got \[3, 4\]/);
    const nan: AsyncVelocityField = { dim: D, evaluateAsync: async (x) => { const o = zeros(x.shape[0] as number, D); o.data[4] = NaN; return o; } };
    await expect(sampleAsync(nan, x0)).rejects.toThrow(NonFiniteError);
    const failing: AsyncVelocityField = { dim: D, evaluateAsync: () => Promise.reject(new Error("device lost")) };
    await expect(sampleAsync(failing, x0)).rejects.toThrow("device lost");
    await expect(sampleAsync(fields([]).async, zeros(3, D + 1))).rejects.toThrow(ShapeError);
    // the caller's name for the start points, as sample() says it
    await expect(sampleAsync(fields([]).async, zeros(3, D + 1))).rejects.toThrow(/^sampleAsync\(\): x0 must have shape/);
    await expect(sampleAsync(fields([]).async, x0, { t1: 2 })).rejects.toThrow(DomainError);
  });

  it("sample refuses a field whose evaluate returns a Promise (typed error, not garbage)", () => {
    const promised = { dim: D, evaluate: async (x: Batch) => zeros(x.shape[0] as number, D) } as unknown as VelocityField;
    expect(() => sample(promised, starts(2, 1))).toThrow(DomainError);
    expect(() => sample(promised, starts(2, 1))).toThrow(/sample\(\): field\.evaluate must return its result synchronously \(use sampleAsync/);
  });
});

describe("integrateAsync", () => {
  const f: OdeFunction = (t, y, out) => {
    u(y, t, out);
  };
  it("equals integrate for an f that returns a Promise, and for one that returns nothing", async () => {
    const y0 = starts(6, 11);
    const options: IntegrateOptions = { t1: 2.5, method: "dop853", rtol: 1e-9, atol: 1e-11, times: [0.5, 1.5] };
    const expected = integrate(f, y0, options);
    expectSameResult(expected, await integrateAsync(async (t, y, out) => f(t, y, out), y0, options));
    expectSameResult(expected, await integrateAsync(f, y0, options));
  });

  it("integrate refuses an f that returns a Promise", () => {
    expect(() => integrate(async () => undefined, starts(1, 1))).toThrow(/integrate\(\): f must return synchronously \(use integrateAsync/);
  });
});

describe("logLikelihoodAsync", () => {
  const setups: { name: string; kinds: Kind[]; options: LogLikelihoodOptions }[] = [
    { name: "exact through divergenceAsync", kinds: ["divergence"], options: {} },
    { name: "exact through jvpAsync (d JVPs)", kinds: ["jvp"], options: { rtol: 1e-8 } },
    { name: "exact by central differences of evaluateAsync", kinds: [], options: { method: "tsit5" } },
    { name: "Hutchinson with per-sample steps", kinds: ["jvp"], options: { divergence: "hutchinson", probes: 2, perSample: true } },
    { name: "Hutch++ by differences", kinds: [], options: { divergence: "hutch++", probes: 6, noise: "gaussian" } },
    { name: "fixed-step rk4", kinds: ["jvp"], options: { method: "rk4", steps: 10 } },
    { name: "exact through vjpAsync (reverse mode only)", kinds: ["vjp"], options: {} },
    { name: "Hutch++ through vjpAsync", kinds: ["vjp"], options: { divergence: "hutch++", probes: 3 } },
  ];
  for (const { name, kinds, options } of setups) {
    it(`equals logLikelihood bit for bit with the same statistics: ${name}`, async () => {
      const { sync, async, calls } = fields(kinds);
      const x1 = starts(7, 5);
      const withRng = (o: LogLikelihoodOptions): LogLikelihoodOptions => (o.divergence === undefined ? o : { ...o, rng: new Random(42) });
      const expected: LogLikelihoodResult = logLikelihood(sync, x1, withRng(options));
      const got = await logLikelihoodAsync(async, x1, withRng(options));
      expect(Array.from(got.logProb)).toEqual(Array.from(expected.logProb));
      expect(Array.from(got.divergenceIntegral)).toEqual(Array.from(expected.divergenceIntegral));
      expect(Array.from(got.x0.data)).toEqual(Array.from(expected.x0.data));
      expect(got.statistics).toEqual(expected.statistics);
      expect(calls.maxInFlight).toBe(1);
    });
  }

  it("errors are typed and name logLikelihoodAsync", async () => {
    const { async } = fields([]);
    const err = await logLikelihoodAsync(async, starts(2, 1), { divergence: "hutchinson" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlowMatchingError);
    expect((err as Error).message).toMatch(/^logLikelihoodAsync\(\): options\.rng must be/);
    const badDiv: AsyncVelocityField = { ...async, divergenceAsync: async () => new Float64Array(1) };
    await expect(logLikelihoodAsync(badDiv, starts(2, 1))).rejects.toThrow(/field\.divergenceAsync must return values of shape \[2\], got/);
  });

  it("the async solvers do not hold the event loop: a timer set before the solve fires during it", async () => {
    let fired = false;
    const seen: boolean[] = [];
    setTimeout(() => { fired = true; }, 0);
    const field: AsyncVelocityField = {
      dim: D,
      evaluateAsync: async (x, t) => {
        seen.push(fired);
        await new Promise((resolve) => setTimeout(resolve, 0));
        return u(x, t, zeros(x.shape[0] as number, D));
      },
    };
    await sampleAsync(field, starts(2, 1), { method: "rk4", steps: 5 });
    expect(seen[0]).toBe(false);
    expect(seen.at(-1)).toBe(true);
  });
});

describe("fields with only a vector-Jacobian product", () => {
  it("exact log-likelihood through vjp equals the one through jvp bit for bit (the unit-vector diagonal is the same)", () => {
    const x1 = starts(6, 4);
    const a = logLikelihood(fields(["jvp"]).sync, x1);
    const b = logLikelihood(fields(["vjp"]).sync, x1);
    expect(Array.from(b.logProb)).toEqual(Array.from(a.logProb));
    expect(b.statistics).toEqual(a.statistics);
  });

  it("Hutchinson through vjp equals Hutchinson through jvp to rounding (z^T J^T z = z^T J z)", () => {
    const x1 = starts(6, 4);
    const options: LogLikelihoodOptions = { divergence: "hutchinson", probes: 2, method: "rk4", steps: 8 };
    const a = logLikelihood(fields(["jvp"]).sync, x1, { ...options, rng: new Random(5) });
    const b = logLikelihood(fields(["vjp"]).sync, x1, { ...options, rng: new Random(5) });
    for (let i = 0; i < 6; i++) expect(Math.abs((b.logProb[i] as number) - (a.logProb[i] as number))).toBeLessThan(1e-12);
  });
});

// A tiny sanity check that the helper field is what it says (guards the bit-identity tests against a trivial field).
describe("helper field", () => {
  it("its VJP is the transpose of its JVP: w . (J v) = (J^T w) . v", () => {
    const x = starts(4, 9);
    const v = starts(4, 10);
    const w = starts(4, 11);
    const jv = uJvp(x, 0.7, v, zeros(4, D));
    const jtw = uVjp(x, 0.7, w, zeros(4, D));
    for (let i = 0; i < 4; i++) {
      let left = 0;
      let right = 0;
      for (let j = 0; j < D; j++) {
        left += (w.data[i * D + j] as number) * (jv.data[i * D + j] as number);
        right += (jtw.data[i * D + j] as number) * (v.data[i * D + j] as number);
      }
      expect(Math.abs(left - right)).toBeLessThan(1e-12);
    }
  });

  it("its JVP matches central differences to 1e-7", () => {
    const x = starts(4, 9);
    const v = starts(4, 10);
    const h = 1e-5;
    const plus = ndarray(x.data.map((a, i) => a + h * (v.data[i] as number)), [4, D]);
    const minus = ndarray(x.data.map((a, i) => a - h * (v.data[i] as number)), [4, D]);
    const up = u(plus, 0.4, zeros(4, D));
    const um = u(minus, 0.4, zeros(4, D));
    const jv = uJvp(x, 0.4, v, zeros(4, D));
    for (let k = 0; k < jv.data.length; k++) expect(Math.abs((jv.data[k] as number) - ((up.data[k] as number) - (um.data[k] as number)) / (2 * h))).toBeLessThan(1e-7);
  });
});

import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { test as fcTest, fc } from "@fast-check/vitest";
import { mlp } from "../../src/nn/index.js";
import { Random } from "../../src/random/index.js";
import { hutchinson, drawProbes } from "../../src/divergence/index.js";
import { sample } from "../../src/solvers/index.js";
import { gpuMarginalVelocity, gpuMlpField } from "../../src/gpu/index.js";
import { denseF32Module, f32Plan, loadF32, runF32 } from "../../src/engine/dense-f32.js";
import { F32Pool } from "../../src/engine/f32-pool.js";
import { SLOT, SLOT_WORDS, poolThreads, threadSupport } from "../../src/engine/threads.js";
import type { Activation, MlpSpec } from "../../src/nn/spec.js";
import type { Batch } from "../../src/core/batch.js";
import { indicesBeyondRounding, indicesOff, maxRelativeError, ROUNDING_SIGMAS, roundingError } from "./helpers.js";

const ACTS: Activation[] = ["silu", "relu", "selu", "tanh", "gelu"];

/**
 * Float32 rounding bounds of the property below, per entry: ROUNDING_SIGMAS standard deviations
 * of the rounding error of each row (test/gpu/helpers.ts) for values and the JVP along probe 1;
 * for Hutchinson (mean over probes of z^T J z) and the exact divergence (sum of J_ii) per row,
 * the tangents' errors weighted by |z_i| plus the rounding of their last sum, in quadrature.
 * Rows are computed lazily: only entries already beyond 1e-4 of the float64 scale are looked at.
 */
function float32Bounds(spec: MlpSpec, x: Batch, t: Float64Array, probes: Batch[]) {
  const d = spec.dim;
  const cache = new Map<number, ReturnType<typeof roundingError>>();
  const unit = Array.from({ length: d }, (_, j) => Float64Array.from({ length: d }, (_, k) => (k === j ? 1 : 0)));
  const rowError = (r: number) => {
    let s = cache.get(r);
    if (s === undefined) {
      const dirs = [...probes.map((p) => p.data.subarray(r * d, (r + 1) * d)), ...unit];
      s = roundingError(spec, x.data.subarray(r * d, (r + 1) * d), t[r] as number, dirs);
      cache.set(r, s);
    }
    return s;
  };
  // variance of sum_j w_j (J v)_j: carried errors plus the d roundings of the sum, in units of 1
  const sumVariance = (r: number, p: number, weights: ArrayLike<number>) => {
    const e = rowError(r), sd = e.tangents[p] as Float64Array, tv = e.tangentValues[p] as Float64Array;
    let v = 0;
    for (let j = 0; j < d; j++) v += (weights[j] as number) ** 2 * (sd[j] as number) ** 2 + (d + 1) * (2 ** -24 * (weights[j] as number) * (tv[j] as number)) ** 2;
    return v;
  };
  return {
    value: (i: number) => ROUNDING_SIGMAS * (rowError(Math.floor(i / d)).value[i % d] as number),
    jvp: (i: number) => ROUNDING_SIGMAS * (rowError(Math.floor(i / d)).tangents[1]![i % d] as number),
    hutchinson: (r: number) => (ROUNDING_SIGMAS * Math.sqrt(probes.reduce((sum, p, q) => sum + sumVariance(r, q, p.data.subarray(r * d, (r + 1) * d)), 0))) / probes.length,
    divergence: (r: number) => ROUNDING_SIGMAS * Math.sqrt(unit.reduce((sum, e, j) => sum + sumVariance(r, probes.length + j, e), 0)),
  };
}

describe("backend cpu-f32: float32 WebAssembly SIMD with rows split over worker threads", () => {
  fcTest.prop(
    [
      fc.integer({ min: 16, max: 512 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(1, 3, 255, 257, 1000, 2049),
      fc.integer({ min: 1, max: 3 }), fc.constantFrom(...ACTS), fc.integer({ min: 1, max: 5 }), fc.boolean(), fc.integer({ min: 0, max: 1000 }),
    ],
    { numRuns: 12 },
  )("property: random MLPs (widths 16..512, depths 1..4), batches 1..2049, 1..3 threads: velocities, JVPs, divergences and Hutchinson estimates within 1e-4 of the float64 Mlp or within the float32 rounding bound of their terms", (width, depth, n, threads, act, dim, fourier, seed) => {
    const net = mlp({ dim, hidden: Array.from({ length: depth }, () => width), activation: act, seed, ...(fourier ? { time: { fourier: 3 } } : {}) });
    const rng = new Random(seed + 1);
    const x = rng.normalBatch(n, dim);
    const t = Float64Array.from({ length: n }, () => rng.uniform());
    const before = Float64Array.from(x.data);
    const field = gpuMlpField(net, { backend: "cpu-f32", poolSize: threads, tileRows: 700 });
    try {
      expect(field.report.threads).toBe(threads);
      const probes = drawProbes(rng, 2, n, dim, "rademacher");
      const bounds = float32Bounds(net.toSpec(), x, t, probes);
      expect(indicesBeyondRounding(field.evaluate(x, t).data, net.evaluate(x, t).data, bounds.value)).toEqual([]);
      // relu' and selu' jump at 0: where a pre-activation lies within float32 rounding of 0 the
      // float32 tangent is the float64 tangent of a neighbouring point (a row of a random relu
      // net, 507 wide, flipped at x (1 + 1e-6)); such rows may differ, and only a few of them
      const allowed = act === "relu" || act === "selu" ? Math.ceil(0.01 * n * dim) : 0;
      expect(indicesBeyondRounding(field.hutchinson(x, t, probes), hutchinson(net, x, t, probes), bounds.hutchinson).length).toBeLessThanOrEqual(allowed);
      expect(indicesBeyondRounding(field.jvp(x, t, probes[1] as Batch).data, net.jvp(x, t, probes[1] as Batch).data, bounds.jvp).length).toBeLessThanOrEqual(allowed);
      expect(indicesBeyondRounding(field.divergence(x, t), net.divergence(x, t), bounds.divergence).length).toBeLessThanOrEqual(allowed);
      expect(x.data).toEqual(before);
    } finally {
      field.dispose();
    }
  });

  it("a Hutchinson estimate that cancels (-0.0026) is judged by its terms' float32 rounding bound, not relative to itself (net seed 21, found by search as fast-check seed -1242779970 found the first)", () => {
    const net = mlp({ dim: 5, hidden: [104, 104, 104], activation: "silu", seed: 21, time: { fourier: 3 } });
    const rng = new Random(22);
    const x = rng.normalBatch(1, 5);
    const t = Float64Array.from({ length: 1 }, () => rng.uniform());
    const field = gpuMlpField(net, { backend: "cpu-f32", poolSize: 1, tileRows: 700 });
    try {
      const probes = drawProbes(rng, 2, 1, 5, "rademacher");
      const a = field.hutchinson(x, t, probes), b = hutchinson(net, x, t, probes);
      const bound = float32Bounds(net.toSpec(), x, t, probes).hutchinson(0);
      // the old check, relative to the estimate itself, fails here; the error is float32 rounding
      expect(Math.abs((a[0] as number) - (b[0] as number))).toBeGreaterThan(1e-4 * Math.abs(b[0] as number));
      expect(Math.abs((a[0] as number) - (b[0] as number))).toBeLessThanOrEqual(bound);
      // and the bound is tight enough to catch a real error: 2% of the estimate is beyond it
      expect(0.02 * Math.abs(b[0] as number)).toBeGreaterThan(bound);
    } finally {
      field.dispose();
    }
  });

  it("property: where relu tangents disagree, the float32 estimate is the float64 estimate of a point 1e-6 away (a kink, not an error)", () => {
    const net = mlp({ dim: 4, hidden: [507, 507, 507], activation: "relu", seed: 1, time: { fourier: 3 } });
    const rng = new Random(2);
    const x = rng.normalBatch(1000, 4);
    const t = Float64Array.from({ length: 1000 }, () => rng.uniform());
    const field = gpuMlpField(net, { backend: "cpu-f32", poolSize: 1, tileRows: 700 });
    try {
      const probes = drawProbes(rng, 2, 1000, 4, "rademacher");
      const a = field.hutchinson(x, t, probes);
      const b = hutchinson(net, x, t, probes);
      const off = indicesOff(a, b);
      expect(off.length).toBeGreaterThan(0);
      expect(off.length).toBeLessThanOrEqual(2);
      for (const r of off) {
        const row = (z: Batch, scale = 1) => ndarray(Float64Array.from(z.data.subarray(4 * r, 4 * r + 4), (v) => v * scale), [1, 4]) as Batch;
        const nearby = [1 + 1e-6, 1 - 1e-6, 1 + 1e-7, 1 - 1e-7].map((s) => hutchinson(net, row(x, s), t[r] as number, probes.map((p) => row(p)))[0] as number);
        expect(nearby.some((v) => Math.abs(v - (a[r] as number)) <= 1e-4 * Math.abs(v))).toBe(true);
      }
    } finally {
      field.dispose();
    }
  });

  it("property: 65 536 rows in 4 tiles over 3 threads (ranges of 5461/5462 rows) match within 1e-4; the workers computed their ranges", async () => {
    const net = mlp({ dim: 2, hidden: [64, 64], activation: "silu", seed: 7 });
    const x = new Random(8).normalBatch(65536, 2);
    const field = gpuMlpField(net, { backend: "cpu-f32", poolSize: 3 });
    try {
      const ref = net.evaluate(x, 0.25).data;
      expect(maxRelativeError(field.evaluate(x, 0.25).data, ref)).toBeLessThanOrEqual(1e-4);
      expect(maxRelativeError((await field.evaluateAsync(x, 0.25)).data, ref)).toBeLessThanOrEqual(1e-4);
      const pool = (field as unknown as { engine: { pool: F32Pool } }).engine.pool;
      expect(pool.stats).toEqual({ calls: 8, workerRanges: 16, takenOver: 0 });
      expect(field.report.kernels).toEqual([{ name: "dense-f32", requested: "cpu-f32", ran: "cpu-f32", fallbackReason: null }]);
    } finally {
      field.dispose();
    }
  });

  it("property: calls that use 1, 2 and 3 of 3 threads in turn (idle workers woken late) keep every row right", () => {
    const net = mlp({ dim: 3, hidden: [32], activation: "tanh", seed: 2 });
    const field = gpuMlpField(net, { backend: "cpu-f32", poolSize: 3 });
    const rng = new Random(3);
    try {
      for (const n of [900, 300, 100, 700, 1200, 260, 900]) {
        const x = rng.normalBatch(n, 3);
        expect(maxRelativeError(field.evaluate(x, 0.7).data, net.evaluate(x, 0.7).data)).toBeLessThanOrEqual(1e-4);
      }
    } finally {
      field.dispose();
    }
  });

  it("property: an exact divergence in d = 24 (24 directions) still splits its rows over the workers, which grow their direction buffers, and agrees within 1e-4", () => {
    const net = mlp({ dim: 24, hidden: [64, 64], activation: "tanh", seed: 8 });
    const x = new Random(9).normalBatch(1500, 24);
    const field = gpuMlpField(net, { backend: "cpu-f32", poolSize: 2, tileRows: 2048 }); // direction buffers start at 2048 x 24 floats
    try {
      expect(maxRelativeError(field.evaluate(x, 0.4).data, net.evaluate(x, 0.4).data)).toBeLessThanOrEqual(1e-4);
      const pool = (field as unknown as { engine: { pool: F32Pool } }).engine.pool;
      expect(maxRelativeError(field.divergence(x, 0.4), net.divergence(x, 0.4))).toBeLessThanOrEqual(1e-4);
      const grown = (field as unknown as { engine: { pool: F32Pool } }).engine.pool;
      expect(grown).not.toBe(pool); // restarted with larger direction buffers
      expect(grown.dirsIn.length).toBeGreaterThanOrEqual(512 * 24 * 24);
      expect(grown.stats.workerRanges).toBeGreaterThan(0);
      expect(grown.stats.takenOver).toBe(0);
    } finally {
      field.dispose();
    }
  });

  it("property: tiles smaller than the number of directions (tileRows 1 and 3, divergence in d = 5 and 4 probes) still give every tangent", () => {
    const net = mlp({ dim: 5, hidden: [16], seed: 6 });
    const rng = new Random(7);
    const x = rng.normalBatch(600, 5);
    const probes = drawProbes(rng, 4, 600, 5, "gaussian");
    for (const tileRows of [1, 3]) {
      const field = gpuMlpField(net, { backend: "cpu-f32", tileRows, poolSize: 2 });
      try {
        expect(maxRelativeError(field.divergence(x, 0.5), net.divergence(x, 0.5))).toBeLessThanOrEqual(1e-4);
        expect(maxRelativeError(field.hutchinson(x, 0.5, probes), hutchinson(net, x, 0.5, probes))).toBeLessThanOrEqual(1e-4);
      } finally {
        field.dispose();
      }
    }
  });

  it("property: a non-contiguous view of x gives the result of its contiguous copy", () => {
    const net = mlp({ dim: 2, hidden: [16], seed: 5 });
    const field = gpuMlpField(net, { backend: "cpu-f32" });
    try {
      const columns = ndarray(Float64Array.from([0.1, -0.4, 1.5, 0.3, 0.2, -2]), [2, 3]).transpose(1, 0) as Batch; // rows (0.1, 0.3), (-0.4, 0.2), (1.5, -2)
      const copy = ndarray(Float64Array.from([0.1, 0.3, -0.4, 0.2, 1.5, -2]), [3, 2]) as Batch;
      expect(field.evaluate(columns, 0.5).data).toEqual(field.evaluate(copy, 0.5).data);
    } finally {
      field.dispose();
    }
  });

  it("property: sample() with a cpu-f32 field lands where the float64 Mlp lands, within float32 error", () => {
    const net = mlp({ dim: 2, hidden: [32, 32], activation: "silu", seed: 9 });
    const x0 = new Random(10).normalBatch(600, 2);
    const field = gpuMlpField(net, { poolSize: 2 });
    try {
      expect(field.report.reason).toMatch(/2 threads \(the calling thread and 1 worker\)/);
      const gpu = sample(field, x0, { method: "midpoint", steps: 10 });
      const cpu = sample(net, x0, { method: "midpoint", steps: 10 });
      expect(maxRelativeError(gpu.y.data, cpu.y.data)).toBeLessThanOrEqual(1e-4);
    } finally {
      field.dispose();
    }
  });

  it("errors: cpu-f32 is the MLP field's backend; a bad poolSize is named", () => {
    const data = new Random(1).normalBatch(8, 2);
    const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
    expect(() => gpuMarginalVelocity(condOT, data, { backend: "cpu-f32" })).toThrow(/gpuMarginalVelocity\(\).*cpu-f32 is the MLP field's/);
    expect(() => gpuMlpField(mlp({ dim: 2, hidden: [8] }), { backend: "cpu-f32", poolSize: 0 })).toThrow(/options.poolSize must be a positive integer/);
    expect(() => gpuMlpField(mlp({ dim: 2, hidden: [8] }), { backend: "cpu-f32", poolSize: 1.5 })).toThrow(/options.poolSize/);
  });

  it("property: default threads are the cores (at most 8), 1 without worker threads", () => {
    const support = threadSupport();
    expect(support).not.toBeNull();
    expect(poolThreads(undefined, support)).toBe(Math.min(support?.cores ?? 0, 8));
    expect(poolThreads(5, support)).toBe(5);
    expect(poolThreads(5, null)).toBe(1);
  });
});

describe("the worker pool never hangs and never loses rows", () => {
  const net = mlp({ dim: 2, hidden: [24, 24], activation: "gelu", seed: 11 });
  const spec = net.toSpec();
  const module = denseF32Module as WebAssembly.Module;
  const plan = f32Plan(spec);
  const features = (x: Batch, t: number, into: Float32Array) => {
    for (let r = 0; r < (x.shape[0] as number); r++) {
      into[3 * r] = x.data[2 * r] as number;
      into[3 * r + 1] = x.data[2 * r + 1] as number;
      into[3 * r + 2] = t;
    }
  };

  it("property: workers that fail to start (memory they cannot grow) have their ranges run by the calling thread", () => {
    const kernel = loadF32(module, spec, plan);
    const pool = new F32Pool(kernel, module, { ...plan, bytes: 2 ** 33 }, 2, 1000, threadSupport() as NonNullable<ReturnType<typeof threadSupport>>);
    try {
      const x = new Random(12).normalBatch(1000, 2);
      features(x, 0.4, pool.input);
      pool.run("test", 1000, 3);
      expect(maxRelativeError(pool.output.subarray(0, 2000), net.evaluate(x, 0.4).data)).toBeLessThanOrEqual(1e-4);
      expect(pool.stats.takenOver).toBe(2);
      expect(pool.stats.workerRanges).toBe(0);
    } finally {
      pool.dispose();
    }
    expect(() => pool.run("test", 10, 2)).toThrow(/disposed/);
  });

  it("property: a worker that makes no progress stops the call with a DomainError after the stall limit", () => {
    const kernel = loadF32(module, spec, plan);
    const stuck = `const { workerData } = require("node:worker_threads");
const ctl = new Int32Array(workerData.control);
Atomics.store(ctl, ${SLOT} + ${SLOT_WORDS} * workerData.index + 2, 1);
for (;;) Atomics.wait(ctl, 2, 0);`;
    const pool = new F32Pool(kernel, module, plan, 1, 600, threadSupport() as NonNullable<ReturnType<typeof threadSupport>>, { stallMs: 300, source: stuck });
    const x = new Random(13).normalBatch(600, 2);
    features(x, 0.1, pool.input);
    expect(() => pool.run("gpuMlpField", 600, 2)).toThrow(/gpuMlpField\(\): worker threads must finish their rows \(no progress for 0.3 s\)/);
  });

  it("property: a worker that dies (an uncaught error) is marked failed once the event loop has run, and its ranges go to the calling thread", async () => {
    const kernel = loadF32(module, spec, plan);
    const pool = new F32Pool(kernel, module, plan, 2, 800, threadSupport() as NonNullable<ReturnType<typeof threadSupport>>, { source: 'setTimeout(() => { throw new Error("worker died"); }, 10);' });
    try {
      // both workers boot, throw and have their error events delivered (seconds on a loaded machine)
      const ctl = (pool as unknown as { ctl: Int32Array }).ctl;
      const failed = () => [0, 1].every((w) => Atomics.load(ctl, SLOT + SLOT_WORDS * w + 2) === -1);
      for (let waited = 0; !failed() && waited < 30000; waited += 50) await new Promise((done) => setTimeout(done, 50));
      expect(failed()).toBe(true);
      const x = new Random(16).normalBatch(800, 2);
      features(x, 0.3, pool.input);
      pool.run("test", 800, 3);
      expect(maxRelativeError(pool.output.subarray(0, 1600), net.evaluate(x, 0.3).data)).toBeLessThanOrEqual(1e-4);
      expect(pool.stats.takenOver).toBe(2);
    } finally {
      pool.dispose();
    }
  });

  it("property: runF32 on the calling thread equals float32Inference's kernel (same packing, same blocks)", () => {
    const kernel = loadF32(module, spec, plan);
    const x = new Random(14).normalBatch(513, 2);
    const feat = new Float32Array(513 * 3);
    features(x, 0.9, feat);
    const out = new Float64Array(513 * 2);
    runF32(kernel, plan, feat, 0, 513, out, 0);
    expect(maxRelativeError(out, net.evaluate(x, 0.9).data)).toBeLessThanOrEqual(1e-4);
  });

  it("property: a field whose workers fail reports it by the fallback policy (error: throws once; warn: warns), says so in the report and keeps computing on the calling thread", () => {
    for (const policy of ["error", "warn"] as const) {
      const field = gpuMlpField(net, { backend: "cpu-f32", poolSize: 3, onFallback: policy });
      const engine = (field as unknown as { engine: { kernel: unknown; pool: F32Pool | null } }).engine;
      engine.pool = new F32Pool(engine.kernel as never, module, { ...plan, bytes: 2 ** 33 }, 2, 16384, threadSupport() as NonNullable<ReturnType<typeof threadSupport>>);
      const x = new Random(15).normalBatch(900, 2);
      const ref = net.evaluate(x, 0.2).data;
      const warned: unknown[] = [];
      const original = console.warn;
      console.warn = (...a: unknown[]) => { warned.push(a); };
      try {
        if (policy === "error") expect(() => field.evaluate(x, 0.2)).toThrow(/gpuMlpField\(\): worker threads must run their rows .*a worker failed to start/);
        else expect(maxRelativeError(field.evaluate(x, 0.2).data, ref)).toBeLessThanOrEqual(1e-4);
        expect(maxRelativeError(field.evaluate(x, 0.2).data, ref)).toBeLessThanOrEqual(1e-4);
        expect(field.report.threads).toBe(1);
        expect(field.report.reason).toMatch(/worker threads failed .*calling thread alone/);
        expect(field.report.kernels.map((k) => [k.name, k.ran, k.fallbackReason === null])).toEqual([["dense-f32", "cpu-f32", true], ["worker threads", "cpu-f32", false]]);
        expect(engine.pool).toBeNull();
        expect(warned.length).toBe(policy === "warn" ? 1 : 0);
      } finally {
        console.warn = original;
        field.dispose();
      }
    }
  });
});

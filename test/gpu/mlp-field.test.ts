import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { mlp } from "../../src/nn/index.js";
import { Random } from "../../src/random/index.js";
import { hutchinson, drawProbes } from "../../src/divergence/index.js";
import { logLikelihood } from "../../src/solvers/index.js";
import { gpuMlpField, isSoftwareRenderer } from "../../src/gpu/index.js";
import { Runtime, checkOptions } from "../../src/gpu/backend.js";
import type { Activation } from "../../src/nn/spec.js";
import type { Batch } from "../../src/core/batch.js";
import { maxRelativeError } from "./helpers.js";

const BACKENDS = [
  { backend: "webasm", async: false }, { backend: "webasm", async: true },
  { backend: "cpu", async: false }, { backend: "cpu", async: true },
  { backend: "cpu-f64", async: false }, { backend: "cpu-f64", async: true },
  { backend: "cpu-f32", async: false }, { backend: "cpu-f32", async: true },
] as const;

interface Case { width: number; depth: number; n: number; act: Activation; dim: number; tile?: number; fourier?: boolean; classes?: number }
// widths 16..512, depths 1..4, batches 1..1023 with sizes that are no multiple of the tile, a loop of 1100 > 1000
const CASES: Case[] = [
  { width: 16, depth: 1, n: 1, act: "silu", dim: 2 },
  { width: 64, depth: 2, n: 1023, act: "tanh", dim: 3, tile: 256 },
  { width: 512, depth: 2, n: 37, act: "gelu", dim: 2 },
  { width: 24, depth: 4, n: 301, act: "selu", dim: 5, fourier: true, classes: 3, tile: 100 },
  { width: 1100, depth: 1, n: 19, act: "relu", dim: 2 },
];

function netFor(c: Case, seed: number) {
  return mlp({ dim: c.dim, hidden: Array.from({ length: c.depth }, () => c.width), activation: c.act, seed, ...(c.fourier ? { time: { fourier: 4 } } : {}), ...(c.classes ? { classes: c.classes } : {}) });
}

describe("gpuMlpField agrees with the float64 CPU MLP", () => {
  for (const b of BACKENDS) {
    it(`property: max relative error <= 1e-4 for velocities, JVPs and divergences, Hutchinson within float32 rounding (${b.backend}, async=${b.async})`, async () => {
      for (const [k, c] of CASES.entries()) {
        const net = netFor(c, 10 + k);
        const rng = new Random(100 + k);
        const x = rng.normalBatch(c.n, c.dim);
        const t = Float64Array.from({ length: c.n }, () => rng.uniform());
        const field = gpuMlpField(net, { backend: b.backend, ...(c.tile ? { tileRows: c.tile } : {}) });
        try {
          const u = b.async ? await field.evaluateAsync(x, t) : field.evaluate(x, t);
          expect(maxRelativeError(u.data, net.evaluate(x, t).data)).toBeLessThanOrEqual(1e-4);
          const probes = drawProbes(rng, 2, c.n, c.dim, k % 2 === 0 ? "rademacher" : "gaussian");
          const h = b.async ? await field.hutchinsonAsync(x, t, probes) : field.hutchinson(x, t, probes);
          expect(maxRelativeError(h, hutchinson(net, x, t, probes))).toBeLessThanOrEqual(1e-4);
          const v = probes[0] as Batch;
          const jv = b.async ? await field.jvpAsync(x, t, v) : field.jvp(x, t, v);
          expect(maxRelativeError(jv.data, net.jvp(x, t, v).data)).toBeLessThanOrEqual(1e-4);
          if (!b.async) expect(maxRelativeError(field.divergence(x, t), net.divergence(x, t))).toBeLessThanOrEqual(1e-4);
          expect(field.report.kernels.every((r) => r.ran === b.backend && r.fallbackReason === null)).toBe(true);
        } finally {
          field.dispose();
        }
      }
    });
  }

  it("property: 65 536 rows (4 tiles of 16 384) on threaded webasm match within 1e-4", async () => {
    const net = mlp({ dim: 2, hidden: [64, 64], activation: "silu", seed: 7 });
    const x = new Random(8).normalBatch(65536, 2);
    const field = gpuMlpField(net, { backend: "webasm", async: true });
    try {
      const u = await field.evaluateAsync(x, 0.25);
      expect(maxRelativeError(u.data, net.evaluate(x, 0.25).data)).toBeLessThanOrEqual(1e-4);
    } finally {
      field.dispose();
    }
  });

  it("property: logLikelihood accepts the GPU field unchanged (exact divergence and Hutchinson with fixed probes) and matches the CPU field", () => {
    const net = mlp({ dim: 2, hidden: [32, 32], activation: "tanh", seed: 3 });
    const x = new Random(4).normalBatch(16, 2);
    const field = gpuMlpField(net, { backend: "webasm" });
    try {
      for (const divergence of ["exact", "hutchinson"] as const) {
        const opts = { method: "rk4" as const, steps: 8, divergence, probes: 2, rng: new Random(5) };
        const gpu = logLikelihood(field, x, opts);
        const cpu = logLikelihood(net, x, { ...opts, rng: new Random(5) });
        expect(maxRelativeError(gpu.logProb, cpu.logProb)).toBeLessThanOrEqual(1e-4);
      }
    } finally {
      field.dispose();
    }
  });
});

describe("backend honesty", () => {
  it("property: a silent CPU fallback of any kernel is an error under the default policy", () => {
    const rt = new Runtime(checkOptions("test", { backend: "webasm" }), { backend: "webasm", reason: "test", renderer: null });
    const k = rt.kernel("typed", "function(a) { return a[this.thread.x]; }", [2], {}, 0, false, false, { argumentTypes: { a: "Array1D(2)" } });
    expect(Array.from(k(new Float32Array([1, 2])) as Float32Array)).toEqual([1, 2]); // the result looks fine...
    expect(() => rt.check("test")).toThrow(/fallback to cpu/); // ...but it ran on gpu.js's CPU kernel
    expect(rt.report.kernels[0]?.ran).toBe("cpu");
    expect(rt.report.kernels[0]?.fallbackReason).toMatch(/not supported on the webasm backend/);
    rt.dispose();
    const warned: unknown[] = [];
    const original = console.warn;
    console.warn = (...a: unknown[]) => { warned.push(a); };
    try {
      const rw = new Runtime(checkOptions("test", { backend: "webasm", onFallback: "warn" }), { backend: "webasm", reason: "test", renderer: null });
      rw.kernel("typed", "function(a) { return a[this.thread.x]; }", [2], {}, 0, false, false, { argumentTypes: { a: "Array1D(2)" } })(new Float32Array([1, 2]));
      rw.check("test");
      rw.dispose();
    } finally {
      console.warn = original;
    }
    expect(warned.length).toBeGreaterThan(0);
  });

  it("property: auto selection in Node picks our CPU path (cpu-f32) over gpu.js webasm/cpu and says why; software renderers are recognised", () => {
    const field = gpuMlpField(mlp({ dim: 2, hidden: [8] }));
    expect(field.report.backend).toBe("cpu-f32");
    expect(field.report.reason).toMatch(/no graphics context/);
    expect(field.evaluate(ndarray(new Float64Array([0.1, 0.2]), [1, 2]), 0.5).shape).toEqual([1, 2]);
    field.dispose();
    expect(() => field.evaluate(ndarray(new Float64Array([0.1, 0.2]), [1, 2]), 0.5)).toThrow(/disposed/);
    expect(isSoftwareRenderer("ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)")).toBe(true);
    expect(isSoftwareRenderer("llvmpipe (LLVM 15.0.6, 256 bits)")).toBe(true);
    expect(isSoftwareRenderer("NVIDIA GeForce RTX 4090/PCIe/SSE2")).toBe(false);
    expect(() => gpuMlpField(mlp({ dim: 2, hidden: [8] }), { backend: "nope" as never })).toThrow(/options.backend/);
    expect(() => gpuMlpField(mlp({ dim: 2, hidden: [8] }), { tileRows: 0 })).toThrow(/tileRows/);
  });
});

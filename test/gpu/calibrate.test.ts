import { afterEach, describe, expect, it } from "vitest";
import { mlp } from "../../src/nn/index.js";
import { Random } from "../../src/random/index.js";
import { marginalVelocity } from "../../src/velocity/index.js";
import { drawProbes, hutchinson } from "../../src/divergence/index.js";
import { gpuMarginalVelocity, gpuMlpField, selectBackend } from "../../src/gpu/index.js";
import type { GpuBackend } from "../../src/gpu/index.js";
import { maxRelativeError } from "./helpers.js";
import { calibrateEngines, timeCandidates } from "../../src/gpu/calibrate.js";
import { checkOptions } from "../../src/gpu/backend.js";

const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
const NODE_CANDIDATES: GpuBackend[] = ["cpu-f64", "webasm", "cpu"];
const MLP_CANDIDATES: GpuBackend[] = [...NODE_CANDIDATES, "cpu-f32"];

describe("calibrate(x, t) times every candidate on the caller's shapes and switches to the fastest", () => {
  it("property: the chosen backend is the argmin of the recorded medians, every Node candidate is timed, results stay correct after the switch (sync and async contracts)", async () => {
    const net = mlp({ dim: 2, hidden: [64, 64], activation: "silu", seed: 1 });
    const x = new Random(2).normalBatch(512, 2);
    for (const async of [false, true]) {
      const field = gpuMlpField(net, { backend: "cpu", async });
      try {
        const report = await field.calibrate(x, 0.3, { repeats: 2, warmup: 1 });
        const timings = report.timings as Record<string, number>;
        expect(Object.keys(timings).sort()).toEqual([...MLP_CANDIDATES].sort());
        for (const b of MLP_CANDIDATES) expect(Number.isFinite(timings[b])).toBe(true);
        const fastest = Math.min(...Object.values(timings));
        expect(timings[report.backend]).toBe(fastest);
        expect(field.report).toBe(report);
        expect(report.async).toBe(async);
        expect(report.reason).toMatch(new RegExp(`calibrated on 512 rows \\(${async ? "async" : "sync"}.*${report.backend} fastest`));
        const u = async ? await field.evaluateAsync(x, 0.3) : field.evaluate(x, 0.3);
        expect(maxRelativeError(u.data, net.evaluate(x, 0.3).data)).toBeLessThanOrEqual(1e-4);
        expect(report.kernels.every((k) => k.ran === report.backend && k.fallbackReason === null)).toBe(true);
      } finally {
        field.dispose();
      }
    }
  });

  it("property: calibration restricted to named candidates picks among them only; a failing candidate is recorded as Infinity, never chosen", async () => {
    const net = mlp({ dim: 3, hidden: [16], seed: 4 });
    const x = new Random(5).normalBatch(64, 3);
    const field = gpuMlpField(net, { backend: "cpu-f64" });
    try {
      const report = await field.calibrate(x, 0.5, { backends: ["webasm"], repeats: 1 });
      expect(report.backend).toBe("webasm");
      expect(Object.keys(report.timings ?? {})).toEqual(["webasm"]);
      // webgpu is not a synchronous candidate: named alone, nothing is available
      await expect(field.calibrate(x, 0.5, { backends: ["webgpu"] })).rejects.toThrow(/options.backends must name an available backend/);
      await expect(field.calibrate(x, 0.5, { repeats: 0 })).rejects.toThrow(/options.repeats/);
      await expect(field.calibrate(x, 0.5, { warmup: -1 })).rejects.toThrow(/options.warmup/);
      await expect(field.calibrate(x, 0.5, { backends: [] })).rejects.toThrow(/options.backends/);
    } finally {
      field.dispose();
    }
  });

  it("property: a failing candidate is timed as Infinity, disposed and never chosen; with no survivor the field keeps its backend", async () => {
    const disposed: string[] = [];
    const list = NODE_CANDIDATES.map((backend) => ({ backend, reason: "test", renderer: null }));
    const { best, timings } = await timeCandidates(list, (c) => c.backend, async (e) => {
      if (e === "cpu-f64") throw new Error("boom");
      if (e === "cpu") for (const t0 = performance.now(); performance.now() - t0 < 15;); // 15 ms busy, webasm ~0 ms
    }, (e) => disposed.push(e), 1, 0);
    expect(timings["cpu-f64"]).toBe(Infinity);
    expect(best?.choice.backend).toBe("webasm");
    expect(disposed.sort()).toEqual(["cpu", "cpu-f64"]);
    const none = await calibrateEngines("t", checkOptions("t", {}), {}, 4, "mlp", () => { throw new Error("no"); }, () => 0, () => undefined);
    expect(none.engine).toBeNull();
    expect(none.reason).toMatch(/every candidate failed/);
    expect(Object.values(none.timings).every((ms) => ms === Infinity)).toBe(true);
  });

  it("property: with probes the MLP field times the likelihood workload (hutchinson), picks the argmin and keeps agreeing; the marginal field refuses probes", async () => {
    const net = mlp({ dim: 2, hidden: [32, 32], activation: "tanh", seed: 2 });
    const rng = new Random(3);
    const x = rng.normalBatch(700, 2);
    const probes = drawProbes(rng, 2, 700, 2, "rademacher");
    const field = gpuMlpField(net, { backend: "cpu" });
    try {
      const report = await field.calibrate(x, 0.4, { probes, repeats: 1 });
      const timings = report.timings as Record<string, number>;
      expect(Object.keys(timings).sort()).toEqual([...MLP_CANDIDATES].sort());
      expect(timings[report.backend]).toBe(Math.min(...Object.values(timings)));
      expect(report.reason).toMatch(/hutchinson with 2 probes/);
      expect(maxRelativeError(field.hutchinson(x, 0.4, probes), hutchinson(net, x, 0.4, probes))).toBeLessThanOrEqual(1e-4);
      await expect(field.calibrate(x, 0.4, { probes: [] })).rejects.toThrow(/probes must be a non-empty array/);
    } finally {
      field.dispose();
    }
    const marginal = gpuMarginalVelocity(condOT, rng.normalBatch(50, 2));
    await expect(marginal.calibrate(x, 0.4, { probes })).rejects.toThrow(/options.probes must be absent/);
    marginal.dispose();
  });

  it("property: the marginal field calibrates the same way and keeps agreeing with the float64 closed form", async () => {
    const rng = new Random(7);
    const data = rng.normalBatch(700, 2);
    const x = rng.normalBatch(200, 2);
    const field = gpuMarginalVelocity(condOT, data, { backend: "cpu" });
    try {
      const report = await field.calibrate(x, 0.4, { repeats: 1, warmup: 1 });
      expect(Object.keys(report.timings ?? {}).sort()).toEqual([...NODE_CANDIDATES].sort());
      expect(report.timings?.[report.backend]).toBe(Math.min(...Object.values(report.timings ?? {})));
      expect(maxRelativeError(field.evaluate(x, 0.4).data, marginalVelocity(condOT, data).evaluate(x, 0.4).data)).toBeLessThanOrEqual(1e-4);
    } finally {
      field.dispose();
    }
    const auto = gpuMarginalVelocity(condOT, data);
    expect(auto.report.backend).toBe("cpu-f64");
    expect(auto.evaluate(x, 0.4).data).toEqual(marginalVelocity(condOT, data).evaluate(x, 0.4).data); // cpu-f64 is exactly the float64 field
    auto.dispose();
  });
});

describe("selectBackend awaits gpu.js's WebGPU availability before choosing it", () => {
  const nav = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  afterEach(() => {
    if (nav === undefined) delete (globalThis as { navigator?: unknown }).navigator;
    else Object.defineProperty(globalThis, "navigator", nav);
  });
  const fakeGpu = (adapter: unknown) => Object.defineProperty(globalThis, "navigator", { value: { gpu: { requestAdapter: async () => adapter } }, configurable: true, writable: true });

  it("property: no navigator.gpu -> our CPU path (cpu-f32 for the MLP, cpu-f64 for the marginal field); navigator.gpu without an adapter -> not webgpu (and says so); with an adapter -> webgpu for the async contract only", async () => {
    expect((await selectBackend({ async: true })).backend).toBe("cpu-f32");
    expect((await selectBackend({ field: "marginal" })).backend).toBe("cpu-f64");
    await expect(selectBackend({ field: "sde" as never })).rejects.toThrow(/options.field/);
    await expect(selectBackend({ backend: "cpu-f32", field: "marginal" })).rejects.toThrow(/cpu-f32 is the MLP field's/);
    fakeGpu(null);
    const none = await selectBackend({ async: true });
    expect(none.backend).toBe("cpu-f32");
    expect(none.reason).toMatch(/no WebGPU adapter/);
    fakeGpu({});
    expect((await selectBackend({ async: true })).backend).toBe("webgpu");
    expect((await selectBackend({ async: false })).backend).toBe("cpu-f32");
    expect((await selectBackend({ backend: "webasm" })).reason).toBe("requested explicitly");
    await expect(selectBackend({ backend: "metal" as never })).rejects.toThrow(/options.backend/);
  });
});

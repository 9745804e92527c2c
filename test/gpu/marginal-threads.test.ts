import { describe, expect, it } from "vitest";
import { Random } from "../../src/random/index.js";
import { marginalVelocity } from "../../src/velocity/index.js";
import { gpuMarginalVelocity } from "../../src/gpu/index.js";
import { MarginalF64Pool } from "../../src/engine/marginal.js";
import type { MarginalPlan } from "../../src/engine/marginal-f64.js";
import { SLOT, SLOT_WORDS, threadSupport } from "../../src/engine/threads.js";

const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
const cosine = { name: "cosine", at: (t: number) => ({ alpha: Math.sin((Math.PI / 2) * t), sigma: Math.cos((Math.PI / 2) * t), dAlpha: (Math.PI / 2) * Math.cos((Math.PI / 2) * t), dSigma: -(Math.PI / 2) * Math.sin((Math.PI / 2) * t) }) };

interface Engine { pool: MarginalF64Pool | null; y: Float64Array; plan: MarginalPlan | null }
const engineOf = (field: object) => (field as { engine: Engine }).engine;

describe("cpu-f64 marginal field on worker threads", () => {
  it("property: bit-identical to marginalVelocity for 1..15 000 rows (tiles of 7000), 1..3 threads, d = 2 and 64, per-row times including t = 0 and the singular end t = 1, sync and async", async () => {
    for (const [d, scheduler] of [[2, condOT], [64, cosine]] as const) {
      const rng = new Random(d);
      const data = rng.normalBatch(d === 2 ? 1000 : 300, d);
      const cpu = marginalVelocity(scheduler, data);
      for (const threads of [1, 2, 3]) {
        const field = gpuMarginalVelocity(scheduler, data, { backend: "cpu-f64", poolSize: threads, tileRows: 7000 });
        try {
          expect(field.report.threads).toBe(threads);
          for (const n of d === 2 ? [1, 63, 65, 200, 1001, 15000] : [129, 700]) {
            const x = rng.normalBatch(n, d);
            const t = Float64Array.from({ length: n }, (_, i) => (i === 0 ? 1 : i === 1 ? 0 : rng.uniform()));
            expect(Array.from(field.evaluate(x, t).data)).toEqual(Array.from(cpu.evaluate(x, t).data));
            if (n === 200) expect(Array.from((await field.evaluateAsync(x, 0.3)).data)).toEqual(Array.from(cpu.evaluate(x, 0.3).data));
          }
          const pool = engineOf(field).pool;
          if (threads === 1) expect(pool).toBeNull();
          else {
            expect(pool?.stats.workerRanges).toBeGreaterThan(0);
            expect(pool?.stats.takenOver).toBe(0);
          }
        } finally {
          field.dispose();
        }
      }
    }
  });

  it("property: workers that fail are reported by the fallback policy, once, and the field keeps computing exactly on the calling thread", () => {
    const rng = new Random(4);
    const data = rng.normalBatch(800, 2);
    const x = rng.normalBatch(900, 2);
    const cpu = marginalVelocity(condOT, data).evaluate(x, 0.6).data;
    const failing = `const { workerData } = process.getBuiltinModule("node:worker_threads");
const ctl = new Int32Array(workerData.control);
Atomics.store(ctl, ${SLOT} + ${SLOT_WORDS} * workerData.index + 2, -1);
Atomics.add(ctl, 1, 1);
Atomics.notify(ctl, 1);`;
    const field = gpuMarginalVelocity(condOT, data, { poolSize: 3 });
    try {
      const engine = engineOf(field);
      engine.pool = new MarginalF64Pool(engine.y, 800, 2, engine.plan, 2, 16384, threadSupport() as NonNullable<ReturnType<typeof threadSupport>>, { source: failing });
      expect(() => field.evaluate(x, 0.6)).toThrow(/gpuMarginalVelocity\(\): worker threads must run their rows .*a worker failed to start/);
      expect(Array.from(field.evaluate(x, 0.6).data)).toEqual(Array.from(cpu));
      expect(field.report.threads).toBe(1);
      expect(field.report.reason).toMatch(/worker threads failed .*cpu-f64 continues on the calling thread alone/);
      expect(field.report.kernels.find((k) => k.name === "worker threads")?.fallbackReason).toMatch(/a worker failed to start/);
      expect(engine.pool).toBeNull();
    } finally {
      field.dispose();
    }
  });

  it("errors: a scheduler value that is not finite is named before any thread runs", () => {
    const bad = { name: "bad", at: (t: number) => ({ alpha: t, sigma: t > 0.5 ? Number.NaN : 1 - t, dAlpha: 1, dSigma: -1 }) };
    const field = gpuMarginalVelocity(bad, new Random(5).normalBatch(50, 2), { poolSize: 2 });
    try {
      const x = new Random(6).normalBatch(300, 2);
      expect(() => field.evaluate(x, 0.7)).toThrow(/gpuMarginalVelocity.evaluate\(\): scheduler.at\(0.7\).sigma must be finite/);
      expect(field.evaluate(x, 0.2).shape).toEqual([300, 2]);
    } finally {
      field.dispose();
    }
  });
});

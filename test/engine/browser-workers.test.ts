import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { bundledPage, ROOT, SKIP_BROWSER, type BundledPage } from "../helpers/browser.js";
import { inWorker, nodeWorkload } from "../helpers/engine-worker.js";

describe.skipIf(SKIP_BROWSER)("the CPU engine in a cross-origin-isolated page (COOP/COEP): Web Workers inside a dedicated Worker", () => {
  let site: BundledPage | undefined;

  beforeAll(async () => {
    site = await bundledPage({ name: "engine-coi", entry: [`export * from ${JSON.stringify(join(ROOT, "src/index.ts"))};`], isolated: true });
  });

  afterAll(async () => {
    await site?.close();
  });

  it("in a dedicated Worker, threads 2 run on nested Web Workers and give the bits of Node's single thread", async () => {
    const page = await (site as BundledPage).open();
    const got = await inWorker(page, 2);
    await page.close();
    expect(got.isolated).toBe(true);
    expect(got.info.workers).toBe("web");
    expect(got.info.threads).toBeGreaterThanOrEqual(1);
    expect(got.info.reason).toMatch(/^threads: \d+ \(Web Workers in a cross-origin-isolated dedicated Worker\)$/);
    // the first call ran on the worker alone (its Web Workers were still booting), the last gave
    // rows to them in the marginal call and in the Mlp passes; every attempt has Node's bits
    const first = got.runs[0]!, last = got.runs[got.runs.length - 1]!;
    expect([first.marginalRanges, first.mlpRanges, first.f32Ranges]).toEqual([0, 0, 0]);
    expect(last.marginalRanges).toBeGreaterThan(0);
    expect(last.mlpRanges).toBeGreaterThan(0);
    expect(last.f32Ranges).toBeGreaterThan(0);
    const expected = nodeWorkload();
    for (const run of got.runs) expect(run.values).toEqual(expected);
  });

  it("on the page's main thread (isolated, but Atomics.wait is forbidden there) the engine reports the single-thread fallback and gives the same bits", async () => {
    const page = await (site as BundledPage).open();
    const got = await page.evaluate(() => {
      const fm = (window as unknown as { fm: any }).fm;
      const info = fm.engineInfo();
      const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
      const rng = new fm.Random(31);
      const data = rng.normalBatch(2000, 2), x = rng.normalBatch(2048, 2), g = rng.normalBatch(2048, 2);
      const u = Array.from(fm.marginalVelocity(condOT, data, { threads: 2 }).evaluate(x, 0.6).data) as number[];
      const net = fm.mlp({ dim: 2, hidden: [64, 64], activation: "silu", seed: 32 });
      net.threads = 2;
      const v = Array.from(net.evaluate(x, 0.3).data) as number[];
      net.forward(x, 0.3);
      const gradient = Array.from(net.backward(g)) as number[];
      const net32 = fm.mlp({ dim: 2, hidden: [32, 24], activation: "selu", seed: 33 });
      net32.precision = "float32";
      net32.threads = 2;
      net32.forward(x, 0.4);
      const gradient32 = Array.from(net32.backward(g)) as number[];
      return { info, after: fm.engineInfo().workerRanges as number, values: { u, v, gradient, gradient32 }, isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true };
    });
    await page.close();
    expect(got.isolated).toBe(true);
    expect(got.info).toEqual({ threads: 1, workers: null, reason: "threads: 1 (main thread of a page: Atomics.wait not allowed, run the engine in a dedicated Worker)", workerRanges: 0 });
    expect(got.after).toBe(0);
    expect(got.values).toEqual(nodeWorkload());
  });
});

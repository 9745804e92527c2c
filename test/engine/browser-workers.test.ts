import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { bundledPage, ROOT, SKIP_BROWSER, type BundledPage } from "../helpers/browser.js";
import { engineInfo } from "../../src/engine/info.js";
import { mlp } from "../../src/nn/index.js";
import { Random } from "../../src/random/index.js";
import { marginalVelocity } from "../../src/velocity/index.js";

/**
 * The body of a module Worker started by the page: it imports the bundled library, computes the
 * workload of {@link nodeWorkload} with `threads` and posts the values with the engine's report
 * (before, and the worker ranges each part added).
 */
const WORKER = `
const fm = await import(new URL("/entry.js", self.location.origin.startsWith("http") ? self.location.origin : location.href).href);
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
self.onmessage = async (event) => {
  const threads = event.data;
  try {
    const before = fm.engineInfo();
    const condOT = { name: "condOT", at: (t) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
    const rng = new fm.Random(31);
    const data = rng.normalBatch(2000, 2), x = rng.normalBatch(2048, 2), g = rng.normalBatch(2048, 2);
    const field = fm.marginalVelocity(condOT, data, { threads });
    const net = fm.mlp({ dim: 2, hidden: [64, 64], activation: "silu", seed: 32 });
    net.threads = threads;
    // every call gives the same bits; the first ones start the Web Workers, which boot once this
    // worker's event loop runs (the await), and later calls share their rows with them
    const runs = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      const start = fm.engineInfo().workerRanges;
      const u = Array.from(field.evaluate(x, 0.6).data);
      const afterMarginal = fm.engineInfo().workerRanges;
      const v = Array.from(net.evaluate(x, 0.3).data);
      net.forward(x, 0.3);
      const gradient = Array.from(net.backward(g));
      const afterMlp = fm.engineInfo().workerRanges;
      runs.push({ values: { u, v, gradient }, marginalRanges: afterMarginal - start, mlpRanges: afterMlp - afterMarginal });
      if (afterMarginal > start && afterMlp > afterMarginal) break;
      await sleep(100);
    }
    self.postMessage({ runs, info: before, isolated: self.crossOriginIsolated === true });
  } catch (error) {
    self.postMessage({ error: String(error && error.stack || error) });
  }
};
self.postMessage("loaded");
`;

/** What the worker computes, here in Node on the calling thread alone. */
function nodeWorkload() {
  const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
  const rng = new Random(31);
  const data = rng.normalBatch(2000, 2), x = rng.normalBatch(2048, 2), g = rng.normalBatch(2048, 2);
  const u = Array.from(marginalVelocity(condOT, data, { threads: 1 }).evaluate(x, 0.6).data);
  const net = mlp({ dim: 2, hidden: [64, 64], activation: "silu", seed: 32 });
  net.threads = 1;
  const v = Array.from(net.evaluate(x, 0.3).data);
  net.forward(x, 0.3);
  const gradient = Array.from(net.backward(g));
  return { u, v, gradient };
}

/** The worker's answer. */
interface WorkerResult {
  /** Each attempt's values and the ranges its marginal call and its Mlp passes gave to workers. */
  runs: { values: ReturnType<typeof nodeWorkload>; marginalRanges: number; mlpRanges: number }[];
  info: { threads: number; workers: string | null; reason: string; workerRanges: number };
  isolated: boolean;
}

/** Starts a dedicated module Worker in the page, runs the workload with `threads` and returns its answer. */
export async function inWorker(page: Page, threads: number): Promise<WorkerResult> {
  return page.evaluate(async ({ source, threads }) => {
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    const worker = new Worker(url, { type: "module" });
    try {
      return await new Promise<WorkerResult>((ok, fail) => {
        worker.onerror = (event) => fail(new Error(`worker error: ${event.message}`));
        worker.onmessage = (event) => {
          if (event.data === "loaded") worker.postMessage(threads);
          else if (event.data.error !== undefined) fail(new Error(event.data.error));
          else ok(event.data);
        };
      });
    } finally {
      worker.terminate();
      URL.revokeObjectURL(url);
    }
  }, { source: WORKER, threads });
}

export { nodeWorkload };

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
    expect([first.marginalRanges, first.mlpRanges]).toEqual([0, 0]);
    expect(last.marginalRanges).toBeGreaterThan(0);
    expect(last.mlpRanges).toBeGreaterThan(0);
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
      return { info, after: fm.engineInfo().workerRanges as number, values: { u, v, gradient }, isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true };
    });
    await page.close();
    expect(got.isolated).toBe(true);
    expect(got.info).toEqual({ threads: 1, workers: null, reason: "threads: 1 (main thread of a page: Atomics.wait not allowed, run the engine in a dedicated Worker)", workerRanges: 0 });
    expect(got.after).toBe(0);
    expect(got.values).toEqual(nodeWorkload());
  });
});

describe("engineInfo in Node", () => {
  it("reports worker_threads and the default thread count of the engines", () => {
    const info = engineInfo();
    expect(info.workers).toBe("node");
    expect(info.reason).toBe(`threads: ${info.threads} (Node worker_threads)`);
    const before = info.workerRanges;
    const x = new Random(5).normalBatch(1024, 2);
    const net = mlp({ dim: 2, hidden: [16], seed: 6 });
    net.threads = 2;
    net.evaluate(x, 0.5);
    expect(engineInfo().workerRanges).toBeGreaterThan(before);
    net.threads = 1;
    const after = engineInfo().workerRanges;
    net.evaluate(x, 0.5);
    expect(engineInfo().workerRanges).toBe(after);
  });
});

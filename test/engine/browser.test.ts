import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { bundledPage, ROOT, SKIP_BROWSER, type BundledPage } from "../helpers/browser.js";
import { inWorker, nodeWorkload } from "../helpers/engine-worker.js";
import { mlp } from "../../src/nn/index.js";
import { Random } from "../../src/random/index.js";
import { marginalVelocity } from "../../src/velocity/index.js";

const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };

/** What the page computes, computed here in Node with the same seeds. */
function workload() {
  const rng = new Random(21);
  const data = rng.normalBatch(1500, 2), x = rng.normalBatch(700, 2), g = rng.normalBatch(700, 2);
  const u = Array.from(marginalVelocity(condOT, data).evaluate(x, 0.6).data);
  const net = mlp({ dim: 2, hidden: [64, 64], activation: "silu", seed: 22 });
  const v = Array.from(net.evaluate(x, 0.3).data);
  net.forward(x, 0.3);
  const gradient = Array.from(net.backward(g));
  return { u, v, gradient };
}

describe.skipIf(SKIP_BROWSER)("the CPU engine in headless Chromium (no cross-origin isolation: the calling thread alone, main thread or Worker)", () => {
  let site: BundledPage | undefined;

  beforeAll(async () => {
    site = await bundledPage({ name: "engine", entry: [`export * from ${JSON.stringify(join(ROOT, "src/index.ts"))};`] });
  });

  afterAll(async () => {
    await site?.close();
  });

  it("the marginal GEMM engine and the chunked Mlp (forward, backward) give the same bits as in Node", async () => {
    const page = await (site as BundledPage).open();
    const got = await page.evaluate(() => {
      const fm = (window as unknown as { fm: any }).fm;
      const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
      const rng = new fm.Random(21);
      const data = rng.normalBatch(1500, 2), x = rng.normalBatch(700, 2), g = rng.normalBatch(700, 2);
      const u = Array.from(fm.marginalVelocity(condOT, data).evaluate(x, 0.6).data) as number[];
      const net = fm.mlp({ dim: 2, hidden: [64, 64], activation: "silu", seed: 22 });
      const v = Array.from(net.evaluate(x, 0.3).data) as number[];
      net.forward(x, 0.3);
      const gradient = Array.from(net.backward(g)) as number[];
      return { u, v, gradient, isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true };
    });
    await page.close();
    expect(got.isolated).toBe(false);
    const { isolated: _, ...values } = got;
    expect(values).toEqual(workload());
  });

  it("engineInfo on the main thread names both reasons for one thread: the main thread and no cross-origin isolation", async () => {
    const page = await (site as BundledPage).open();
    const info = await page.evaluate(() => (window as unknown as { fm: any }).fm.engineInfo());
    await page.close();
    // (this Chromium runs with --enable-features=SharedArrayBuffer, so "no SharedArrayBuffer" may or may not follow)
    expect(info).toMatchObject({ threads: 1, workers: null, workerRanges: 0 });
    expect(info.reason).toMatch(/^threads: 1 \(main thread of a page: Atomics\.wait not allowed, run the engine in a dedicated Worker; not cross-origin isolated: serve the page with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp(; no SharedArrayBuffer)?\)$/);
  });

  it("in a dedicated Worker of a page that is not cross-origin isolated, threads 2 fall back to the worker alone (reported), with Node's bits", async () => {
    const page = await (site as BundledPage).open();
    const got = await inWorker(page, 2, 2);
    await page.close();
    expect(got.isolated).toBe(false);
    expect(got.info.threads).toBe(1);
    expect(got.info.workers).toBeNull();
    expect(got.info.reason).toMatch(/^threads: 1 \(not cross-origin isolated: serve the page with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp/);
    expect(got.runs.length).toBe(2);
    for (const run of got.runs) {
      expect([run.marginalRanges, run.mlpRanges, run.f32Ranges]).toEqual([0, 0, 0]);
      expect(run.values).toEqual(nodeWorkload());
    }
  });

  it("Mlp precision float32 trains in the page: the float32 bits of Node where shared WebAssembly memory exists, else float64", async () => {
    const page = await (site as BundledPage).open();
    const got = await page.evaluate(() => {
      const fm = (window as unknown as { fm: any }).fm;
      let shared = true;
      try { new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }); } catch { shared = false; }
      const rng = new fm.Random(23);
      const x = rng.normalBatch(600, 2), g = rng.normalBatch(600, 2);
      const net = fm.mlp({ dim: 2, hidden: [32, 24], activation: "selu", seed: 24 });
      net.precision = "float32";
      net.forward(x, 0.4);
      return { shared, gradient: Array.from(net.backward(g)) as number[] };
    });
    await page.close();
    const rng = new Random(23);
    const x = rng.normalBatch(600, 2), g = rng.normalBatch(600, 2);
    const net = mlp({ dim: 2, hidden: [32, 24], activation: "selu", seed: 24 });
    net.precision = got.shared ? "float32" : "float64";
    net.threads = 1;
    net.forward(x, 0.4);
    expect(got.gradient).toEqual(Array.from(net.backward(g)));
  });
});

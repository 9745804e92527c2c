/**
 * A dedicated module Worker, started by a page made with `bundledPage`, that runs the CPU engine
 * (marginal GEMM field, float64 Mlp forward/backward, float32 Mlp forward/backward) with a given
 * thread count, and the same workload computed in Node on one thread, to compare bits.
 */
import type { Page } from "playwright-core";
import { mlp } from "../../src/nn/index.js";
import { Random } from "../../src/random/index.js";
import { marginalVelocity } from "../../src/velocity/index.js";

/**
 * The body of a module Worker started by the page: it imports the bundled library, computes the
 * workload of {@link nodeWorkload} with `threads` and posts the values with the engine's report
 * (before, and the worker ranges each part added).
 */
export const WORKER = `
const fm = await import(new URL("/entry.js", self.location.origin.startsWith("http") ? self.location.origin : location.href).href);
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
self.onmessage = async (event) => {
  const { threads, attempts } = event.data;
  try {
    const before = fm.engineInfo();
    const condOT = { name: "condOT", at: (t) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
    const rng = new fm.Random(31);
    const data = rng.normalBatch(2000, 2), x = rng.normalBatch(2048, 2), g = rng.normalBatch(2048, 2);
    const field = fm.marginalVelocity(condOT, data, { threads });
    const net = fm.mlp({ dim: 2, hidden: [64, 64], activation: "silu", seed: 32 });
    net.threads = threads;
    const net32 = fm.mlp({ dim: 2, hidden: [32, 24], activation: "selu", seed: 33 });
    net32.precision = "float32";
    net32.threads = threads;
    // every call gives the same bits; the first ones start the Web Workers, which boot once this
    // worker's event loop runs (the await), and later calls share their rows with them
    const runs = [];
    for (let attempt = 0; attempt < attempts; attempt++) {
      const start = fm.engineInfo().workerRanges;
      const u = Array.from(field.evaluate(x, 0.6).data);
      const afterMarginal = fm.engineInfo().workerRanges;
      const v = Array.from(net.evaluate(x, 0.3).data);
      net.forward(x, 0.3);
      const gradient = Array.from(net.backward(g));
      const afterMlp = fm.engineInfo().workerRanges;
      net32.forward(x, 0.4);
      const gradient32 = Array.from(net32.backward(g));
      const afterF32 = fm.engineInfo().workerRanges;
      runs.push({ values: { u, v, gradient, gradient32 }, marginalRanges: afterMarginal - start, mlpRanges: afterMlp - afterMarginal, f32Ranges: afterF32 - afterMlp });
      if (afterMarginal > start && afterMlp > afterMarginal && afterF32 > afterMlp) break;
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
export function nodeWorkload() {
  const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
  const rng = new Random(31);
  const data = rng.normalBatch(2000, 2), x = rng.normalBatch(2048, 2), g = rng.normalBatch(2048, 2);
  const u = Array.from(marginalVelocity(condOT, data, { threads: 1 }).evaluate(x, 0.6).data);
  const net = mlp({ dim: 2, hidden: [64, 64], activation: "silu", seed: 32 });
  net.threads = 1;
  const v = Array.from(net.evaluate(x, 0.3).data);
  net.forward(x, 0.3);
  const gradient = Array.from(net.backward(g));
  const net32 = mlp({ dim: 2, hidden: [32, 24], activation: "selu", seed: 33 });
  net32.precision = "float32";
  net32.threads = 1;
  net32.forward(x, 0.4);
  const gradient32 = Array.from(net32.backward(g));
  return { u, v, gradient, gradient32 };
}

/** The worker's answer. */
export interface WorkerResult {
  /** Each attempt's values and the ranges its marginal call and its Mlp passes gave to workers. */
  runs: { values: ReturnType<typeof nodeWorkload>; marginalRanges: number; mlpRanges: number; f32Ranges: number }[];
  info: { threads: number; workers: string | null; reason: string; workerRanges: number };
  isolated: boolean;
}

/** Starts a dedicated module Worker in the page, runs the workload with `threads` and returns its answer. */
export async function inWorker(page: Page, threads: number, attempts = 40): Promise<WorkerResult> {
  return page.evaluate(async ({ source, message }) => {
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    const worker = new Worker(url, { type: "module" });
    try {
      return await new Promise<WorkerResult>((ok, fail) => {
        worker.onerror = (event) => fail(new Error(`worker error: ${event.message}`));
        worker.onmessage = (event) => {
          if (event.data === "loaded") worker.postMessage(message);
          else if (event.data.error !== undefined) fail(new Error(event.data.error));
          else ok(event.data);
        };
      });
    } finally {
      worker.terminate();
      URL.revokeObjectURL(url);
    }
  }, { source: WORKER, message: { threads, attempts } });
}


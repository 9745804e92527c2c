/*
 * Threads in headless Chromium: inside a dedicated Worker of a cross-origin-isolated page (COOP/COEP),
 * paired timings of 1 and 2 engine threads, interleaved call by call so that the load of a shared
 * machine hits both alike; prints medians and the median of the paired ratios (1 thread / 2 threads).
 *   npx tsx bench/browser-workers.ts
 * Workloads: Mlp forward + backward (batch 4096, [3-256-256-256-2] SELU, float64), and
 * marginalVelocity of 4096 data points at 4096 queries (d = 2). The same paired timing runs in Node
 * (worker_threads) in the same process first, so the browser's ratio has Node's beside it.
 */
import { join } from "node:path";
import { bundledPage, ROOT } from "../test/helpers/browser.js";
import { engineInfo } from "../src/engine/info.js";
import { mlp } from "../src/nn/index.js";
import { Random } from "../src/random/index.js";
import { marginalVelocity } from "../src/velocity/index.js";

const WORKER = `
const fm = await import(new URL("/entry.js", self.location.origin).href);
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
self.onmessage = async () => {
  const rng = new fm.Random(1);
  const n = 4096;
  const x = rng.normalBatch(n, 2), t = rng.fillUniform(new Float64Array(n)), g = rng.normalBatch(n, 2), data = rng.normalBatch(4096, 2);
  const condOT = { name: "condOT", at: (s) => ({ alpha: s, sigma: 1 - s, dAlpha: 1, dSigma: -1 }) };
  const nets = [1, 2].map((threads) => { const net = fm.mlp({ dim: 2, hidden: [256, 256, 256], activation: "selu", seed: 0 }); net.threads = threads; return net; });
  const fields = [1, 2].map((threads) => fm.marginalVelocity(condOT, data, { threads }));
  const step = (net) => { const s = performance.now(); net.forward(x, t); net.backward(g); return performance.now() - s; };
  const field = (f) => { const s = performance.now(); f.evaluate(x, 0.6); return performance.now() - s; };
  // the first calls start the Web Workers, which boot while this worker awaits
  for (let i = 0; i < 3; i++) { step(nets[0]); step(nets[1]); field(fields[0]); field(fields[1]); await sleep(50); }
  const ranges = fm.engineInfo().workerRanges;
  const out = { info: fm.engineInfo(), mlp: [[], [], []], marginal: [[], [], []] };
  for (let i = 0; i < 15; i++) {
    const a = step(nets[0]), b = step(nets[1]); out.mlp[0].push(a); out.mlp[1].push(b); out.mlp[2].push(a / b);
    const c = field(fields[0]), d = field(fields[1]); out.marginal[0].push(c); out.marginal[1].push(d); out.marginal[2].push(c / d);
  }
  out.workerRanges = fm.engineInfo().workerRanges - ranges;
  self.postMessage(out);
};
self.postMessage("loaded");
`;

/** The worker's measurement in Node: paired 1/2-thread timings of the same workloads. */
function inNode() {
  const rng = new Random(1);
  const n = 4096;
  const x = rng.normalBatch(n, 2), t = rng.fillUniform(new Float64Array(n)), g = rng.normalBatch(n, 2), data = rng.normalBatch(4096, 2);
  const condOT = { name: "condOT", at: (s: number) => ({ alpha: s, sigma: 1 - s, dAlpha: 1, dSigma: -1 }) };
  const nets = [1, 2].map((threads) => { const net = mlp({ dim: 2, hidden: [256, 256, 256], activation: "selu", seed: 0 }); net.threads = threads; return net; });
  const fields = [1, 2].map((threads) => marginalVelocity(condOT, data, { threads }));
  const step = (net: (typeof nets)[number]) => { const s = performance.now(); net.forward(x, t); net.backward(g); return performance.now() - s; };
  const field = (f: (typeof fields)[number]) => { const s = performance.now(); f.evaluate(x, 0.6); return performance.now() - s; };
  for (let i = 0; i < 3; i++) { step(nets[0]!); step(nets[1]!); field(fields[0]!); field(fields[1]!); }
  const out = { mlp: [[], [], []] as number[][], marginal: [[], [], []] as number[][] };
  for (let i = 0; i < 15; i++) {
    const a = step(nets[0]!), b = step(nets[1]!); out.mlp[0]!.push(a); out.mlp[1]!.push(b); out.mlp[2]!.push(a / b);
    const c = field(fields[0]!), d = field(fields[1]!); out.marginal[0]!.push(c); out.marginal[1]!.push(d); out.marginal[2]!.push(c / d);
  }
  return out;
}

const med = (z: number[]) => [...z].sort((p, q) => p - q)[z.length >> 1]!;
const report = (where: string, out: { mlp: number[][]; marginal: number[][] }) => {
  for (const [name, rows] of [["Mlp forward+backward f64 (4096, [3-256-256-256-2])", out.mlp], ["marginalVelocity d=2, M=N=4096", out.marginal]] as const) {
    console.log(`${where} ${name}: 1 thread ${med(rows[0]!).toFixed(1)} ms, 2 threads ${med(rows[1]!).toFixed(1)} ms, paired ratio 1/2 threads ${med(rows[2]!).toFixed(2)} (medians of 15)`);
  }
};
console.log(`Node ${process.version}: ${engineInfo().reason}`);
report("Node", inNode());

const site = await bundledPage({ name: "bench-workers", entry: [`export * from ${JSON.stringify(join(ROOT, "src/index.ts"))};`], isolated: true });
try {
  const page = await site.open();
  const out = await page.evaluate(async (source) => {
    const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })), { type: "module" });
    return new Promise<any>((ok, fail) => {
      worker.onerror = (e) => fail(new Error(e.message));
      worker.onmessage = (e) => (e.data === "loaded" ? worker.postMessage(0) : ok(e.data));
    });
  }, WORKER);
  console.log(`Chromium ${site.browser.version()} (Worker of a COOP/COEP page): ${out.info.reason}; worker ranges during the timed calls: ${out.workerRanges}`);
  report("Chromium", out);
} finally {
  await site.close();
}

/*
 * flow-matching/tfjs in real headless Chromium: a tf model with our Mlp's weights on the webgl
 * backend (and webgpu where the browser exposes an adapter, SwiftShader here) samples and
 * computes exact log-likelihoods like the float64 Mlp, through the async solvers; on webgl the
 * sync and async readbacks give bit-identical samples; trainTf runs there and leaks no tensor.
 * SwiftShader is a software renderer: correctness only, never timings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { bundledPage, ROOT, SKIP_BROWSER, type BundledPage } from "../helpers/browser.js";
import { mlp } from "../../src/nn/create.js";
import { Random } from "../../src/random/random.js";
import { logLikelihood } from "../../src/solvers/likelihood.js";
import { sample } from "../../src/solvers/sample.js";


interface PageResult {
  backend: string;
  gradientError?: string;
  available: boolean;
  reason?: string;
  y?: number[];
  ySync?: number[] | null;
  nfe?: number;
  nfeSync?: number | null;
  logProb?: number[];
  trainLoss?: number[];
  leaked?: number;
}

describe.skipIf(SKIP_BROWSER)("flow-matching/tfjs in headless Chromium (webgl, webgpu on SwiftShader)", () => {
  let site: BundledPage | undefined;

  beforeAll(async () => {
    site = await bundledPage({
      name: "tfjs",
      entry: [
        `export * from ${JSON.stringify(join(ROOT, "src/tfjs/index.ts"))};`,
        `export { Random, affinePath, condOT, eightGaussians, moons, exactOTCoupling, sampleAsync, sample, logLikelihoodAsync } from ${JSON.stringify(join(ROOT, "src/index.ts"))};`,
        `export { default as ndarray } from "ndarray";`,
        `import * as tf from "@tensorflow/tfjs-core"; import "@tensorflow/tfjs-backend-webgl"; import "@tensorflow/tfjs-backend-webgpu"; export { tf };`,
        // tfjs-core's browser module registers no gradients (the @tensorflow/tfjs union package does): the page registers them after a first check
        `export const registerGradients = () => import("@tensorflow/tfjs-core/dist/register_all_gradients");`,
      ],
    });
  });

  afterAll(async () => {
    await site?.close();
  });

  const net = mlp({ dim: 2, hidden: [32, 32], activation: "tanh", seed: 5 });
  const x0 = new Random(1).normalBatch(128, 2);
  const x1 = new Random(2).normalBatch(16, 2);
  const options = { method: "rk4" as const, steps: 16 };

  async function runOn(backend: string): Promise<PageResult> {
    const page = await (site as BundledPage).open();
    const spec = net.toSpec();
    const layers = spec.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, weight: Array.from(l.weight), bias: Array.from(l.bias) }));
    const result = await page.evaluate(async ({ backend, layers, x0s, x1s, options }) => {
      const fm = (window as unknown as { fm: any }).fm;
      const tf = fm.tf;
      if (backend === "webgpu") {
        const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
        const adapter = gpu === undefined ? null : await gpu.requestAdapter();
        if (adapter === null) return { backend, available: false, reason: "no WebGPU adapter" };
      }
      if (!(await tf.setBackend(backend))) return { backend, available: false, reason: "setBackend failed" };
      await tf.ready();
      // the Mlp's weights as tf variables: kernel [inputs, outputs] is our [outputs, inputs] transposed
      const vars = layers.map((l: any) => {
        const kernel = new Float32Array(l.inputs * l.outputs);
        for (let o = 0; o < l.outputs; o++) for (let i = 0; i < l.inputs; i++) kernel[i * l.outputs + o] = l.weight[o * l.inputs + i];
        return { k: tf.variable(tf.tensor2d(kernel, [l.inputs, l.outputs])), b: tf.variable(tf.tensor1d(Float32Array.from(l.bias))) };
      });
      const model = (x: any, t: any) => {
        let a = tf.concat([x, tf.reshape(t, [-1, 1])], 1);
        vars.forEach((v: any, k: number) => {
          const z = tf.add(tf.matMul(a, v.k), v.b);
          a = k === vars.length - 1 ? z : tf.tanh(z);
        });
        return a;
      };
      const field = fm.tfVelocityField(model, { dim: 2 });
      // a fresh page: no gradients registered yet
      let gradientError = "";
      const before0 = tf.memory().numTensors;
      try {
        await field.divergenceAsync(fm.ndarray(Float64Array.from([0.5, 0.5]), [1, 2]), 0.5);
      } catch (e) {
        gradientError = `${(e as Error).name}: ${(e as Error).message}`;
      }
      gradientError += ` (tensors left: ${tf.memory().numTensors - before0})`;
      await fm.registerGradients();
      const before = tf.memory().numTensors;
      const x0 = fm.ndarray(Float64Array.from(x0s), [x0s.length / 2, 2]);
      const run = await fm.sampleAsync(field, x0, options);
      // webgpu has no synchronous readback of GPU data: the sync contract is for webgl
      const sync = backend === "webgl" ? fm.sample(field, x0, options) : null;
      const ll = await fm.logLikelihoodAsync(field, fm.ndarray(Float64Array.from(x1s), [x1s.length / 2, 2]), options);
      const optimizer = tf.train.sgd(0.01);
      const trained = await fm.trainTf(model, {
        source: fm.eightGaussians(), target: fm.moons(), path: fm.affinePath(fm.condOT()), coupling: fm.exactOTCoupling(),
        dim: 2, optimizer, variables: vars.flatMap((v: any) => [v.k, v.b]), steps: 3, batchSize: 32, rng: new fm.Random(3),
      });
      optimizer.dispose();
      const leaked = tf.memory().numTensors - before;
      return {
        backend: tf.getBackend(), available: true, gradientError, y: Array.from(run.y.data), nfe: run.statistics.nfe,
        ySync: sync === null ? null : Array.from(sync.y.data), nfeSync: sync === null ? null : sync.statistics.nfe,
        logProb: Array.from(ll.logProb), trainLoss: Array.from(trained.loss), leaked,
      };
    }, { backend, layers, x0s: Array.from(x0.data), x1s: Array.from(x1.data), options });
    await page.close();
    return result as PageResult;
  }

  function check(r: PageResult): void {
    // without registered gradients: a typed error that says what to import (and nothing left behind)
    expect(r.gradientError).toMatch(/^DomainError: tfVelocityField\.divergenceAsync\(\): model must have its ops' gradients registered \(import "@tensorflow\/tfjs-core\/dist\/register_all_gradients"/);
    expect(r.gradientError).toMatch(/\(tensors left: 0\)$/);
    const expected = sample(net, x0, options).y.data;
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs((r.y?.[i] as number) - (expected[i] as number)));
    expect(worst).toBeLessThan(1e-3);
    expect(r.nfe).toBe(64);
    const logProb = logLikelihood(net, x1, options).logProb;
    for (let i = 0; i < logProb.length; i++) expect(Math.abs((r.logProb?.[i] as number) - (logProb[i] as number))).toBeLessThan(1e-3);
    expect(r.trainLoss?.length).toBe(3);
    expect(r.trainLoss?.every((l) => Number.isFinite(l) && l > 0)).toBe(true);
    expect(r.leaked).toBe(0);
  }

  it("webgl: sampleAsync and exact logLikelihoodAsync match the float64 Mlp (1e-3); sync and async readback give the same bits and NFE; trainTf runs; no tensor leaks", async () => {
    const r = await runOn("webgl");
    expect(r.available).toBe(true);
    expect(r.backend).toBe("webgl");
    check(r);
    expect(r.ySync).toEqual(r.y);
    expect(r.nfeSync).toBe(r.nfe);
  }, 120_000);

  // The launcher's flags give Chromium 153 a SwiftShader WebGPU adapter; FM_NO_WEBGPU=1 skips this test for a browser without one.
  it.skipIf(process.env.FM_NO_WEBGPU === "1")("webgpu (SwiftShader adapter): the same results through the async contract", async () => {
    const r = await runOn("webgpu");
    expect(r.reason ?? "").toBe("");
    expect(r.available).toBe(true);
    expect(r.backend).toBe("webgpu");
    check(r);
  }, 120_000);
});

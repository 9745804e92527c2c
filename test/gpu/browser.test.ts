import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { bundledPage, ROOT, SKIP_BROWSER, type BundledPage } from "../helpers/browser.js";
import { mlp } from "../../src/nn/index.js";
import { Random } from "../../src/random/index.js";
import { marginalVelocity } from "../../src/velocity/index.js";
import { maxRelativeError } from "./helpers.js";


describe.skipIf(SKIP_BROWSER)("flow-matching/gpu in real headless Chromium (WebGL2 on SwiftShader)", () => {
  let site: BundledPage | undefined;

  beforeAll(async () => {
    site = await bundledPage({ name: "gpu", entry: [`export * from ${JSON.stringify(join(ROOT, "src/gpu/index.ts"))};`, `export { default as ndarray } from "ndarray";`] });
  });

  afterAll(async () => {
    await site?.close();
  });

  it("property: the ESM bundle runs the MLP and marginal fields on webgl2 and matches the float64 CPU results within 1e-4; auto selection refuses SwiftShader for cpu-f32", async () => {
    const net = mlp({ dim: 2, hidden: [64, 64], activation: "silu", seed: 11 });
    const rng = new Random(12);
    const x = rng.normalBatch(333, 2);
    const data = rng.normalBatch(1100, 2);
    const spec = net.toSpec();
    const plain = { ...spec, layers: spec.layers.map((l) => ({ ...l, weight: Array.from(l.weight), bias: Array.from(l.bias) })), time: { kind: "concat" } };
    const page = await (site as BundledPage).open();
    const out = await page.evaluate(async ({ plain, xs, ys }) => {
      const fm = (window as unknown as { fm: any }).fm;
      const s = { ...plain, layers: plain.layers.map((l: any) => ({ ...l, weight: Float64Array.from(l.weight), bias: Float64Array.from(l.bias) })) };
      const x = fm.ndarray(Float64Array.from(xs), [xs.length / 2, 2]);
      const field = fm.gpuMlpField(s, { backend: "webgl2", tileRows: 128 });
      const u = Array.from(field.evaluate(x, 0.4).data) as number[];
      const ua = Array.from((await field.evaluateAsync(x, 0.4)).data) as number[];
      const report = field.report;
      field.dispose();
      const condOT = { name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) };
      const mf = fm.gpuMarginalVelocity(condOT, fm.ndarray(Float64Array.from(ys), [ys.length / 2, 2]), { backend: "webgl2", dataTile: 512 });
      const m = Array.from(mf.evaluate(x, 0.6).data) as number[];
      const auto = fm.gpuMlpField(s, {});
      const autoReport = { backend: auto.report.backend, reason: auto.report.reason, threads: auto.report.threads, u: Array.from(auto.evaluate(x, 0.4).data) as number[] };
      auto.dispose();
      mf.dispose();
      return { u, ua, m, report, autoReport };
    }, { plain, xs: Array.from(x.data), ys: Array.from(data.data) });
    await page.close();
    expect(out.report.backend).toBe("webgl2");
    expect(out.report.software).toBe(true);
    expect(out.report.renderer).toMatch(/swiftshader/i);
    expect(out.report.kernels.every((k: { ran: string; fallbackReason: unknown }) => k.ran === "webgl2" && k.fallbackReason === null)).toBe(true);
    expect(maxRelativeError(out.u, net.evaluate(x, 0.4).data)).toBeLessThanOrEqual(1e-4);
    expect(maxRelativeError(out.ua, net.evaluate(x, 0.4).data)).toBeLessThanOrEqual(1e-4);
    expect(maxRelativeError(out.m, marginalVelocity({ name: "condOT", at: (t: number) => ({ alpha: t, sigma: 1 - t, dAlpha: 1, dSigma: -1 }) }, data).evaluate(x, 0.6).data)).toBeLessThanOrEqual(1e-4);
    // refused SwiftShader: our float32 CPU path, on the page's thread (no blocking Atomics.wait there)
    expect(out.autoReport.backend).toBe("cpu-f32");
    expect(out.autoReport.reason).toMatch(/software/);
    expect(out.autoReport.threads).toBe(1);
    expect(maxRelativeError(out.autoReport.u, net.evaluate(x, 0.4).data)).toBeLessThanOrEqual(1e-4);
  });
});

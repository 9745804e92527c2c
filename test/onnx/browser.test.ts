import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { bundledPage, ROOT, SKIP_BROWSER, type BundledPage } from "../helpers/browser.js";
import { maxAbsDiff, reference } from "./helpers.js";

const ortDist = join(ROOT, "node_modules/onnxruntime-web/dist");

describe.skipIf(SKIP_BROWSER)("flow-matching/onnx in headless Chromium with onnxruntime-web (wasm execution provider)", () => {
  let site: BundledPage | undefined;

  beforeAll(async () => {
    // our entry and the async solvers bundled for the browser; onnxruntime-web is loaded from its own dist, as a page would
    site = await bundledPage({
      name: "onnx",
      entry: [
        `export { onnxVelocityField } from ${JSON.stringify(join(ROOT, "src/onnx/index.ts"))};`,
        `export { sampleAsync, logLikelihoodAsync } from ${JSON.stringify(join(ROOT, "src/solvers/index.ts"))};`,
        `export { default as ndarray } from "ndarray";`,
      ],
      html: `<!doctype html><script type="module">
      import * as ort from "/ort/ort.wasm.min.mjs";
      import * as fm from "./entry.js";
      ort.env.wasm.wasmPaths = "/ort/";
      ort.env.wasm.numThreads = 1;
      window.ort = ort; window.fm = fm; window.ready = true;
    </script>`,
      files: (path) => (path.startsWith("/ort/") ? join(ortDist, path.slice(5)) : path.startsWith("/fixtures/") ? join(ROOT, "test/onnx", path.slice(1)) : null),
    });
  });

  afterAll(async () => {
    await site?.close();
  });

  it("velocities equal PyTorch's to 1e-5, Euler samples to 1e-4, and likelihoods with the JVP output to 1e-3 nats, in the browser", async () => {
    const page = await (site as BundledPage).open();
    const out = await page.evaluate(async ({ points, times, x0, x1 }) => {
      const { ort, fm } = window as unknown as { ort: any; fm: any };
      const open = async (name: string) => ort.InferenceSession.create(new Uint8Array(await (await fetch(`/fixtures/${name}`)).arrayBuffer()), { executionProviders: ["wasm"] });
      const batch = (rows: number[][]) => fm.ndarray(Float64Array.from(rows.flat()), [rows.length, 2]);
      const field = fm.onnxVelocityField(await open("velocity.onnx"));
      const u = Array.from((await field.evaluateAsync(batch(points), Float64Array.from(times))).data);
      const euler = Array.from((await fm.sampleAsync(field, batch(x0), { method: "euler", steps: 100 })).y.data);
      const jvpField = fm.onnxVelocityField(await open("velocity-jvp.onnx"));
      const like = Array.from((await fm.logLikelihoodAsync(jvpField, batch(x1), { method: "dopri5", rtol: 1e-7, atol: 1e-7 })).logProb);
      let error = "";
      try { fm.onnxVelocityField(await open("velocity.onnx"), { inputs: { x: "pos" } }); } catch (e) { error = `${(e as Error).name}: ${(e as Error).message}`; }
      return { u, euler, like, error, runs: field.statistics.runs, jvpSource: jvpField.jvpSource };
    }, { points: reference.points, times: reference.times, x0: reference.x0, x1: reference.x1 });
    await page.close();
    expect(maxAbsDiff(out.u as number[], reference.velocities.flat())).toBeLessThan(1e-5);
    expect(maxAbsDiff(out.euler as number[], reference.euler100.flat())).toBeLessThan(1e-4);
    expect(out.runs).toBe(101);
    expect(out.jvpSource).toBe("graph");
    expect(maxAbsDiff(out.like as number[], reference.log_likelihood)).toBeLessThan(1e-3);
    expect(out.error).toMatch(/^DomainError: onnxVelocityField\(\): options.inputs.x must name an input of the session/);
  }, 120_000);
});

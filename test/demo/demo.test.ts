/**
 * Drives the browser demo in real headless Chromium (found by test/helpers/browser.ts, driven
 * through playwright-core): the page trains a flow from its autorun query, the loss goes down,
 * both canvases get drawn, and no page error is raised.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeServer, launchBrowser, serveFiles, SKIP_BROWSER } from "../helpers/browser.js";

const ROOT = join(import.meta.dirname, "..", "..");
const DIST = join(ROOT, "demo", "dist");
const STEPS = Number(process.env.FM_DEMO_STEPS ?? 150); // FM_DEMO_STEPS=1500 makes the docs screenshot
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".map": "application/json", ".png": "image/png" };

/** Serves demo/dist on 127.0.0.1 at a random free port. */
function serve(dir: string): Promise<{ server: Server; url: string }> {
  return serveFiles((path) => {
    const file = normalize(join(dir, path === "/" ? "index.html" : path));
    if (!file.startsWith(dir + sep) || !existsSync(file)) return null;
    return { body: readFileSync(file), type: TYPES[extname(file)] ?? "application/octet-stream" };
  });
}

/** Counts canvas pixels that differ from the white background (and, separately, the red sample dots). */
interface PixelCount {
  ink: number;
  red: number;
}

/** Counts the pixels of a canvas that differ from the white background, and the red sample dots. */
function countPixels(page: Page, id: string): Promise<PixelCount> {
  return page.evaluate((canvasId): PixelCount => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    let red = 0;
    for (let i = 0; i < data.length; i += 4) {
      const r = data[i]!, g = data[i + 1]!, b = data[i + 2]!;
      if (r < 250 || g < 250 || b < 250) ink++;
      if (r > 180 && g < 120 && b < 120) red++;
    }
    return { ink, red };
  }, id);
}

describe.skipIf(SKIP_BROWSER)("browser demo in headless Chromium", () => {
  let server: Server | undefined;
  let url = "";
  let browser: Browser | undefined;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, "scripts", "build-demo.mjs")], { cwd: ROOT, stdio: "pipe" });
    ({ server, url } = await serve(DIST));
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await closeServer(server);
  });

  it("autorun trains with exact-OT pairing (loss finite and decreasing), animates samples onto both canvases, with no page errors", async () => {
    const page = await browser!.newPage({ viewport: { width: 920, height: 640 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto(`${url}?dataset=moons&steps=${STEPS}&coupling=ot&autorun=1`);
    await page.waitForFunction(() => ["done", "error"].includes(window.__demo?.status), undefined, { timeout: 45_000, polling: 100 });
    const state = await page.evaluate(() => window.__demo);
    await page.screenshot({ path: join(DIST, "screenshot.png") });

    expect(errors).toEqual([]);
    expect(state.error).toBe("");
    expect(state.status).toBe("done");
    // training ran every step, and every loss is finite
    expect(state.steps).toBe(STEPS);
    expect(state.losses).toHaveLength(STEPS);
    expect(state.losses.every(Number.isFinite)).toBe(true);
    expect(state.lastLoss).toBe(state.losses[STEPS - 1]);
    // the loss went down: mean of the last 25 steps is at least 15% below the first 25
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const first = mean(state.losses.slice(0, 25));
    const last = mean(state.losses.slice(-25));
    expect(last).toBeLessThan(0.85 * first);
    // the flow animation drew every frame and (nearly) all 1000 samples in the view
    expect(state.frames).toBe(31);
    expect(state.drawnPoints).toBeGreaterThan(950);
    // sampling went through the GPU entry; headless Chromium here renders WebGL2 with
    // SwiftShader (software), so the honest choice is our float32 CPU path
    expect(state.backend).toBe("cpu-f32");

    const pixels = { loss: await countPixels(page, "loss"), flow: await countPixels(page, "flow") };
    // the loss canvas has its frame and a curve (> 1000 non-white pixels of 126 000)
    expect(pixels.loss.ink).toBeGreaterThan(1000);
    // the flow canvas shows the red samples (each dot is ~3x3 pixels; overlaps allowed)
    expect(pixels.flow.red).toBeGreaterThan(1500);
    expect(pixels.flow.ink).toBeGreaterThan(pixels.flow.red);
  });

  it("opened plainly, the page is already training and previews the model's samples as it learns; the loss chart has round tick labels", async () => {
    const page = await browser!.newPage({ viewport: { width: 920, height: 640 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => window.__demo.previews >= 2, undefined, { timeout: 30_000, polling: 100 });
    const state = await page.evaluate(() => window.__demo);
    expect(state.status).toBe("training");
    expect(state.steps).toBeGreaterThan(0);
    expect((await countPixels(page, "flow")).red).toBeGreaterThan(1000);
    expect((await countPixels(page, "loss")).ink).toBeGreaterThan(1000);
    // round labels in plain decimals, evenly spaced (no "1e1.1")
    expect(state.lossTicks.length).toBeGreaterThanOrEqual(3);
    expect(state.lossTicks.every((l) => /^-?\d+(\.\d+)?$/.test(l))).toBe(true);
    const values = state.lossTicks.map(Number);
    expect(values.slice(1).map((v, i) => v - values[i]!).every((d, _, all) => Math.abs(d - all[0]!) < 1e-9 * Math.abs(all[0]!) + 1e-12)).toBe(true);
    await page.click("#stop");
    await page.waitForFunction(() => window.__demo.status === "stopped", undefined, { timeout: 10_000, polling: 50 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the buttons work by hand: Stop aborts training early (AbortSignal) and Sample then animates the partial model", async () => {
    const page = await browser!.newPage({ viewport: { width: 920, height: 640 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${url}?autorun=0`);
    expect(await page.evaluate(() => window.__demo.status)).toBe("idle");
    // even idle, the flow canvas shows the data set and the noise it starts from
    expect((await countPixels(page, "flow")).red).toBeGreaterThan(1000);
    await page.selectOption("#dataset", "checkerboard");
    await page.fill("#steps", "100000");
    await page.click("#train");
    await page.waitForFunction(() => window.__demo.steps >= 20, undefined, { timeout: 20_000, polling: 50 });
    await page.click("#stop");
    await page.waitForFunction(() => window.__demo.status !== "training", undefined, { timeout: 10_000, polling: 50 });
    const stopped = await page.evaluate(() => window.__demo);
    expect(stopped.status).toBe("stopped");
    expect(stopped.steps).toBeGreaterThanOrEqual(20);
    expect(stopped.steps).toBeLessThan(100_000);
    expect(Number.isFinite(stopped.lastLoss)).toBe(true);
    await page.click("#sample");
    await page.waitForFunction(() => ["done", "error"].includes(window.__demo.status), undefined, { timeout: 20_000, polling: 100 });
    const done = await page.evaluate(() => window.__demo);
    expect(done.status).toBe("done");
    expect(done.frames).toBe(31);
    expect(done.drawnPoints).toBeGreaterThan(500);
    expect(errors).toEqual([]);
  });
});

/**
 * One way for every browser test to find and start headless Chromium, without root:
 *
 * 1. `FM_CHROMIUM`, if set (a path to a Chromium or Chrome binary);
 * 2. otherwise a system Chromium/Chrome, if one is installed at a usual path;
 * 3. otherwise the headless Chromium of the `@sparticuz/chromium` dev dependency (Chromium 153,
 *    about 67 MB in node_modules; it decompresses itself into the temp folder on first use).
 *
 * Step 3 runs once per test run in `test/helpers/browser-setup.ts` (vitest's globalSetup), which
 * passes the path on in `FM_CHROMIUM_RESOLVED`, so parallel test files never decompress at once.
 * A browser that cannot start is an error saying how to fix it; only `FM_SKIP_BROWSER=1`, set by
 * the person running the tests, skips the browser tests (and vitest reports them as skipped).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, "../..");

/** True when the person running the tests asked to skip the browser tests. */
export const SKIP_BROWSER = process.env.FM_SKIP_BROWSER === "1";

const SYSTEM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

/** Flags every launch uses: no sandbox (we may run as root), nothing that reaches the network. */
const BASE_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--no-default-browser-check"];

/** WebGL2 and a WebGPU adapter through SwiftShader (software): correctness only, never timings. */
const GPU_ARGS = ["--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist", "--enable-unsafe-webgpu", "--enable-features=Vulkan,WebGPU,SharedArrayBuffer", "--use-webgpu-adapter=swiftshader"];

/** Where the executable came from, for messages. */
export type BrowserSource = "FM_CHROMIUM" | "system" | "@sparticuz/chromium";

/** Finds a Chromium without starting it; the npm fallback is decompressed here when asked to. */
export async function resolveChromium(): Promise<{ executable: string; source: BrowserSource }> {
  const explicit = process.env.FM_CHROMIUM;
  if (explicit !== undefined && explicit !== "") {
    if (!existsSync(explicit)) throw new Error(`browser tests: FM_CHROMIUM=${explicit} does not exist; unset it to use a system Chromium or the @sparticuz/chromium dev dependency`);
    return { executable: explicit, source: "FM_CHROMIUM" };
  }
  const resolved = process.env.FM_CHROMIUM_RESOLVED;
  if (resolved !== undefined && resolved !== "" && existsSync(resolved)) return { executable: resolved, source: "@sparticuz/chromium" };
  const system = SYSTEM_PATHS.find((p) => existsSync(p));
  if (system !== undefined) return { executable: system, source: "system" };
  try {
    const packaged = (await import("@sparticuz/chromium")).default;
    return { executable: await packaged.executablePath(), source: "@sparticuz/chromium" };
  } catch (e) {
    throw new Error(
      `browser tests: no Chromium found (FM_CHROMIUM unset, none at ${SYSTEM_PATHS.join(", ")}) and the @sparticuz/chromium dev dependency failed: ${(e as Error).message}. ` +
        "Run `npm ci` (it installs @sparticuz/chromium), set FM_CHROMIUM to a Chromium binary, or set FM_SKIP_BROWSER=1 to skip the browser tests.",
    );
  }
}

/** Starts headless Chromium with WebGL2 and WebGPU on SwiftShader; the error says how to fix a failed start. */
export async function launchBrowser(): Promise<Browser> {
  const { executable, source } = await resolveChromium();
  try {
    return await chromium.launch({ executablePath: executable, args: [...BASE_ARGS, ...GPU_ARGS] });
  } catch (e) {
    throw new Error(
      `browser tests: Chromium from ${source} (${executable}) did not start: ${(e as Error).message.split("\n")[0]}. ` +
        "Set FM_CHROMIUM to a working Chromium binary, delete the decompressed copy in the temp folder and rerun, or set FM_SKIP_BROWSER=1 to skip the browser tests.",
    );
  }
}

/** The headers that make a page cross-origin isolated (`SharedArrayBuffer`, `crossOriginIsolated`). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };

/**
 * Serves files on http://127.0.0.1 at a free port (WebGPU needs a real origin, not about:blank);
 * `headers` are added to every response (e.g. {@link ISOLATION_HEADERS}).
 */
export async function serveFiles(read: (path: string) => { body: Buffer | string; type: string } | null, headers: Readonly<Record<string, string>> = {}): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    const file = read(path);
    if (file === null) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { ...headers, "content-type": file.type }).end(file.body);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** Closes a server started by {@link serveFiles}. */
export function closeServer(server: Server | undefined): Promise<void> {
  return new Promise((ok) => (server === undefined ? ok() : server.close(() => ok())));
}

/** A page bundled by {@link bundledPage}: its browser and address, and a way to open and to tear down. */
export interface BundledPage {
  browser: Browser;
  url: string;
  /** A new tab on the page, after the page's script set `window.ready`. */
  open(): Promise<Page>;
  /** Closes the browser and the server and deletes the bundle. */
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = { js: "text/javascript", mjs: "text/javascript", wasm: "application/wasm", html: "text/html", json: "application/json" };

/**
 * Bundles `entry` (lines of an ES module; esbuild, browser platform, ESM, code splitting) into a
 * temp folder, serves it on http://127.0.0.1 with an index.html that puts the module on
 * `window.fm` (or `html`, which must set `window.ready = true`), and starts the browser.
 * `files(path)` may map other request paths to files on disk (fixtures, a library's dist).
 * `isolated: true` serves every file with {@link ISOLATION_HEADERS} (a cross-origin-isolated page).
 */
export async function bundledPage(options: { name: string; entry: string[]; html?: string; files?: (path: string) => string | null; isolated?: boolean }): Promise<BundledPage> {
  const dir = mkdtempSync(join(tmpdir(), `fm-${options.name}-browser-`));
  let server: Server | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await closeServer(server);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    writeFileSync(join(dir, "entry.ts"), options.entry.join("\n") + "\n");
    await build({ entryPoints: [join(dir, "entry.ts")], bundle: true, format: "esm", platform: "browser", splitting: true, outdir: dir, nodePaths: [join(ROOT, "node_modules")], logLevel: "error" });
    writeFileSync(join(dir, "index.html"), options.html ?? `<!doctype html><script type="module">import * as fm from "./entry.js"; window.fm = fm; window.ready = true;</script>`);
    let url: string;
    ({ server, url } = await serveFiles((path) => {
      const file = options.files?.(path) ?? join(dir, path === "/" ? "index.html" : path.slice(1));
      if (!existsSync(file)) return null;
      return { body: readFileSync(file), type: CONTENT_TYPES[file.split(".").pop() ?? ""] ?? "application/octet-stream" };
    }, options.isolated === true ? ISOLATION_HEADERS : {}));
    const started = (browser = await launchBrowser());
    const open = async (): Promise<Page> => {
      const page = await started.newPage();
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
      return page;
    };
    return { browser: started, url, open, close };
  } catch (e) {
    await close();
    throw e;
  }
}

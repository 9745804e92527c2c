// Builds the browser demo: bundles demo/main.ts (and the library it imports) as one ESM
// file for browsers into demo/dist/main.js and copies demo/index.html next to it.
// Run: npm run demo   then serve demo/dist with any static file server.
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "demo", "dist");

/** Bundles the demo into demo/dist and returns that folder. */
export async function buildDemo({ quiet = false } = {}) {
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: [join(root, "demo", "main.ts")],
    outfile: join(outdir, "main.js"),
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: true,
    logLevel: quiet ? "error" : "info",
  });
  await copyFile(join(root, "demo", "index.html"), join(outdir, "index.html"));
  return outdir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = await buildDemo();
  console.log(`demo built in ${dir}: serve it, e.g. npx http-server demo/dist  or  python3 -m http.server -d demo/dist`);
}

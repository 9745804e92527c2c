// What a browser bundle pays for a few typical imports of the built package: each import is
// bundled alone by esbuild (minified, tree-shaken, platform browser, dependencies such as
// ndarray included), then gzipped. Usage: `npm run build && npm run size` (or pass another
// built package folder as the first argument).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

/** The imports we measure: name, and the code of a user's module that uses them. */
export const CASES = [
  { name: "a scheduler: condOT", code: `import { condOT } from "flow-matching"; export const s = condOT();` },
  { name: "a path: affinePath(condOT())", code: `import { affinePath, condOT } from "flow-matching"; export const p = affinePath(condOT());` },
  { name: "sample", code: `import { sample } from "flow-matching"; export { sample };` },
  { name: "exactOTCoupling", code: `import { exactOTCoupling } from "flow-matching"; export const c = exactOTCoupling();` },
  { name: "trainSync + mlp", code: `import { trainSync, mlp } from "flow-matching"; export { trainSync, mlp };` },
  { name: "everything (import *)", code: `import * as fm from "flow-matching"; export { fm };` },
];

/**
 * Bundles every case against the package in `packageDir` (its package.json and dist/) and
 * returns the minified and gzipped sizes in bytes; dependencies resolve from `modules`.
 */
export async function measure(packageDir, modules = join(packageDir, "node_modules")) {
  const work = mkdtempSync(join(tmpdir(), "fm-size-"));
  try {
    const rows = [];
    for (const [i, c] of CASES.entries()) {
      const entry = join(work, `case-${i}.js`);
      writeFileSync(entry, c.code);
      const result = await build({
        entryPoints: [entry],
        bundle: true,
        minify: true,
        treeShaking: true,
        format: "esm",
        platform: "browser",
        write: false,
        logLevel: "error",
        // the package by name, as a user's bundler sees it (its package.json: exports, sideEffects)
        alias: { "flow-matching": packageDir },
        nodePaths: [modules],
      });
      const code = result.outputFiles[0].contents;
      rows.push({ name: c.name, minified: code.length, gzipped: gzipSync(code, { level: 9 }).length });
    }
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = resolve(process.argv[2] ?? join(import.meta.dirname, ".."));
  const rows = await measure(dir);
  const kb = (b) => (b / 1000).toFixed(1);
  console.log("| import | minified | gzipped |\n| --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.name} | ${kb(r.minified)} kB | ${kb(r.gzipped)} kB |`);
}

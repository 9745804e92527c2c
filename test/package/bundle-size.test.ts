/**
 * What a browser bundle pays for an import: the ESM build keeps one file per module, so a
 * bundler drops the modules an import does not reach. Builds the ESM half of the project's
 * tsup config into .tmp/, then bundles typical imports with esbuild (scripts/bundle-size.mjs).
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, type Options } from "tsup";
import config from "../../tsup.config.js";
// @ts-expect-error a plain .mjs script without types
import { measure } from "../../scripts/bundle-size.mjs";

const root = resolve(import.meta.dirname, "../..");
const dir = join(root, ".tmp", "bundle-size");
let rows: { name: string; minified: number; gzipped: number }[] = [];

beforeAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(root, "package.json"), join(dir, "package.json"));
  const esm = (config as Options[]).find((c) => Array.isArray(c.format) && c.format.includes("esm"))!;
  await build({ ...esm, config: false, outDir: join(dir, "dist"), dts: false, sourcemap: false, silent: true });
  rows = await measure(dir, join(root, "node_modules"));
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("browser bundles of typical imports (esbuild, minified, gzipped)", () => {
  it("a scheduler alone is under 5 kB gzipped; each import pays for what it reaches, far less than everything", () => {
    const size = (name: string) => rows.find((r) => r.name === name)!;
    expect(size("a scheduler: condOT").gzipped).toBeLessThan(5_000);
    const all = size("everything (import *)").gzipped;
    for (const r of rows.filter((r) => !r.name.startsWith("everything"))) expect(r.gzipped).toBeLessThan(0.5 * all);
    // a path needs its scheduler, so it is at least as large
    expect(size("a path: affinePath(condOT())").gzipped).toBeGreaterThanOrEqual(size("a scheduler: condOT").gzipped);
  });
});

import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build, type Options } from "tsup";
import config from "../../tsup.config.js";

/** The repository root. */
export const root = resolve(__dirname, "../..");

/** One subpath of package.json "exports" with the built files it maps to. */
export interface EntryFiles {
  /** The subpath, for example "." or "./gpu". */
  subpath: string;
  /** Absolute path of the ESM file in the test build. */
  import: string;
  /** Absolute path of the CJS file in the test build. */
  require: string;
}

/**
 * Builds the package with the project's own tsup config (ESM and CJS, no d.ts) into
 * `.tmp/<name>/dist` inside the repository, so that node resolves its dependencies from
 * node_modules, and returns the entries of package.json "exports" mapped into that build.
 */
export async function buildPackage(name: string): Promise<{ dir: string; entries: EntryFiles[] }> {
  const dir = join(root, ".tmp", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // every build of the config (ESM per module, CJS per entry), as `npm run build` runs them
  for (const base of (Array.isArray(config) ? config : [config]) as Options[]) {
    await build({ ...base, config: false, outDir: join(dir, "dist"), dts: false, silent: true, clean: false });
  }
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, unknown> };
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  return { dir, entries: exportEntries(pkg.exports, dir) };
}

/** The code entries of an "exports" map (every subpath with import and require targets). */
export function exportEntries(exports: Record<string, unknown>, dir: string): EntryFiles[] {
  const out: EntryFiles[] = [];
  for (const [subpath, target] of Object.entries(exports)) {
    if (typeof target !== "object" || target === null) continue;
    const t = target as { import?: { default?: string }; require?: { default?: string } };
    const esm = t.import?.default, cjs = t.require?.default;
    if (esm === undefined || cjs === undefined) throw new Error(`exports["${subpath}"] lacks import.default or require.default`);
    out.push({ subpath, import: join(dir, esm), require: join(dir, cjs) });
  }
  return out;
}

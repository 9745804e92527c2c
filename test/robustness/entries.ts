import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(import.meta.dirname, "../..");

/**
 * The source module of every subpath of package.json "exports", found through tsup.config.ts's
 * entry map (the built file "./dist/gpu/index.js" comes from the entry "gpu/index"), loaded.
 * A new entry is covered as soon as it is listed in "exports" and built by tsup.
 */
export async function loadEntries(): Promise<[string, Record<string, unknown>][]> {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, { import?: { default?: string } } | string> };
  const config = readFileSync(join(root, "tsup.config.ts"), "utf8");
  const out: [string, Record<string, unknown>][] = [];
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target !== "object") continue;
    const built = target.import?.default;
    if (built === undefined) throw new Error(`exports["${subpath}"] has no import.default`);
    const key = built.replace(/^\.\/dist\//, "").replace(/\.js$/, "");
    const match = new RegExp(`["']?${key.replace(/[/.]/g, "\\$&")}["']?\\s*:\\s*["']([^"']+)["']`).exec(config);
    if (match === null) throw new Error(`tsup.config.ts has no entry "${key}" for exports["${subpath}"]`);
    out.push([subpath, (await import(pathToFileURL(join(root, match[1] as string)).href)) as Record<string, unknown>]);
  }
  return out;
}

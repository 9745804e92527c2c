import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// Every ```ts block of README.md and docs/*.md runs here, so the guides cannot rot.
// Imports of "flow-matching", "flow-matching/testing" and "flow-matching/gpu" are pointed
// at the sources. A block whose info string is `ts no-run` is only shown, never run (use it
// for fragments that need a browser or a GPU, and say so next to it).
const root = resolve(__dirname, "../..");
const scratch = join(root, ".tmp", "code-blocks");
mkdirSync(scratch, { recursive: true });
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const files = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

function blocks(markdown: string): { code: string; line: number }[] {
  const out: { code: string; line: number }[] = [];
  const re = /^```(ts|typescript)[ \t]*\n([\s\S]*?)^```/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    out.push({ code: m[2] as string, line: markdown.slice(0, m.index).split("\n").length });
  }
  return out;
}

function rewrite(code: string): string {
  const src = (p: string) => JSON.stringify(pathToFileURL(join(root, "src", p)).href);
  return code
    .replace(/from\s+["']flow-matching\/testing["']/g, `from ${src("testing/index.ts")}`)
    .replace(/from\s+["']flow-matching\/gpu["']/g, `from ${src("gpu/index.ts")}`)
    .replace(/from\s+["']flow-matching\/onnx["']/g, `from ${src("onnx/index.ts")}`)
    .replace(/from\s+["']flow-matching["']/g, `from ${src("index.ts")}`);
}

describe.each(files)("code blocks of %s run", (file) => {
  const text = readFileSync(join(root, file), "utf8");
  const list = blocks(text);
  it(`${file} has runnable blocks that all complete without throwing`, async () => {
    expect(list.length).toBeGreaterThan(0);
    for (const [i, b] of list.entries()) {
      const path = join(scratch, `${file.replace(/[/.]/g, "_")}_${i}.ts`);
      writeFileSync(path, `${rewrite(b.code)}\nexport {};\n`);
      try {
        await import(pathToFileURL(path).href);
      } catch (e) {
        throw new Error(`${file}:${b.line}: code block ${i} threw: ${(e as Error).stack ?? e}`);
      }
    }
  }, 120_000);
});

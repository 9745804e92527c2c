import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";
import { expectedOutputs, formatLogLine, matchesExpected } from "./printed.js";

// Every ```ts block of README.md and docs/*.md runs here, so the guides cannot rot.
// Imports of "flow-matching", "flow-matching/testing" and "flow-matching/gpu" are pointed
// at the sources. A block whose info string is `ts no-run` is only shown, never run (use it
// for fragments that need a browser or a GPU, and say so next to it).
// What a block writes to the console is captured (so `npm test` stays quiet), and every
// `// prints: <text>` comment is checked: those texts must appear, in order, among the lines
// the block printed (`...` matches anything; see ./printed.ts for how values are written).
// `// => ...` comments are prose for the reader and are not checked.
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
    .replace(/from\s+["']flow-matching\/tfjs["']/g, `from ${src("tfjs/index.ts")}`)
    .replace(/from\s+["']flow-matching["']/g, `from ${src("index.ts")}`);
}

/** Runs `body` with console.log/info/debug/warn/error captured; returns the printed lines. */
async function capture(body: () => Promise<unknown>): Promise<{ lines: string[]; error?: unknown }> {
  const lines: string[] = [];
  const spies = (["log", "info", "debug", "warn", "error"] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => { lines.push(...formatLogLine(args).split("\n")); }));
  try {
    await body();
    return { lines };
  } catch (error) {
    return { lines, error };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

describe.each(files)("code blocks of %s run", (file) => {
  const text = readFileSync(join(root, file), "utf8");
  const list = blocks(text);
  it(`${file} has runnable blocks that all complete without throwing and print what their "// prints:" comments say`, async () => {
    expect(list.length).toBeGreaterThan(0);
    for (const [i, b] of list.entries()) {
      const path = join(scratch, `${file.replace(/[/.]/g, "_")}_${i}.ts`);
      writeFileSync(path, `${rewrite(b.code)}\nexport {};\n`);
      const { lines, error } = await capture(() => import(pathToFileURL(path).href));
      const printed = lines.length ? `\nit printed:\n  ${lines.join("\n  ")}` : "\nit printed nothing";
      if (error !== undefined) throw new Error(`${file}:${b.line}: code block ${i} threw: ${(error as Error).stack ?? error}${printed}`);
      let next = 0;
      for (const expected of expectedOutputs(b.code)) {
        while (next < lines.length && !matchesExpected(lines[next] as string, expected.text)) next++;
        if (next === lines.length) {
          throw new Error(`${file}:${b.line + 1 + expected.line}: code block ${i} should print "${expected.text}" (after the lines matched before it)${printed}`);
        }
        next++;
      }
    }
  }, 180_000);
});

/* Runs the benchmarks in bench/*.bench.ts: `npm run bench [filter ...]`. */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import os from "node:os";
import type { Benchmark } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const anchorCommand = process.env.FM_ANCHOR?.trim();

interface Row {
  group: string;
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  repeats: number;
  metrics: Record<string, number | string>;
  anchor?: { label: string; ms: number; ratio: number; raw: Record<string, unknown> } | { label: string; error: string };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const anchorCache = new Map<string, Record<string, unknown>>();
function runAnchor(workload: string, args: string[]): Record<string, unknown> {
  const key = [workload, ...args].join(" ");
  const cached = anchorCache.get(key);
  if (cached) return cached;
  const [cmd, ...pre] = (anchorCommand as string).split(/\s+/);
  const out = execFileSync(cmd as string, [...pre, workload, ...args], { encoding: "utf8", maxBuffer: 1 << 24 });
  const line = out.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (!line) throw new Error(`anchor printed no JSON: ${out.slice(0, 200)}`);
  const json = JSON.parse(line) as Record<string, unknown>;
  anchorCache.set(key, json);
  return json;
}

async function main(): Promise<void> {
  const files = readdirSync(here).filter((f) => f.endsWith(".bench.ts")).sort();
  const rows: Row[] = [];
  for (const file of files) {
    const group = file.replace(/\.bench\.ts$/, "");
    const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: Benchmark[] };
    for (const bench of mod.default) {
      const full = `${group}/${bench.name}`;
      if (filters.length && !filters.some((f) => full.includes(f))) continue;
      const state = bench.setup ? await bench.setup() : undefined;
      const inner = bench.inner ?? 1;
      for (let i = 0; i < (bench.warmup ?? 2); i++) await bench.run(state);
      const times: number[] = [];
      for (let r = 0; r < (bench.repeats ?? 7); r++) {
        const t0 = performance.now();
        for (let k = 0; k < inner; k++) await bench.run(state);
        times.push((performance.now() - t0) / inner);
      }
      const medianMs = median(times);
      const row: Row = {
        group, name: bench.name, medianMs, minMs: Math.min(...times), maxMs: Math.max(...times), repeats: times.length,
        metrics: bench.metrics ? await bench.metrics(state, medianMs) : {},
      };
      if (bench.anchor && anchorCommand) {
        try {
          const raw = runAnchor(bench.anchor.workload, bench.anchor.args ?? []);
          const ms = bench.anchor.ms(raw);
          row.anchor = { label: bench.anchor.label, ms, ratio: medianMs / ms, raw };
        } catch (e) {
          row.anchor = { label: bench.anchor.label, error: String((e as Error).message).slice(0, 300) };
        }
      }
      rows.push(row);
      printRow(row);
    }
  }
  const dir = join(here, "results");
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = join(dir, `bench-${stamp}.json`);
  const meta = { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, anchor: anchorCommand ?? null, filters };
  writeFileSync(file, JSON.stringify({ meta, rows }, null, 2));
  writeFileSync(join(dir, "latest.json"), JSON.stringify({ meta, rows }, null, 2));
  console.log(`\nwrote ${file}`);
}

function printRow(r: Row): void {
  const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
  let line = `${`${r.group}/${r.name}`.padEnd(44)} median ${fmt(r.medianMs).padStart(9)} ms  [${fmt(r.minMs)} .. ${fmt(r.maxMs)}]`;
  if (r.anchor && "ms" in r.anchor) line += `  | ${r.anchor.label} ${fmt(r.anchor.ms)} ms, ratio ours/theirs ${r.anchor.ratio.toFixed(3)}`;
  else if (r.anchor) line += `  | ${r.anchor.label}: ${r.anchor.error}`;
  const m = Object.entries(r.metrics).map(([k, v]) => `${k}=${typeof v === "number" ? fmt(v) : v}`).join(" ");
  console.log(m ? `${line}\n${" ".repeat(46)}${m}` : line);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

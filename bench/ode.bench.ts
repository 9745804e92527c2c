/*
 * ODE solvers: the Arenstorf orbit work-precision table (methods x rtol = atol = 1e-6, 1e-8,
 * 1e-10: evaluations and final max-abs error), side by side with scipy's RK45 and DOP853
 * (anchor workload `ode-arenstorf` when FM_ANCHOR is set, else the figures of REFERENCES.md),
 * plus batched sampling throughput (shared vs per-sample steps).
 * Writes bench/results/ode-arenstorf.json and prints a Markdown table.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ndarray from "ndarray";
import { defineBenchmarks } from "./harness.js";
import type { Benchmark } from "./harness.js";
import { fromRows } from "../src/core/batch.js";
import type { Batch } from "../src/core/batch.js";
import type { Time } from "../src/core/time.js";
import { integrate } from "../src/solvers/integrate.js";
import type { MethodName } from "../src/solvers/tableau.js";
import { Random } from "../src/random/random.js";
import { ARENSTORF_T, ARENSTORF_Y0, arenstorf } from "../test/solvers/helpers.js";

// The reference problem is the one the solver tests use (Hairer, Norsett, Wanner I, eq. 0.1).
const T = ARENSTORF_T;
const Y0 = ARENSTORF_Y0;

const METHODS: MethodName[] = ["bosh3", "dopri5", "tsit5", "dop853"];
const TOLS = [1e-6, 1e-8, 1e-10];

interface ScipyRow { method: string; tol: number; nfev: number; error: number }
// REFERENCES.md (scipy solve_ivp), used when no anchor command is configured
const REFERENCE: ScipyRow[] = [
  { method: "RK45", tol: 1e-6, nfev: 1004, error: 1.6e-2 }, { method: "RK45", tol: 1e-8, nfev: 2114, error: 1.5e-4 },
  { method: "RK45", tol: 1e-10, nfev: 4772, error: 3.3e-6 }, { method: "DOP853", tol: 1e-6, nfev: 1070, error: 6.9e-3 },
  { method: "DOP853", tol: 1e-8, nfev: 1778, error: 8.4e-5 }, { method: "DOP853", tol: 1e-10, nfev: 2870, error: 1.3e-6 },
];
let scipyCache: { source: string; rows: ScipyRow[] } | null = null;
function scipy(): { source: string; rows: ScipyRow[] } {
  if (scipyCache) return scipyCache;
  const cmd = process.env.FM_ANCHOR?.trim();
  scipyCache = { source: "REFERENCES.md", rows: REFERENCE };
  if (cmd) {
    try {
      const [exe, ...pre] = cmd.split(/\s+/);
      const out = execFileSync(exe as string, [...pre, "ode-arenstorf"], { encoding: "utf8" });
      const json = JSON.parse(out.trim().split("\n").filter((l) => l.startsWith("{")).pop() as string) as { scipy: string; rows: ScipyRow[] };
      scipyCache = { source: `scipy ${json.scipy} (anchor, same run)`, rows: json.rows };
    } catch (e) {
      console.error(`anchor failed, using REFERENCES.md figures: ${String(e).slice(0, 200)}`);
    }
  }
  return scipyCache;
}

function solveOnce(method: MethodName, tol: number): { nfe: number; error: number } {
  const r = integrate(arenstorf, fromRows([Y0]), { t1: T, method, rtol: tol, atol: tol });
  let error = 0;
  for (let j = 0; j < 4; j++) error = Math.max(error, Math.abs((r.y.data[j] as number) - (Y0[j] as number)));
  return { nfe: r.statistics.nfe, error };
}

const table: Record<string, number | string>[] = [];

const arenstorfBenches: Benchmark[] = [];
for (const method of METHODS) {
  for (const tol of TOLS) {
    arenstorfBenches.push({
      name: `arenstorf ${method} tol=${tol}`,
      repeats: 5,
      warmup: 1,
      run: () => solveOnce(method, tol),
      metrics: () => {
        const { nfe, error } = solveOnce(method, tol);
        const s = scipy();
        const pair = method === "dop853" ? "DOP853" : "RK45";
        const ref = s.rows.find((r) => r.method === pair && r.tol === tol);
        const row = { method, tol, nfe, error: Number(error.toPrecision(3)), [`scipy ${pair} nfe`]: ref?.nfev ?? "n/a", [`scipy ${pair} error`]: ref ? Number(ref.error.toPrecision(2)) : "n/a" };
        table.push(row);
        return row;
      },
    });
  }
}

function writeTable(): Record<string, number | string> {
  const s = scipy();
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = join(here, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "ode-arenstorf.json"), JSON.stringify({ scipy: s, ours: table }, null, 2));
  const lines = ["| solver | 1e-6 | 1e-8 | 1e-10 |", "|---|---|---|---|"];
  for (const m of METHODS) {
    const cells = TOLS.map((tol) => { const r = table.find((x) => x.method === m && x.tol === tol); return r ? `${r.nfe} / ${Number(r.error).toExponential(1)}` : "-"; });
    lines.push(`| flow-matching ${m} | ${cells.join(" | ")} |`);
  }
  for (const pair of ["RK45", "DOP853"]) {
    const cells = TOLS.map((tol) => { const r = s.rows.find((x) => x.method === pair && x.tol === tol); return r ? `${r.nfev} / ${r.error.toExponential(1)}` : "-"; });
    lines.push(`| scipy ${pair} (${s.source}) | ${cells.join(" | ")} |`);
  }
  console.log(`\nArenstorf orbit, evaluations / final max-abs error, rtol = atol:\n${lines.join("\n")}\n`);
  return { rows: table.length, file: "bench/results/ode-arenstorf.json" };
}

// Batched sampling throughput: 4096 rows of a 2-D rotation field, dopri5 at 1e-6.
// Row i turns at angular speed 1 + (i mod 8): with per-sample steps slow rows take fewer steps.
const rotation = (_t: Time, y: Batch, out: Batch, rows?: Int32Array): void => {
  const n = y.shape[0] as number;
  for (let i = 0; i < n; i++) {
    const a = y.data[2 * i] as number;
    const b = y.data[2 * i + 1] as number;
    const speed = 1 + ((rows === undefined ? i : (rows[i] as number)) % 8);
    out.data[2 * i] = -speed * b;
    out.data[2 * i + 1] = speed * a;
  }
};
const batchState = (): { y0: Batch } => ({ y0: ndarray(new Random(1).fillNormal(new Float64Array(4096 * 2)), [4096, 2]) });

export default defineBenchmarks([
  ...arenstorfBenches,
  { name: "arenstorf table", repeats: 1, warmup: 0, run: () => undefined, metrics: () => writeTable() },
  {
    name: "batch 4096x2 dopri5 shared steps",
    setup: batchState, repeats: 5, warmup: 1,
    run: ({ y0 }: { y0: Batch }) => integrate(rotation, y0, { t1: 1 }),
    metrics: ({ y0 }: { y0: Batch }) => { const r = integrate(rotation, y0, { t1: 1 }); return { nfe: r.statistics.nfe, rowEvaluations: r.statistics.rowEvaluations }; },
  },
  {
    name: "batch 4096x2 dopri5 per-sample steps",
    setup: batchState, repeats: 5, warmup: 1,
    run: ({ y0 }: { y0: Batch }) => integrate(rotation, y0, { t1: 1, perSample: true }),
    metrics: ({ y0 }: { y0: Batch }) => { const r = integrate(rotation, y0, { t1: 1, perSample: true }); return { nfe: r.statistics.nfe, rowEvaluations: r.statistics.rowEvaluations }; },
  },
]);

/*
 * Same-process, interleaved timing of the synchronous solvers of this checkout against another
 * checkout (for example the commit before the async refactor), to show that sharing the stepping
 * code with the async solvers costs the sync ones nothing.
 * Run: git worktree add /tmp/fm-base <commit> && ln -s "$PWD/node_modules" /tmp/fm-base/node_modules
 *      BASE=/tmp/fm-base npx tsx scripts/solver-overhead.ts
 * Prints medians of 21 interleaved runs, the median of the per-run ratios (this / base), and
 * the process CPU time per run of each side (steadier than wall time on a shared machine).
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import ndarray from "ndarray";
import type { Batch } from "../src/core/batch.js";
import { fromRows } from "../src/core/batch.js";
import type { Time } from "../src/core/time.js";
import { Random } from "../src/random/random.js";
import { mlp } from "../src/nn/create.js";
import * as here from "../src/index.js";
import { ARENSTORF_T, ARENSTORF_Y0, arenstorf } from "../test/solvers/helpers.js";

const baseDir = process.env.BASE;
if (baseDir === undefined) throw new Error("set BASE to the other checkout");
const base = (await import(pathToFileURL(resolve(baseDir, "src/index.ts")).href)) as typeof here;

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] as number;
const rotation = (_t: Time, y: Batch, out: Batch): void => {
  const n = y.shape[0] as number;
  for (let i = 0; i < n; i++) {
    const speed = 1 + (i % 8);
    out.data[2 * i] = -speed * (y.data[2 * i + 1] as number);
    out.data[2 * i + 1] = speed * (y.data[2 * i] as number);
  }
};
const batch = ndarray(new Random(1).fillNormal(new Float64Array(4096 * 2)), [4096, 2]);
const net = mlp({ dim: 2, hidden: [16, 16], seed: 1 });
const one = new Random(3).normalBatch(1, 2);
const cases: [string, (lib: typeof here) => unknown][] = [
  ["arenstorf dopri5 rtol 1e-10 (1 row, d = 4)", (lib) => lib.integrate(arenstorf, fromRows([ARENSTORF_Y0]), { t1: ARENSTORF_T, rtol: 1e-10, atol: 1e-10 })],
  ["arenstorf dop853 rtol 1e-10", (lib) => lib.integrate(arenstorf, fromRows([ARENSTORF_Y0]), { t1: ARENSTORF_T, method: "dop853", rtol: 1e-10, atol: 1e-10 })],
  ["arenstorf rk4 20000 steps", (lib) => lib.integrate(arenstorf, fromRows([ARENSTORF_Y0]), { t1: ARENSTORF_T, method: "rk4", steps: 20000 })],
  ["4096 x 2 rotation, dopri5 1e-6", (lib) => lib.integrate(rotation, batch, { t1: 1 })],
  ["logLikelihood, Mlp [2-16-16-2], 1 row, rk4 100 steps, exact", (lib) => lib.logLikelihood(net, one, { method: "rk4", steps: 100 })],
];
for (const [name, run] of cases) {
  const ours: number[] = [];
  const theirs: number[] = [];
  const ratios: number[] = [];
  let cpuOurs = 0;
  let cpuTheirs = 0;
  const cpu = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
  for (let r = 0; r < 3; r++) { run(here); run(base); }
  for (let r = 0; r < 21; r++) {
    let c = cpu();
    let s = performance.now();
    run(base);
    const b = performance.now() - s;
    cpuTheirs += cpu() - c;
    c = cpu();
    s = performance.now();
    run(here);
    const a = performance.now() - s;
    cpuOurs += cpu() - c;
    theirs.push(b);
    ours.push(a);
    ratios.push(a / b);
  }
  console.log(`${name}: wall median base ${median(theirs).toFixed(2)} ms, this ${median(ours).toFixed(2)} ms, median ratio ${median(ratios).toFixed(3)}; CPU per run base ${(cpuTheirs / 21).toFixed(2)} ms, this ${(cpuOurs / 21).toFixed(2)} ms, ratio ${(cpuOurs / cpuTheirs).toFixed(3)}`);
}

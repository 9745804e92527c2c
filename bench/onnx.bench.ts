import { readFileSync } from "node:fs";
import ort from "onnxruntime-node";
import { defineBenchmarks } from "./harness.js";
import { Random } from "../src/random/random.js";
import { onnxVelocityField } from "../src/onnx/index.js";
import type { OnnxVelocityField } from "../src/onnx/index.js";
import { sampleAsync } from "../src/solvers/index.js";
import type { Batch } from "../src/core/batch.js";

/*
 * Our overhead over onnxruntime-node: 4096 points, 100 Euler steps of the committed 2-D model
 * (test/onnx/fixtures/velocity.onnx, 3 hidden layers of 64), through sampleAsync, against the
 * same session called directly in a tight loop (float32 tensors, x += h u in place). Both use
 * one session; the ratio ours / direct is computed from the medians of the same run.
 */

const rows = 4096;
const steps = 100;

interface State { session: ort.InferenceSession; field: OnnxVelocityField; x0: Batch }

let state: Promise<State> | null = null;
function setup(): Promise<State> {
  state ??= (async () => {
    const bytes = new Uint8Array(readFileSync(new URL("../test/onnx/fixtures/velocity.onnx", import.meta.url)));
    const session = await ort.InferenceSession.create(bytes);
    return { session, field: onnxVelocityField(session), x0: new Random(0).normalBatch(rows, 2) };
  })();
  return state;
}

/** The direct loop: what a user would write by hand around session.run. */
async function direct(s: State): Promise<Float32Array> {
  const x = Float32Array.from(s.x0.data);
  const t = new Float32Array(rows);
  const h = 1 / steps;
  for (let k = 0; k < steps; k++) {
    t.fill(k * h);
    const out = await s.session.run({ x: new ort.Tensor("float32", x, [rows, 2]), t: new ort.Tensor("float32", t, [rows]) });
    const u = out.velocity?.data as Float32Array;
    for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) + h * (u[i] as number);
  }
  return x;
}

let directMs = Number.NaN;

export default defineBenchmarks([
  {
    name: `onnx direct session.run loop ${rows}x${steps}`,
    setup,
    run: direct,
    repeats: 9,
    metrics: (_s: State, ms: number) => {
      directMs = ms;
      return { msPerRun: ms / steps };
    },
  },
  {
    name: `onnx sampleAsync euler ${rows}x${steps}`,
    setup,
    run: (s: State) => sampleAsync(s.field, s.x0, { method: "euler", steps }),
    repeats: 9,
    metrics: async (s: State, ms: number) => {
      const ours = (await sampleAsync(s.field, s.x0, { method: "euler", steps })).y.data;
      const theirs = await direct(s);
      let diff = 0;
      for (let i = 0; i < ours.length; i++) diff = Math.max(diff, Math.abs((ours[i] as number) - (theirs[i] as number)));
      // the load of a shared machine drifts between the two medians: also time 9 interleaved pairs (order alternating)
      const ratios: number[] = [];
      for (let k = 0; k < 9; k++) {
        const time = async (f: () => Promise<unknown>) => { const t0 = performance.now(); await f(); return performance.now() - t0; };
        const a = k % 2 === 0 ? await time(() => sampleAsync(s.field, s.x0, { method: "euler", steps })) : 0;
        const b = await time(() => direct(s));
        const c = k % 2 === 1 ? await time(() => sampleAsync(s.field, s.x0, { method: "euler", steps })) : a;
        ratios.push(c / b);
      }
      ratios.sort((x, y) => x - y);
      return { ratioToDirect: ms / directMs, medianPairedRatio: ratios[4] as number, maxDiffToDirect: diff };
    },
  },
]);

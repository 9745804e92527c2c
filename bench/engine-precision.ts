/*
 * Paired timing of the Mlp training passes (forward + backward, batch 4096, [3-256-256-256-2]
 * SELU) in float32, float32-relaxed and float64, interleaved step by step so that the load of a
 * shared machine hits all three alike; prints medians and the medians of the paired ratios.
 *   T=2 npx tsx bench/engine-precision.ts        (T: threads, default 1)
 * On Node 24 (relaxed SIMD on) the relaxed row runs the relaxed_madd kernel; on Node 20 it falls
 * back to the SIMD128 kernel, so its ratio shows the noise of the measurement.
 */
import { mlp } from "../src/nn/index.js";
import { Random } from "../src/random/random.js";
import { f32TrainKernel } from "../src/engine/f32-train.js";
const rng = new Random(1);
const n = 4096;
const mk = (p: "float32" | "float32-relaxed" | "float64") => { const net = mlp({ dim: 2, hidden: [256, 256, 256], activation: "selu", seed: 0 }); net.precision = p; net.threads = Number(process.env.T ?? 1); return net; };
const a = mk("float32"), b = mk("float32-relaxed"), c = mk("float64");
const x = rng.normalBatch(n, 2); const t = rng.fillUniform(new Float64Array(n)); const g = rng.normalBatch(n, 2);
const step = (net: ReturnType<typeof mk>) => { const s = performance.now(); net.forward(x, t); net.backward(g); return performance.now() - s; };
for (let i = 0; i < 3; i++) { step(a); step(b); step(c); }
const ta: number[] = [], tb: number[] = [], tc: number[] = [], rb: number[] = [], rc: number[] = [];
for (let i = 0; i < 21; i++) { const u = step(a), v = step(b), w = step(c); ta.push(u); tb.push(v); tc.push(w); rb.push(v / u); rc.push(w / u); }
const med = (z: number[]) => [...z].sort((p, q) => p - q)[z.length >> 1]!;
console.log(process.version, "threads", process.env.T ?? 1, "forward+backward medians: f32", med(ta).toFixed(1), "ms, f32-relaxed (" + f32TrainKernel(true) + ")", med(tb).toFixed(1), "ms, f64", med(tc).toFixed(1), "ms; paired ratios relaxed/f32", med(rb).toFixed(3), "f64/f32", med(rc).toFixed(3));
process.exit(0);

import { mlp, adam } from "./src/nn/index.js";
import { Random } from "./src/random/random.js";
const rng = new Random(1);
const n = 4096;
const net = mlp({ dim: 2, hidden: [256, 256, 256], activation: "selu", seed: 0 });
const x = rng.normalBatch(n, 2); const t = rng.fillUniform(new Float64Array(n));
const g = rng.normalBatch(n, 2);
const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1]!.toFixed(2);
for (const T of [1, 2]) {
  net.precision = "float32"; net.threads = T;
  for (let i = 0; i < 3; i++) { net.forward(x, t); net.backward(g); }
  const acc = { f: [] as number[], b: [] as number[], r: [] as number[] };
  for (let i = 0; i < 15; i++) {
    let s = performance.now(); net.forward(x, t); acc.f.push(performance.now() - s);
    s = performance.now(); net.backward(g); acc.b.push(performance.now() - s);
    const e = (net as any).f32;
    const { reduceF32 } = await import("./src/engine/f32-chunks.js");
    s = performance.now(); reduceF32(e.kernel, e.memory.buffer, e.plan, 16, net.gradient, false, e.offsets); acc.r.push(performance.now() - s);
  }
  console.log("threads", T, "forward", med(acc.f), "backward", med(acc.b), "(reduce", med(acc.r) + ")");
}
process.exit(0);

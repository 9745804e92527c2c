/*
 * The other direction, checked by PyTorch: trains an Mlp here (torchcfm's SELU layout, t
 * concatenated), writes it as float64 and float32 safetensors with our velocities at fixed
 * points, for scripts/torch-roundtrip.py to load into a PyTorch nn.Sequential and compare.
 * Run: npx tsx scripts/torch-roundtrip.ts .tmp/roundtrip && $(bench/setup-python.sh) scripts/torch-roundtrip.py .tmp/roundtrip
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Random, adam, affinePath, condOT, mlp, mlpFromSafetensors, mlpToSafetensors, moons, standardNormal, trainSync } from "../src/index.js";

const dir = process.argv[2] ?? ".tmp/roundtrip";
mkdirSync(dir, { recursive: true });
const model = mlp({ dim: 2, hidden: [64, 64, 64], activation: "selu", seed: 0 });
trainSync({ model, source: standardNormal(2), target: moons(), path: affinePath(condOT()), steps: 300, batchSize: 256, rng: new Random(0), optimizer: adam({ lr: 1e-3 }) });
const x = new Random(1).normalBatch(32, 2);
const t = Float64Array.from({ length: 32 }, (_, i) => i / 31);
const f64 = mlpToSafetensors(model, { dtype: "float64" });
const f32 = mlpToSafetensors(model, { dtype: "float32" });
writeFileSync(join(dir, "ours-f64.safetensors"), f64);
writeFileSync(join(dir, "ours-f32.safetensors"), f32);
writeFileSync(join(dir, "ours.json"), JSON.stringify({
  x: Array.from(x.data), t: Array.from(t),
  velocities: Array.from(model.evaluate(x, t).data),
  velocitiesF32Weights: Array.from(mlpFromSafetensors(f32).evaluate(x, t).data),
}));
console.log(`wrote ${dir}/ours-f64.safetensors, ours-f32.safetensors, ours.json`);

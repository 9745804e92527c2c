/**
 * Sampling on the GPU backend: train a small flow on the CPU, then sample it through the
 * `flow-matching/gpu` entry on every backend this machine has, compare each with the
 * float64 CPU samples, and print which backend actually ran every kernel.
 * Run: npx tsx examples/gpu-sampling.ts  (writes examples/out/gpu-sampling.svg)
 * On a machine without a GPU the gpu.js backends are software (webasm, cpu); `auto` then
 * picks our float32 CPU path (cpu-f32: WebAssembly SIMD, rows split over the cores); cpu-f64
 * is our float64 path behind the same interface. On a real GPU (a browser with WebGL2/WebGPU)
 * the same code runs the kernels there.
 */
import { Random, adam, affinePath, condOT, cosineSchedule, mlp, moons, sample, standardNormal, trainSync } from "../src/index.js";
import { gpuMlpField, type GpuBackend } from "../src/gpu/index.js";
import { writePanels } from "./lib/svg.js";

const steps = Number(process.env.STEPS ?? 1500);
const model = mlp({ dim: 2, hidden: [64, 64], activation: "silu", seed: 0 });
trainSync({
  model, source: standardNormal(2), target: moons(), path: affinePath(condOT()),
  steps, batchSize: 256, rng: new Random(0), optimizer: adam({ lr: 3e-3 }), learningRate: cosineSchedule(3e-3, steps, 1e-4),
});
const x0 = standardNormal(2).sample(1000, new Random(1));
const options = { method: "rk4" as const, steps: 25 };
const t0 = performance.now();
const reference = sample(model, x0, options).y;
const cpuMs = performance.now() - t0;
const rows: Record<string, unknown>[] = [{ backend: "CPU Mlp (float64)", ms: +cpuMs.toFixed(1) }];
const panels = [];
for (const backend of ["auto", "cpu-f64", "webasm", "cpu"] as (GpuBackend | "auto")[]) {
  const field = gpuMlpField(model, { backend });
  const start = performance.now();
  const { y } = sample(field, x0, options);
  const ms = performance.now() - start;
  let maxDiff = 0;
  for (let i = 0; i < y.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(y.data[i]! - reference.data[i]!));
  const ran = [...new Set(field.report.kernels.map((k) => k.ran))];
  rows.push({ requested: backend, backend: field.report.backend, kernelsRanOn: ran.length ? ran : [field.report.backend], ms: +ms.toFixed(1), maxAbsDiffToFloat64: maxDiff });
  panels.push({ title: `backend ${field.report.backend}${backend === "auto" ? " (auto)" : ""}`, caption: `${ms.toFixed(0)} ms, max |diff| to float64 ${maxDiff.toExponential(1)}`, box: [-5.25, 6.25, -6, 5.5] as [number, number, number, number], points: [{ data: y.data, color: "#d62728" }] });
  field.dispose();
}
writePanels("examples/out/gpu-sampling.svg", panels);
for (const r of rows) console.log(JSON.stringify(r));
console.log("wrote examples/out/gpu-sampling.svg");

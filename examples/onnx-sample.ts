/**
 * Train in PyTorch, sample here: load a flow-matching model exported from PyTorch to ONNX
 * (scripts/onnx-reference.py trains a torchcfm-style MLP on two moons and exports it), sample
 * it through onnxruntime-node with the async solvers, compute exact log-likelihoods with the
 * graph's JVP output, and load the same weights from safetensors into our float64 Mlp.
 * Run: npx tsx examples/onnx-sample.ts  (writes examples/out/onnx-sample.svg)
 * Install: ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node (its CPU binding ships in
 * the package; the skip stops its install script from fetching GPU binaries).
 */
import { readFileSync } from "node:fs";
import ort from "onnxruntime-node";
import { Random, logLikelihoodAsync, mlpFromSafetensors, sample, sampleAsync, standardNormal } from "../src/index.js";
import { onnxVelocityField } from "../src/onnx/index.js";
import { writePanels } from "./lib/svg.js";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../test/onnx/fixtures/${name}`, import.meta.url)));
const n = Number(process.env.STEPS) > 0 && Number(process.env.STEPS) < 100 ? 500 : 4000;

// 1. The ONNX graph: inputs x [n, 2] and t [n], outputs velocity and jvp (the tangent input v)
const session = await ort.InferenceSession.create(fixture("velocity-jvp.onnx"));
const field = onnxVelocityField(session);
const x0 = standardNormal(2).sample(n, new Random(0));
let start = performance.now();
const { y } = await sampleAsync(field, x0, { method: "rk4", steps: 25 });
const onnxMs = performance.now() - start;

// 2. Exact log-likelihoods of a few samples (divergence from the graph's JVP output)
start = performance.now();
const few = y.hi(8, 2);
// (adaptive: SELU's kinks make the divergence discontinuous, so fixed steps converge slowly)
const { logProb } = await logLikelihoodAsync(field, few, { method: "dopri5", rtol: 1e-6, atol: 1e-6 });
const likelihoodMs = performance.now() - start;

// 3. The same weights as a PyTorch state dict (safetensors) in our float64 Mlp
const net = mlpFromSafetensors(fixture("mlp-f64.safetensors"), { activation: "selu" });
const cpu = sample(net, x0, { method: "rk4", steps: 25 }).y;
let maxDiff = 0;
for (let i = 0; i < y.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(y.data[i]! - cpu.data[i]!));

console.log(JSON.stringify({ samples: n, onnxSampleMs: +onnxMs.toFixed(1), runs: field.statistics.runs, likelihoodMs: +likelihoodMs.toFixed(1) }));
console.log(JSON.stringify({ logProb: Array.from(logProb, (l) => +l.toFixed(4)) }));
console.log(JSON.stringify({ maxAbsDiffOnnxFloat32VsMlpFloat64: maxDiff }));
const box: [number, number, number, number] = [-3, 3, -3, 3];
writePanels("examples/out/onnx-sample.svg", [
  { title: "onnxruntime-node (float32)", caption: `${n} samples, RK4 25 steps, ${onnxMs.toFixed(0)} ms`, box, points: [{ data: y.data, color: "#1f77b4" }] },
  { title: "same weights, our Mlp (float64)", caption: `max |diff| ${maxDiff.toExponential(1)}`, box, points: [{ data: cpu.data, color: "#d62728" }] },
]);
console.log("wrote examples/out/onnx-sample.svg");

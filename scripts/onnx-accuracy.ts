/* Accuracy of the ONNX field and the safetensors loader against the committed PyTorch fixtures (prints JSON): npx tsx scripts/onnx-accuracy.ts */
import { readFileSync } from "node:fs";
import ort from "onnxruntime-node";
import { onnxVelocityField } from "../src/onnx/index.js";
import { logLikelihoodAsync, sampleAsync } from "../src/solvers/index.js";
import { fromRows } from "../src/core/batch.js";
import { mlpFromSafetensors } from "../src/nn/torch-layout.js";
import { Random } from "../src/random/random.js";
const ref = JSON.parse(readFileSync("test/onnx/fixtures/reference.json", "utf8"));
const f = (n: string) => new Uint8Array(readFileSync(`test/onnx/fixtures/${n}`));
const max = (a: ArrayLike<number>, b: ArrayLike<number>) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!)); return m; };
const open = (n: string) => ort.InferenceSession.create(f(n), { intraOpNumThreads: 1 });
const points = fromRows(ref.points), times = Float64Array.from(ref.times);
const net = mlpFromSafetensors(f("mlp-f64.safetensors"), { activation: "selu" });
const plain = onnxVelocityField(await open("velocity.onnx")), jvp = onnxVelocityField(await open("velocity-jvp.onnx"));
const out: Record<string, number> = {};
out.mlpF64VsTorchVelocity = max(net.evaluate(points, times).data, ref.velocities.flat());
out.onnxVsTorchVelocity = max((await plain.evaluateAsync(points, times)).data, ref.velocities.flat());
out.euler100 = max((await sampleAsync(plain, fromRows(ref.x0), { method: "euler", steps: 100 })).y.data, ref.euler100.flat());
out.rk4_25 = max((await sampleAsync(plain, fromRows(ref.x0), { method: "rk4", steps: 25 })).y.data, ref.rk4_25.flat());
const v = new Random(5).normalBatch(16, 2); const ex = net.jvp(points, times, v).data; const sc = Math.max(...Array.from(ex, Math.abs));
out.graphJvpRel = max((await jvp.jvpAsync(points, times, v)).data, ex) / sc;
out.fdJvpRel = max((await plain.jvpAsync(points, times, v)).data, ex) / sc;
out.graphDiv = max(await jvp.divergenceAsync(points, times), net.divergence(points, times));
out.fdDiv = max(await plain.divergenceAsync(points, times), net.divergence(points, times));
for (const [name, field] of [["jvp", jvp], ["fd", plain]] as const) for (const rtol of [1e-6, 1e-7]) {
  out[`loglik_${name}_rtol${rtol}`] = max((await logLikelihoodAsync(field, fromRows(ref.x1), { method: "dopri5", rtol, atol: rtol })).logProb, ref.log_likelihood);
}
console.log(JSON.stringify(out, null, 1));

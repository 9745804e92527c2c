/*
 * What float32 costs a TensorFlow.js field: exact log-likelihoods and samples of a tf model
 * with the weights of our float64 Mlp, against the Mlp, on the cpu and wasm backends.
 * Run: npx tsx scripts/tfjs-accuracy.ts   (prints one line per backend, model and tolerance;
 * the figures are quoted in docs/bring-your-own-model.md).
 */
import { mlp } from "../src/nn/create.js";
import { Random } from "../src/random/random.js";
import { logLikelihood } from "../src/solvers/likelihood.js";
import { sample } from "../src/solvers/sample.js";
import { tfVelocityField } from "../src/tfjs/index.js";
import { layersTwin, useBackend } from "../test/tfjs/helpers.js";

for (const backend of ["cpu", "wasm"]) {
  await useBackend(backend);
  for (const hidden of [[32, 32], [64, 64, 64]]) {
    const net = mlp({ dim: 2, hidden, activation: "tanh", seed: 3 });
    const model = layersTwin(net);
    const field = tfVelocityField(model);
    const x = new Random(9).normalBatch(200, 2);
    for (const tol of [1e-5, 1e-7]) {
      const ours = logLikelihood(net, x, { rtol: tol, atol: tol });
      const theirs = logLikelihood(field, x, { rtol: tol, atol: tol });
      let worst = 0;
      let sum = 0;
      for (let i = 0; i < 200; i++) {
        const e = Math.abs((ours.logProb[i] as number) - (theirs.logProb[i] as number));
        worst = Math.max(worst, e);
        sum += e;
      }
      const a = sample(net, x, { rtol: tol, atol: tol }).y.data;
      const b = sample(field, x, { rtol: tol, atol: tol }).y.data;
      let dy = 0;
      for (let i = 0; i < a.length; i++) dy = Math.max(dy, Math.abs((a[i] as number) - (b[i] as number)));
      console.log(`${backend} hidden=[${hidden}] rtol=atol=${tol}: |log p_tf - log p_f64| max ${worst.toExponential(2)} mean ${(sum / 200).toExponential(2)} nats (nfe ${ours.statistics.nfe} vs ${theirs.statistics.nfe}); samples max |dy| ${dy.toExponential(2)}`);
    }
    model.dispose();
  }
}

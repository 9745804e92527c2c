/**
 * Fixture of test/train/train-conditions.test.ts: a labelled training run (exact-OT coupling,
 * label dropout, logit-normal times, Adam) whose parameters and losses are digested (FNV-1a
 * over the float64 bytes). Run at commit 00c81bf (ziggurat normals; before conditions became batches)
 * with src/engine/wasm/activation-f64.wat taken from 40ddbab (the float64 exp of SiLU/SELU) and
 * `npm run build:wasm`, and with src/core/pow.ts added and Adam's bias correction `b ** steps`
 * replaced by `pow(b, steps)` (Math.pow's last bits differ between Node 20 and 24), it fixed
 * the bits that label training must keep, on Node 20 and Node 24 alike:
 *   npx tsx scripts/label-training-fixture.ts > test/fixtures/label-training.json
 */
import { Random, adam, affinePath, condOT, exactOTCoupling, fromData, logitNormalTimeSampler, mlp, standardNormal, trainSync } from "../src/index.js";

export function labelledRun(): { parameters: Float64Array; loss: Float64Array } {
  const model = mlp({ dim: 2, hidden: [16, 16], classes: 3, seed: 7 });
  const target = {
    dim: 2,
    sampleWithLabels(n: number, rng: Random) {
      const labels = new Int32Array(n);
      const data = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        labels[i] = rng.int(3);
        data[2 * i] = 3 * (labels[i] as number) + 0.3 * rng.normal();
        data[2 * i + 1] = 0.3 * rng.normal();
      }
      return { x: fromData(data, [n, 2]), labels };
    },
  };
  const history = trainSync({
    model, source: standardNormal(2), target, path: affinePath(condOT()), coupling: exactOTCoupling(), steps: 25, batchSize: 48,
    rng: new Random(21), labelDropout: 0.2, sampleTimes: logitNormalTimeSampler(), optimizer: adam({ lr: 3e-3 }),
  });
  return { parameters: Float64Array.from(model.parameters), loss: history.loss };
}

/** FNV-1a 32-bit over the bytes of a Float64Array, as 8 hex digits. */
export function digest(values: Float64Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

if (process.argv[1]?.endsWith("label-training-fixture.ts")) {
  const { parameters, loss } = labelledRun();
  console.log(JSON.stringify({
    command: "npx tsx scripts/label-training-fixture.ts (at commit 00c81bf, before conditions became batches, with activation-f64.wat of 40ddbab, npm run build:wasm, and pow() in Adam)",
    parameters: digest(parameters), loss: digest(loss), firstParameter: parameters[0], lastLoss: loss[loss.length - 1],
  }, null, 2));
}

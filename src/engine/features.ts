import type { Batch } from "../core/batch.js";
import type { Time } from "../core/time.js";
import { timeAt } from "../core/time.js";
import type { Labels } from "../nn/mlp.js";
import type { MlpSpec } from "../nn/spec.js";

/**
 * The float32 first-layer inputs [x, time features, one-hot label] of rows start..start+m of
 * an MLP of `spec` (internal), written into `into` (zeroed here) or a new array.
 */
export function mlpFeatures(spec: MlpSpec, x: Batch, t: Time, labels: Labels, start: number, m: number, into?: Float32Array): Float32Array {
  const d = spec.dim;
  const K = (spec.layers[0] as MlpSpec["layers"][number]).inputs;
  const f = into ?? new Float32Array(m * K);
  if (into !== undefined) f.fill(0, 0, m * K);
  const time = spec.time;
  const classes = spec.classes ?? 0;
  for (let r = 0; r < m; r++) {
    const base = r * K;
    for (let c = 0; c < d; c++) f[base + c] = x.data[(start + r) * d + c] as number;
    const tr = timeAt(t, start + r);
    let off = base + d;
    if (time.kind === "concat") f[off++] = tr;
    else {
      for (const freq of time.frequencies) {
        const angle = 2 * Math.PI * freq * tr;
        f[off++] = Math.sin(angle);
        f[off++] = Math.cos(angle);
      }
    }
    if (classes > 0) f[off + (typeof labels === "number" ? labels : (labels[start + r] as number))] = 1;
  }
  return f;
}

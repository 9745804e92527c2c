/* Test helpers for the tfjs entry: backends, and tf twins of our float64 Mlp (same weights). */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import * as tfl from "@tensorflow/tfjs-layers";
import type { Mlp } from "../../src/nn/mlp.js";
import type { TfModelFunction } from "../../src/tfjs/model.js";

/** The Node backends every tfjs test runs on. */
export const BACKENDS = ["cpu", "wasm"] as const;

/** Switches tfjs to a backend and waits for it. */
export async function useBackend(name: string): Promise<void> {
  await tf.setBackend(name);
  await tf.ready();
  if (tf.getBackend() !== name) throw new Error(`backend ${name} did not start (got ${tf.getBackend()})`);
}

/** Kernel [inputs, outputs] (column-major view of our [outputs, inputs] row-major weight) and bias of each layer. */
function layerArrays(net: Mlp): { kernel: Float32Array; bias: Float32Array; inputs: number; outputs: number }[] {
  const out = [];
  let offset = 0;
  let inputs = net.inputs;
  for (const outputs of net.widths) {
    const w = net.parameters.subarray(offset, offset + inputs * outputs);
    offset += inputs * outputs;
    const b = net.parameters.subarray(offset, offset + outputs);
    offset += outputs;
    const kernel = new Float32Array(inputs * outputs);
    for (let o = 0; o < outputs; o++) for (let i = 0; i < inputs; i++) kernel[i * outputs + o] = w[o * inputs + i] as number;
    out.push({ kernel, bias: Float32Array.from(b), inputs, outputs });
    inputs = outputs;
  }
  return out;
}

/** A function model with tf variables holding net's weights (tanh hidden layers, concat time). */
export function functionTwin(net: Mlp): { model: TfModelFunction; variables: tf.Variable[]; dispose(): void } {
  if (net.activation !== "tanh" || net.time.kind !== "concat") throw new Error("twins are built for tanh, concat-time MLPs");
  const layers = layerArrays(net).map((l, k) => ({
    kernel: tf.variable(tf.tensor2d(l.kernel, [l.inputs, l.outputs]), true, `twin${twinCount}_k${k}`),
    bias: tf.variable(tf.tensor1d(l.bias), true, `twin${twinCount}_b${k}`),
  }));
  twinCount++;
  const model: TfModelFunction = (x, t, cond) => {
    // a conditioned net's input is [x, t, one-hot label or condition], as the twin's
    let a: tf.Tensor2D = tf.concat(cond === undefined ? [x, tf.reshape(t, [-1, 1])] : [x, tf.reshape(t, [-1, 1]), cond], 1);
    layers.forEach((l, k) => {
      const z = tf.add(tf.matMul(a, l.kernel), l.bias) as tf.Tensor2D;
      a = k === layers.length - 1 ? z : tf.tanh(z);
    });
    return a;
  };
  const variables = layers.flatMap((l) => [l.kernel, l.bias]);
  return { model, variables, dispose: () => variables.forEach((v) => v.dispose()) };
}
let twinCount = 0;

/** A tf.LayersModel (sequential dense layers, input [x, t]) with net's weights. */
export function layersTwin(net: Mlp): tfl.Sequential {
  const arrays = layerArrays(net);
  const model = tfl.sequential();
  arrays.forEach((l, k) => {
    model.add(tfl.layers.dense({
      units: l.outputs, activation: k === arrays.length - 1 ? "linear" : "tanh",
      ...(k === 0 ? { inputShape: [l.inputs] } : {}),
    }));
  });
  model.setWeights(arrays.flatMap((l) => [tf.tensor2d(l.kernel, [l.inputs, l.outputs]), tf.tensor1d(l.bias)]));
  return model;
}

/** Our parameter layout from the tf variables of a function twin (kernel transposed back). */
export function toOurLayout(net: Mlp, values: Float32Array[]): Float64Array {
  const out = new Float64Array(net.parameters.length);
  let offset = 0;
  let inputs = net.inputs;
  net.widths.forEach((outputs, k) => {
    const kernel = values[2 * k] as Float32Array;
    for (let o = 0; o < outputs; o++) for (let i = 0; i < inputs; i++) out[offset + o * inputs + i] = kernel[i * outputs + o] as number;
    offset += inputs * outputs;
    out.set(values[2 * k + 1] as Float32Array, offset);
    offset += outputs;
    inputs = outputs;
  });
  return out;
}

/** max_i |a_i - b_i| / max(1, max_i |b_i|). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) {
    e = Math.max(e, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return e / scale;
}

import { readFileSync } from "node:fs";
import ort from "onnxruntime-node";
import type { OnnxSessionLike } from "../../src/onnx/index.js";
import { mlpFromSafetensors } from "../../src/nn/torch-layout.js";
import type { Mlp } from "../../src/nn/mlp.js";

/** The numbers written by scripts/onnx-reference.py (see its docstring for how each was computed). */
export interface Reference {
  command: string;
  points: number[][];
  times: number[];
  velocities: number[][];
  velocities_f32: number[][];
  labels: number[];
  label_velocities: number[][];
  label_velocities_2: number[][];
  x0: number[][];
  euler100: number[][];
  rk4_25: number[][];
  x1: number[][];
  log_likelihood: number[];
  likelihood_x0: number[][];
}

export const fixtureUrl = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);

export const reference = JSON.parse(readFileSync(fixtureUrl("reference.json"), "utf8")) as Reference;

/** An onnxruntime-node session over a committed graph (single-threaded: results do not depend on the machine's cores). */
export async function session(name: string): Promise<OnnxSessionLike> {
  return ort.InferenceSession.create(new Uint8Array(readFileSync(fixtureUrl(name))), { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

/** The float64 Mlp of the same weights (PyTorch's state dict, committed as safetensors). */
export function torchMlp(): Mlp {
  return mlpFromSafetensors(new Uint8Array(readFileSync(fixtureUrl("mlp-f64.safetensors"))), { activation: "selu" });
}

/** Largest |a_i - b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

import type { Batch } from "../../src/core/batch.js";
import { activate } from "../../src/nn/activation.js";
import type { MlpSpec } from "../../src/nn/spec.js";

/**
 * Max relative error max_i |a_i - b_i| / max(|b_i|, scale), scale = RMS of b (the output's
 * scale, so near-zero entries are not judged relative to themselves).
 */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const scale = rmsScale(b);
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const e = Math.abs((a[i] as number) - (b[i] as number)) / Math.max(Math.abs(b[i] as number), scale);
    if (!(e <= worst)) worst = e; // NaN propagates as a failure
  }
  return worst;
}

/** Indices i with |a_i - b_i| > tol max(|b_i|, RMS of b), the entrywise form of maxRelativeError; NaN counts. */
export function indicesOff(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4): number[] {
  const scale = rmsScale(b);
  const off: number[] = [];
  for (let i = 0; i < b.length; i++) if (!(Math.abs((a[i] as number) - (b[i] as number)) <= tol * Math.max(Math.abs(b[i] as number), scale))) off.push(i);
  return off;
}

/** RMS of b (at least 1e-30). */
function rmsScale(b: ArrayLike<number>): number {
  let ss = 0;
  for (let i = 0; i < b.length; i++) ss += (b[i] as number) ** 2;
  return Math.max(Math.sqrt(ss / Math.max(b.length, 1)), 1e-30);
}

export const data = (b: Batch): Float64Array => b.data;

/**
 * Unit roundoff of float32 (round to nearest).
 */
const U32 = 2 ** -24;

/**
 * Float32 activations and their slopes (our SIMD exp, tanh) may be off by a few units in the
 * last place: their rounding counts as this many roundings.
 */
const ACTIVATION_ULPS = 16;

/**
 * Standard deviation of the float32 rounding error of one row of an MLP, per output, for the
 * value and for tangents along `directions`, under the probabilistic model of rounding (Higham
 * & Mary 2019, "A new approach to probabilistic rounding error analysis": independent, mean-zero
 * relative errors of size at most u, so errors add in quadrature and a sum of n terms errs by
 * about sqrt(n) u times the root sum of squares of its terms, not n u times the sum of their
 * sizes: that worst-case bound grows by about the width per layer and flags nothing).
 * Variances, in units of u^2, for z = W a + b: Vz = sum_i w_i^2 Va_i + (n + 1) sum_i (w_i a_i)^2 + b^2
 * (the error carried in, the n partial sums and the weight's own rounding); after the
 * activation Va = act'(z)^2 Vz + k^2 act(z)^2. Tangents: Vtz = sum_i w_i^2 Vt_i + (n + 1) sum_i (w_i t_i)^2
 * and after the activation Vt = act'^2 Vtz + k^2 (act' tz)^2 + 4 tz^2 Vz (the slope's own error
 * act''(z) dz with |act''| <= 2 for our smooth activations). k = ACTIVATION_ULPS.
 */
export function roundingError(spec: MlpSpec, x: ArrayLike<number>, t: number, directions: ArrayLike<number>[]): { value: Float64Array; tangents: Float64Array[]; tangentValues: Float64Array[] } {
  const d = spec.dim, inputs = spec.layers[0]!.inputs, k2 = ACTIVATION_ULPS ** 2;
  let real = new Float64Array(inputs); // the layer's input values (one-hot class columns: none here)
  for (let j = 0; j < d; j++) real[j] = x[j] as number;
  if (spec.time.kind === "concat") real[d] = t;
  else spec.time.frequencies.forEach((f, q) => { real[d + 2 * q] = Math.sin(2 * Math.PI * f * t); real[d + 2 * q + 1] = Math.cos(2 * Math.PI * f * t); });
  let variance = real.map((v) => v * v);
  let tangent = directions.map((v) => { const out = new Float64Array(inputs); for (let j = 0; j < d; j++) out[j] = v[j] as number; return out; });
  let tangentVariance = tangent.map((v) => v.map((e) => e * e));
  for (const [l, layer] of spec.layers.entries()) {
    const n = layer.inputs;
    const z = new Float64Array(layer.outputs), vz = new Float64Array(layer.outputs);
    const tz = tangent.map(() => new Float64Array(layer.outputs)), vtz = tangent.map(() => new Float64Array(layer.outputs));
    for (let o = 0; o < layer.outputs; o++) {
      const b = layer.bias[o] as number;
      let value = b, carried = 0, terms = 0;
      const row = o * n;
      for (let i = 0; i < n; i++) {
        const w = layer.weight[row + i] as number;
        value += w * real[i]!;
        carried += w * w * variance[i]!;
        terms += (w * real[i]!) ** 2;
      }
      z[o] = value;
      vz[o] = carried + (n + 1) * terms + b * b;
      for (let p = 0; p < tangent.length; p++) {
        let tv = 0, tc = 0, tt = 0;
        for (let i = 0; i < n; i++) {
          const w = layer.weight[row + i] as number;
          tv += w * tangent[p]![i]!;
          tc += w * w * tangentVariance[p]![i]!;
          tt += (w * tangent[p]![i]!) ** 2;
        }
        tz[p]![o] = tv;
        vtz[p]![o] = tc + (n + 1) * tt;
      }
    }
    if (l === spec.layers.length - 1) {
      const sd = (v: Float64Array) => v.map((e) => U32 * Math.sqrt(e));
      return { value: sd(vz), tangents: vtz.map(sd), tangentValues: tz };
    }
    const a = new Float64Array(layer.outputs), slope = new Float64Array(layer.outputs);
    activate(spec.activation, z, a, slope, layer.outputs);
    real = a;
    variance = vz.map((v, o) => slope[o]! ** 2 * v + k2 * a[o]! ** 2);
    tangent = tz.map((m) => m.map((v, o) => slope[o]! * v));
    tangentVariance = vtz.map((m, p) => m.map((v, o) => slope[o]! ** 2 * v + k2 * (slope[o]! * tz[p]![o]!) ** 2 + 4 * tz[p]![o]! ** 2 * vz[o]!));
  }
  throw new Error("roundingError: an MLP has at least one layer");
}

/**
 * How many standard deviations of {@link roundingError} a float32 result may be off: at 8, a
 * Gaussian error exceeds it with probability 1e-15, and the model's own slack (its n + 1 term
 * counts every partial sum at full size) covers heavier tails.
 */
export const ROUNDING_SIGMAS = 8;

/**
 * The entries of {@link indicesOff} (beyond 1e-4 of b's scale) that are also beyond `bound(i)`,
 * the float32 rounding bound of entry i (`ROUNDING_SIGMAS` times a `roundingError`).
 */
export function indicesBeyondRounding(a: ArrayLike<number>, b: ArrayLike<number>, bound: (i: number) => number): number[] {
  return indicesOff(a, b).filter((i) => !(Math.abs((a[i] as number) - (b[i] as number)) <= bound(i)));
}

import type { Activation } from "./spec.js";
import { simdActivate } from "./activation-simd.js";
import { simdEnabled } from "./matmul.js";

/** SELU constants (Klambauer et al. 2017, eq. 2). */
const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;
/** sqrt(2 / pi), of the tanh approximation of GELU (Hendrycks & Gimpel 2016). */
const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_K = 0.044715;

/**
 * Applies `activation` to `z[0..n)` in place of `a`, and writes its derivative f'(z) to
 * `slope` (used by backward, jvp and divergence). SiLU and SELU on 256 or more entries
 * go to the WebAssembly SIMD kernel of activation-simd.ts when available.
 *
 * @internal
 */
export function activate(activation: Activation, z: Float64Array, a: Float64Array, slope: Float64Array, n: number): void {
  if (simdActivate !== null && n >= 256 && (activation === "silu" || activation === "selu") && simdEnabled()) {
    simdActivate(activation, z, a, slope, n);
    return;
  }
  switch (activation) {
    case "silu":
      for (let i = 0; i < n; i++) {
        const x = z[i] as number;
        const s = 1 / (1 + Math.exp(-x));
        a[i] = x * s;
        slope[i] = s * (1 + x * (1 - s));
      }
      return;
    case "selu":
      for (let i = 0; i < n; i++) {
        const x = z[i] as number;
        if (x > 0) { a[i] = SELU_SCALE * x; slope[i] = SELU_SCALE; }
        else { a[i] = SELU_SCALE * SELU_ALPHA * Math.expm1(x); slope[i] = SELU_SCALE * SELU_ALPHA * Math.exp(x); }
      }
      return;
    case "tanh":
      for (let i = 0; i < n; i++) {
        const y = Math.tanh(z[i] as number);
        a[i] = y;
        slope[i] = 1 - y * y;
      }
      return;
    case "relu":
      for (let i = 0; i < n; i++) {
        const x = z[i] as number;
        if (x > 0) { a[i] = x; slope[i] = 1; } else { a[i] = 0; slope[i] = 0; }
      }
      return;
    case "gelu":
      for (let i = 0; i < n; i++) {
        const x = z[i] as number;
        const y = Math.tanh(GELU_C * (x + GELU_K * x * x * x));
        a[i] = 0.5 * x * (1 + y);
        slope[i] = 0.5 * (1 + y) + 0.5 * x * (1 - y * y) * GELU_C * (1 + 3 * GELU_K * x * x);
      }
      return;
  }
}

/** The activations the MLP knows. @internal */
export const ACTIVATIONS: readonly Activation[] = ["silu", "selu", "tanh", "relu", "gelu"];

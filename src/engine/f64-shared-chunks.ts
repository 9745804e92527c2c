/**
 * The float64 forward and tangent passes of the engine on one shared WebAssembly memory (internal),
 * chunk by chunk: parameters (transposed once per forward), inputs, activations, slopes and outputs
 * all live in the memory that the calling thread and the worker threads share (mlp-f64.wat imports
 * it), so a pass copies nothing between kernels. Widths are padded to multiples of 4 with zero
 * weights and zero bias, rows of a chunk to a multiple of 4; padded columns hold 0 after every layer
 * (every activation maps 0 to 0), so the padding never reaches a real entry. Each entry is the same
 * sum, in the same order, started at the bias, as in mlp-chunks.ts, and the activations are the same
 * kernels, so the values are the same bits as there (and for every thread count). The functions are
 * self-contained (no outer references, helpers reached through arguments), because worker threads
 * receive their source text.
 */

/** The exports of an mlp-f64.wat instance (its memory is imported). */
export interface MlpF64Kernel {
  gemm: (a: number, rs: number, cs: number, b: number, c: number, m: number, k: number, p: number, init: number, bias: number, scale: number) => void;
  silu: (z: number, a: number, s: number, bytes: number) => void;
  selu: (z: number, a: number, s: number, bytes: number) => void;
  siluValue: (z: number, a: number, s: number, bytes: number) => void;
  seluValue: (z: number, a: number, s: number, bytes: number) => void;
}

/** Where the state lives in the shared memory (byte offsets; a plain object, so it can be posted to workers). */
export interface F64SharedPlan {
  layers: number;
  activation: string;
  /** Rows per chunk. */
  chunk: number;
  /** Rows the buffers hold (a multiple of `chunk`). */
  capacity: number;
  /** Padded layer inputs and outputs (multiples of 4). */
  insP: number[];
  outsP: number[];
  /** Per layer: Wt [insP, outsP] packed by groups of 4 columns (Wt[i, 4 g + c] at double 4 insP g + 4 i + c) and the bias [outsP]. */
  wt: number[];
  b: number[];
  /** Zeros as wide as the widest padded layer (the bias of the tangent GEMMs). */
  zero: number;
  widest: number;
  /** First-layer inputs and input tangents, [capacity, insP[0]]. */
  input: number;
  seed: number;
  /** Per hidden layer: activations and slopes, [capacity, outsP[l]]. */
  hidden: number[];
  slope: number[];
  /** Outputs [capacity, outsP[L - 1]]. */
  out: number;
  /** Two tangent buffers [capacity, widest]. */
  tangent: [number, number];
  bytes: number;
}

/** The plan for a network (layer inputs and widths) of `capacity` rows. */
export function f64SharedPlan(layerInputs: number[], widths: number[], activation: string, chunk: number, capacity: number): F64SharedPlan {
  const pad = (v: number) => (v + 3) & ~3;
  const L = widths.length;
  const insP = layerInputs.map(pad), outsP = widths.map(pad);
  const widest = Math.max(...insP, ...outsP);
  let at = 0;
  const take = (doubles: number) => { const start = at; at += (8 * doubles + 15) & ~15; return start; };
  const wt: number[] = [], b: number[] = [];
  for (let l = 0; l < L; l++) { wt.push(take((insP[l] as number) * (outsP[l] as number))); b.push(take(outsP[l] as number)); }
  const zero = take(widest);
  const input = take(capacity * (insP[0] as number)), seed = take(capacity * (insP[0] as number));
  const hidden: number[] = [], slope: number[] = [];
  for (let l = 0; l < L - 1; l++) { hidden.push(take(capacity * (outsP[l] as number))); slope.push(take(capacity * (outsP[l] as number))); }
  const out = take(capacity * (outsP[L - 1] as number));
  const tangent: [number, number] = [take(capacity * widest), take(capacity * widest)];
  return { layers: L, activation, chunk, capacity, insP, outsP, wt, b, zero, widest, input, seed, hidden, slope, out, tangent, bytes: at };
}

/**
 * f(z) in place for `count` doubles at byte offset `at`, and f'(z) at `slope` unless `slope` is -1:
 * SiLU and SELU by the kernel, the others by the scalar formulas of mlp-chunks.ts's activateWith
 * (the same bits).
 */
export function activateShared(k: MlpF64Kernel, mem: Float64Array, activation: string, at: number, slope: number, count: number): void {
  if (activation === "silu" || activation === "selu") {
    if (slope < 0) k[activation === "silu" ? "siluValue" : "seluValue"](at, at, 0, 8 * count);
    else k[activation](at, at, slope, 8 * count);
    return;
  }
  const geluC = Math.sqrt(2 / Math.PI), geluK = 0.044715;
  const z0 = at / 8, s0 = slope / 8, keep = slope >= 0;
  for (let i = 0; i < count; i++) {
    const x = mem[z0 + i] as number;
    let y: number, d: number;
    if (activation === "tanh") {
      y = Math.tanh(x);
      d = 1 - y * y;
    } else if (activation === "relu") {
      if (x > 0) { y = x; d = 1; } else { y = 0; d = 0; }
    } else {
      const u = Math.tanh(geluC * (x + geluK * x * x * x));
      y = 0.5 * x * (1 + u);
      d = 0.5 * (1 + u) + 0.5 * x * (1 - u * u) * geluC * (1 + 3 * geluK * x * x);
    }
    mem[z0 + i] = y;
    if (keep) mem[s0 + i] = d;
  }
}

/** Forward pass of chunks first..first+count-1 of n rows: activations (and slopes when `slopes`) kept, outputs at `plan.out`. */
export function forwardShared(k: MlpF64Kernel, mem: Float64Array, act: typeof activateShared, plan: F64SharedPlan, first: number, count: number, n: number, slopes: boolean): void {
  for (let ch = first; ch < first + count; ch++) {
    const r0 = ch * plan.chunk, m4 = (Math.min(plan.chunk, n - r0) + 3) & ~3;
    let a = plan.input + 8 * r0 * (plan.insP[0] as number);
    for (let l = 0; l < plan.layers; l++) {
      const kk = plan.insP[l] as number, p = plan.outsP[l] as number, last = l === plan.layers - 1;
      const c = (last ? plan.out : (plan.hidden[l] as number)) + 8 * r0 * p;
      k.gemm(a, 8 * kk, 8, plan.wt[l] as number, c, m4, kk, p, 0, plan.b[l] as number, 0);
      if (!last) act(k, mem, plan.activation, c, slopes ? (plan.slope[l] as number) + 8 * r0 * p : -1, m4 * p);
      a = c;
    }
  }
}

/** Tangents of chunks first..first+count-1 (after forwardShared): input tangents at `plan.seed`, (dv/dx) z at `plan.out`. */
export function tangentShared(k: MlpF64Kernel, plan: F64SharedPlan, first: number, count: number, n: number): void {
  for (let ch = first; ch < first + count; ch++) {
    const r0 = ch * plan.chunk, m4 = (Math.min(plan.chunk, n - r0) + 3) & ~3;
    let a = plan.seed + 8 * r0 * (plan.insP[0] as number), buffer = 0;
    for (let l = 0; l < plan.layers; l++) {
      const kk = plan.insP[l] as number, p = plan.outsP[l] as number, last = l === plan.layers - 1;
      const c = (last ? plan.out : (plan.tangent[buffer] as number)) + 8 * r0 * p;
      // (a Wt) * slope entrywise: the product's sum is rounded, then multiplied (as mlp-chunks.ts does in two steps)
      k.gemm(a, 8 * kk, 8, plan.wt[l] as number, c, m4, kk, p, last ? 0 : 2, plan.zero, last ? 0 : (plan.slope[l] as number) + 8 * r0 * p);
      a = c;
      buffer = 1 - buffer;
    }
  }
}

/**
 * The float64 MLP passes of the engine, chunk by chunk (internal). A batch is cut into chunks of
 * a fixed number of rows (never depending on the thread count); every function here works on a
 * range of chunks and is self-contained (no outer references, helpers reached through `env`),
 * because worker threads receive their source text. Forward values and tangents are computed
 * per row, so they do not depend on how chunks are spread over threads; the backward pass writes
 * one partial gradient per chunk, which the caller adds up in chunk order.
 */

/** The exports of a gemm-f64.wat instance. */
export interface GemmExports {
  memory: WebAssembly.Memory;
  gemm: (a: number, rs: number, cs: number, b: number, c: number, m: number, k: number, p: number, init: number, bias: number, scale: number) => void;
}

/** The exports of an activation-f64.wat instance. */
export interface ActivationExports {
  memory: WebAssembly.Memory;
  silu: (z: number, a: number, s: number, bytes: number) => void;
  selu: (z: number, a: number, s: number, bytes: number) => void;
}

/** The helpers the chunk functions call. */
export interface ChunkEnv {
  gemm: typeof gemmWith;
  g: GemmExports;
  act: typeof activateWith;
  h: ActivationExports | null;
}

/** Shape of the network: layer inputs and outputs, parameter offsets (weight, then bias), activation. */
export interface ChunkNet {
  layers: number;
  dim: number;
  inputs: number;
  layerInputs: number[];
  widths: number[];
  offsets: number[];
  parameterCount: number;
  activation: string;
  chunk: number;
}

/** The buffers of one set (shared between threads): parameters, first-layer inputs, activations, slopes, outputs. */
export interface ChunkBuffers {
  params: Float64Array;
  input: Float64Array;
  act: Float64Array[];
  slope: Float64Array[];
  out: Float64Array;
  /** dL/dv [n, dim] for backward; input tangents [n, inputs] for tangents. */
  seed: Float64Array;
  /** One partial gradient per chunk [chunks, parameterCount]. */
  partials: Float64Array;
  /** Thread-local scratch: three [chunk, widest] buffers. */
  scratch: Float64Array[];
}

/**
 * C [m, p] = op(A) op(B) (+ bias per column) (+ C when `accumulate`) (* scale entrywise) by the
 * SIMD kernel `k` (the contract of nn/gemm-simd.ts, whose `simdGemm` calls this).
 */
export function gemmWith(
  k: GemmExports, a: Float64Array, aT: boolean, b: Float64Array, bT: boolean, c: Float64Array,
  m: number, kk: number, p: number, bias: Float64Array | null, accumulate: boolean, scale: Float64Array | null,
): void {
  const m4 = (m + 3) & ~3, p4 = (p + 3) & ~3;
  const aOff = 0, bOff = aOff + m4 * kk, cOff = bOff + kk * p4, biasOff = cOff + m4 * p4;
  const scaleOff = biasOff + p4;
  const need = 8 * (scaleOff + (scale === null ? 0 : m4 * p4));
  if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
  const mem = new Float64Array(k.memory.buffer);
  const pack = (offset: number, src: Float64Array, rows: number, cols: number, paddedRows: number, paddedCols: number): void => {
    if (paddedCols === cols) mem.set(src.subarray(0, rows * cols), offset);
    else {
      for (let r = 0; r < rows; r++) {
        const at = offset + r * paddedCols, from = r * cols;
        for (let j = 0; j < cols; j++) mem[at + j] = src[from + j] as number;
        for (let j = cols; j < paddedCols; j++) mem[at + j] = 0;
      }
    }
    mem.fill(0, offset + rows * paddedCols, offset + paddedRows * paddedCols);
  };
  if (aT) pack(aOff, a, kk, m, kk, m4);
  else pack(aOff, a, m, kk, m4, kk);
  // B packed by groups of 4 columns (gemm-f64.wat's layout): B[i, o] at bOff + 4 kk (o >> 2) + 4 i + (o & 3)
  if (bT) {
    for (let o = 0; o < p; o++) {
      const at = bOff + 4 * kk * (o >> 2) + (o & 3), from = o * kk;
      for (let i = 0; i < kk; i++) mem[at + 4 * i] = b[from + i] as number;
    }
  } else {
    for (let i = 0; i < kk; i++) {
      const from = i * p;
      let at = bOff + 4 * i;
      for (let o = 0; o + 3 < p; o += 4, at += 4 * kk) {
        mem[at] = b[from + o] as number; mem[at + 1] = b[from + o + 1] as number;
        mem[at + 2] = b[from + o + 2] as number; mem[at + 3] = b[from + o + 3] as number;
      }
      for (let o = p & ~3; o < p; o++) mem[at + (o & 3)] = b[from + o] as number;
    }
  }
  if (p4 > p) {
    // the padded columns of the last group are zero
    for (let i = 0; i < kk; i++) for (let o = p; o < p4; o++) mem[bOff + 4 * kk * (o >> 2) + 4 * i + (o & 3)] = 0;
  }
  if (accumulate) pack(cOff, c, m, p, m4, p4);
  if (bias === null || accumulate) mem.fill(0, biasOff, biasOff + p4);
  else { mem.set(bias.subarray(0, p), biasOff); mem.fill(0, biasOff + p, biasOff + p4); }
  const scaled = scale !== null && !(accumulate && bias !== null);
  if (scaled) pack(scaleOff, scale, m, p, m4, p4);
  k.gemm(aOff * 8, aT ? 8 : 8 * kk, aT ? 8 * m4 : 8, bOff * 8, cOff * 8, m4, kk, p4, (accumulate ? 1 : 0) | (scaled ? 2 : 0), biasOff * 8, scaleOff * 8);
  if (accumulate && bias !== null) {
    for (let r = 0; r < m; r++) {
      const src = cOff + r * p4, dst = r * p;
      for (let o = 0; o < p; o++) c[dst + o] = (mem[src + o] as number) + (bias[o] as number);
    }
    return;
  }
  if (p4 === p) { c.set(mem.subarray(cOff, cOff + m * p)); return; }
  for (let r = 0; r < m; r++) {
    const src = cOff + r * p4, dst = r * p;
    for (let o = 0; o < p; o++) c[dst + o] = mem[src + o] as number;
  }
}

/**
 * f(z) into `a` and f'(z) into `slope` for n entries: SiLU and SELU by the SIMD kernel `h` (as
 * nn/activation.ts does for 256 entries or more), the others by the scalar formulas of
 * nn/activation.ts.
 */
export function activateWith(h: ActivationExports | null, activation: string, z: Float64Array, a: Float64Array, slope: Float64Array, n: number): void {
  if (h !== null && (activation === "silu" || activation === "selu")) {
    const even = (n + 3) & ~3;
    if (h.memory.buffer.byteLength < 24 * even) h.memory.grow(Math.ceil((24 * even - h.memory.buffer.byteLength) / 65536));
    const view = new Float64Array(h.memory.buffer);
    view.set(z.subarray(0, n), 0);
    if (even > n) view.fill(0, n, even);
    h[activation as "silu" | "selu"](0, even * 8, 2 * even * 8, even * 8);
    a.set(view.subarray(even, even + n));
    slope.set(view.subarray(2 * even, 2 * even + n));
    return;
  }
  // SELU (Klambauer et al. 2017, eq. 2) and the tanh form of GELU (Hendrycks & Gimpel 2016)
  const seluScale = 1.0507009873554805, seluAlpha = 1.6732632423543772, geluC = Math.sqrt(2 / Math.PI), geluK = 0.044715;
  for (let i = 0; i < n; i++) {
    const x = z[i] as number;
    if (activation === "silu") {
      const s = 1 / (1 + Math.exp(-x));
      a[i] = x * s;
      slope[i] = s * (1 + x * (1 - s));
    } else if (activation === "selu") {
      if (x > 0) { a[i] = seluScale * x; slope[i] = seluScale; }
      else { a[i] = seluScale * seluAlpha * Math.expm1(x); slope[i] = seluScale * seluAlpha * Math.exp(x); }
    } else if (activation === "tanh") {
      const y = Math.tanh(x);
      a[i] = y;
      slope[i] = 1 - y * y;
    } else if (activation === "relu") {
      if (x > 0) { a[i] = x; slope[i] = 1; } else { a[i] = 0; slope[i] = 0; }
    } else {
      const y = Math.tanh(geluC * (x + geluK * x * x * x));
      a[i] = 0.5 * x * (1 + y);
      slope[i] = 0.5 * (1 + y) + 0.5 * x * (1 - y * y) * geluC * (1 + 3 * geluK * x * x);
    }
  }
}

/** Forward pass of chunks first..first+count-1 of n rows: activations and slopes kept, outputs to `out`. */
export function forwardChunks(env: ChunkEnv, net: ChunkNet, buf: ChunkBuffers, first: number, count: number, n: number): void {
  for (let ch = first; ch < first + count; ch++) {
    const r0 = ch * net.chunk, m = Math.min(net.chunk, n - r0);
    let a = buf.input.subarray(r0 * net.inputs, (r0 + m) * net.inputs);
    for (let l = 0; l < net.layers; l++) {
      const ins = net.layerInputs[l] as number, outs = net.widths[l] as number, at = net.offsets[l] as number;
      const w = buf.params.subarray(at, at + ins * outs), bias = buf.params.subarray(at + ins * outs, at + ins * outs + outs);
      if (l === net.layers - 1) {
        env.gemm(env.g, a, false, w, true, buf.out.subarray(r0 * outs, (r0 + m) * outs), m, ins, outs, bias, false, null);
      } else {
        const z = (buf.scratch[0] as Float64Array).subarray(0, m * outs);
        env.gemm(env.g, a, false, w, true, z, m, ins, outs, bias, false, null);
        const act = (buf.act[l] as Float64Array).subarray(r0 * outs, (r0 + m) * outs);
        env.act(env.h, net.activation, z, act, (buf.slope[l] as Float64Array).subarray(r0 * outs, (r0 + m) * outs), m * outs);
        a = act;
      }
    }
  }
}

/** Backward pass of chunks first..first+count-1 (after forwardChunks): dL/dv rows in `seed`, each chunk's gradient into its row of `partials`. */
export function backwardChunks(env: ChunkEnv, net: ChunkNet, buf: ChunkBuffers, first: number, count: number, n: number): void {
  for (let ch = first; ch < first + count; ch++) {
    const r0 = ch * net.chunk, m = Math.min(net.chunk, n - r0);
    const part = buf.partials.subarray(ch * net.parameterCount, (ch + 1) * net.parameterCount);
    let delta = buf.seed.subarray(r0 * net.dim, (r0 + m) * net.dim);
    let spare = buf.scratch[1] as Float64Array, other = buf.scratch[2] as Float64Array;
    for (let l = net.layers - 1; l >= 0; l--) {
      const ins = net.layerInputs[l] as number, outs = net.widths[l] as number, at = net.offsets[l] as number;
      const a = l === 0 ? buf.input.subarray(r0 * ins, (r0 + m) * ins) : (buf.act[l - 1] as Float64Array).subarray(r0 * ins, (r0 + m) * ins);
      env.gemm(env.g, delta, true, a, false, part.subarray(at, at + ins * outs), outs, m, ins, null, false, null);
      // bias gradient: column sums of delta, rows in order
      const gb = part.subarray(at + ins * outs, at + ins * outs + outs);
      for (let o = 0; o < outs; o++) {
        let s = 0;
        for (let r = 0; r < m; r++) s += delta[r * outs + o] as number;
        gb[o] = s;
      }
      if (l > 0) {
        const target = spare.subarray(0, m * ins);
        env.gemm(env.g, delta, false, buf.params.subarray(at, at + ins * outs), false, target, m, outs, ins, null, false, (buf.slope[l - 1] as Float64Array).subarray(r0 * ins, (r0 + m) * ins));
        delta = target;
        const swap = spare;
        spare = other;
        other = swap;
      }
    }
  }
}

/** Tangents of chunks first..first+count-1 (after forwardChunks): input tangents in `seed` ([n, inputs]), (dv/dx) z to `out`. */
export function tangentChunks(env: ChunkEnv, net: ChunkNet, buf: ChunkBuffers, first: number, count: number, n: number): void {
  for (let ch = first; ch < first + count; ch++) {
    const r0 = ch * net.chunk, m = Math.min(net.chunk, n - r0);
    let a = buf.seed.subarray(r0 * net.inputs, (r0 + m) * net.inputs);
    let next = buf.scratch[1] as Float64Array, other = buf.scratch[2] as Float64Array;
    for (let l = 0; l < net.layers; l++) {
      const ins = net.layerInputs[l] as number, outs = net.widths[l] as number, at = net.offsets[l] as number;
      const last = l === net.layers - 1;
      const target = last ? buf.out.subarray(r0 * outs, (r0 + m) * outs) : next.subarray(0, m * outs);
      env.gemm(env.g, a, false, buf.params.subarray(at, at + ins * outs), true, target, m, ins, outs, null, false, null);
      if (!last) {
        const slope = (buf.slope[l] as Float64Array).subarray(r0 * outs, (r0 + m) * outs);
        for (let i = 0; i < m * outs; i++) target[i] = (target[i] as number) * (slope[i] as number);
        a = target;
        const swap = next;
        next = other;
        other = swap;
      }
    }
  }
}

/**
 * The float32 training passes of the engine, chunk by chunk (internal): the float32 twin of
 * mlp-chunks.ts on gemm-f32.wat, whose memory is one shared WebAssembly memory for the calling
 * thread and the workers, so the passes move no data. A batch is cut into chunks of a fixed
 * number of rows (never depending on the thread count); the backward pass writes one partial
 * gradient per chunk, which {@link reduceF32} adds up in chunk order, so the gradient is the same
 * bits for every thread count. The functions here are self-contained (no outer references),
 * because worker threads receive their source text.
 */

/** The exports of a gemm-f32.wat instance (its memory is imported; gemm's init >> 8 is its k-chunk, 0 for 64). */
export interface GemmF32 {
  gemm: (a: number, rs: number, cs: number, b: number, c: number, m: number, k: number, p: number, init: number, bias: number, scale: number) => void;
  colsum: (c: number, m: number, p: number, out: number) => void;
  actSlope: (z: number, h: number, s: number, bytes: number, act: number) => void;
  reduce: (src: number, stride: number, chunks: number, dst: number, floats: number) => void;
  pack: (src: number, rows: number, p: number, dst: number) => void;
}

/**
 * Where the float32 training state lives in the shared memory (byte offsets; a plain object, so
 * it can be posted to workers). Widths are padded to multiples of 8 (`insP`, `outsP`) with zero
 * weights, rows of a chunk to a multiple of 4; the padding never reaches a real entry.
 */
export interface F32TrainPlan {
  layers: number;
  dim: number;
  /** Activation code of the hidden layers (dense-f32.ts's F32_ACT_CODES). */
  act: number;
  /** Rows per chunk. */
  chunk: number;
  /** Rows the buffers hold (a multiple of `chunk`). */
  capacity: number;
  ins: number[];
  outs: number[];
  insP: number[];
  outsP: number[];
  /** Per layer: Wt [insP, outsP] (forward), W [outsP, insP] (input gradients), both packed by groups of 8 columns as gemm-f32.wat reads B, bias [outsP]. */
  wt: number[];
  w: number[];
  b: number[];
  /** Zeros, as wide as the widest padded layer (the bias of the gradient GEMMs). */
  zero: number;
  widest: number;
  /** First-layer inputs [capacity, insP[0]]. */
  input: number;
  /** Per hidden layer: activations and slopes act'(z), [capacity, outsP[l]]. */
  hidden: number[];
  slope: number[];
  /** Outputs and dL/dv, [capacity, outsP[L - 1]]. */
  out: number;
  seed: number;
  /** Two delta buffers [capacity, widest]. */
  delta: [number, number];
  /** A layer's activations packed as the B of the weight-gradient GEMM, [capacity, widest]. */
  packed: number;
  /** Partial gradients: one block of `partBytes` per chunk; per layer dW [outsP, insP] at pw, db [outsP] at pb. */
  partials: number;
  partBytes: number;
  /** Their float64 sum [partBytes / 4] (8-byte aligned). */
  sum: number;
  pw: number[];
  pb: number[];
  /** Bytes in all. */
  bytes: number;
}

/** Forward pass of chunks first..first+count-1 of n rows: activations and slopes kept, outputs at `plan.out`. */
export function forwardF32(k: GemmF32, plan: F32TrainPlan, first: number, count: number, n: number): void {
  for (let ch = first; ch < first + count; ch++) {
    const r0 = ch * plan.chunk, m4 = (Math.min(plan.chunk, n - r0) + 3) & ~3;
    let a = plan.input + 4 * r0 * (plan.insP[0] as number);
    for (let l = 0; l < plan.layers; l++) {
      const kk = plan.insP[l] as number, p = plan.outsP[l] as number, last = l === plan.layers - 1;
      const c = (last ? plan.out : (plan.hidden[l] as number)) + 4 * r0 * p;
      k.gemm(a, 4 * kk, 4, plan.wt[l] as number, c, m4, kk, p, 256 << 8, plan.b[l] as number, 0);
      if (!last) k.actSlope(c, c, (plan.slope[l] as number) + 4 * r0 * p, 4 * m4 * p, plan.act);
      a = c;
    }
  }
}

/**
 * Backward pass of chunks first..first+count-1 (after forwardF32, dL/dv at `plan.seed`, zero in
 * the padding): per layer from the last, dW = delta^T A and db = column sums of delta into the
 * chunk's partial gradient, then delta <- (delta W) * act'(z) of the layer below.
 */
export function backwardF32(k: GemmF32, plan: F32TrainPlan, first: number, count: number, n: number): void {
  for (let ch = first; ch < first + count; ch++) {
    const r0 = ch * plan.chunk, m4 = (Math.min(plan.chunk, n - r0) + 3) & ~3;
    const part = plan.partials + ch * plan.partBytes;
    let delta = plan.seed + 4 * r0 * (plan.outsP[plan.layers - 1] as number);
    let which = 0;
    for (let l = plan.layers - 1; l >= 0; l--) {
      const kk = plan.insP[l] as number, p = plan.outsP[l] as number;
      const a = (l === 0 ? plan.input : (plan.hidden[l - 1] as number)) + 4 * r0 * kk;
      // dW [p, kk] = delta^T A: entry (o, r) of delta^T at delta + 4 o + 4 p r; A packed as B
      const packed = plan.packed + 4 * r0 * plan.widest;
      k.pack(a, m4, kk, packed);
      k.gemm(delta, 4, 4 * p, packed, part + (plan.pw[l] as number), p, m4, kk, 256 << 8, plan.zero, 0);
      k.colsum(delta, m4, p, part + (plan.pb[l] as number));
      if (l > 0) {
        const target = (plan.delta[which] as number) + 4 * r0 * plan.widest;
        k.gemm(delta, 4 * p, 4, plan.w[l] as number, target, m4, p, kk, 2 | (256 << 8), plan.zero, (plan.slope[l - 1] as number) + 4 * r0 * kk);
        delta = target;
        which ^= 1;
      }
    }
  }
}

/**
 * gradient (+)= the chunk-order float64 sum of the `chunks` partial gradients (`GemmF32.reduce`
 * into `plan.sum`), mapped from the padded layout to the float64 one (`offsets`: the layers'
 * offsets there, per layer W [outs, ins] then b). The sum does not depend on which threads
 * computed the parts.
 */
export function reduceF32(k: GemmF32, memory: ArrayBuffer | SharedArrayBuffer, plan: F32TrainPlan, chunks: number, gradient: Float64Array, accumulate: boolean, offsets: number[]): void {
  k.reduce(plan.partials, plan.partBytes, chunks, plan.sum, plan.partBytes / 4);
  const sum = new Float64Array(memory, plan.sum, plan.partBytes / 4);
  for (let l = 0; l < plan.layers; l++) {
    const ins = plan.ins[l] as number, outs = plan.outs[l] as number, insP = plan.insP[l] as number;
    const at = offsets[l] as number, pw = (plan.pw[l] as number) / 4, pb = (plan.pb[l] as number) / 4;
    for (let o = 0; o < outs; o++) {
      const dst = at + o * ins, src = pw + o * insP;
      if (accumulate) {
        for (let i = 0; i < ins; i++) gradient[dst + i] = (gradient[dst + i] as number) + (sum[src + i] as number);
        gradient[at + outs * ins + o] = (gradient[at + outs * ins + o] as number) + (sum[pb + o] as number);
      } else {
        for (let i = 0; i < ins; i++) gradient[dst + i] = sum[src + i] as number;
        gradient[at + outs * ins + o] = sum[pb + o] as number;
      }
    }
  }
}

/** Reading gpu.js results back into float64 (internal). */

/** A kernel result: rows of float32 (cpu, webasm, GL readback) or a device texture/buffer. */
export type KernelResult = Float32Array | ArrayLike<number>[] | { toArray(): unknown };

/** Writes row r, column c of a 2D kernel result of width `width` into `out[offset + r * width + c]`. */
export function readRows(result: unknown, rows: number, width: number, out: Float64Array, offset: number): void {
  const value = isTexture(result) ? result.toArray() : result;
  if (value instanceof Float32Array || value instanceof Float64Array) {
    for (let i = 0; i < rows * width; i++) out[offset + i] = value[i] as number;
    return;
  }
  const list = value as ArrayLike<number>[];
  for (let r = 0; r < rows; r++) {
    const row = list[r] as ArrayLike<number>;
    const base = offset + r * width;
    for (let c = 0; c < width; c++) out[base + c] = row[c] as number;
  }
}

/** A 1D kernel result as numbers. */
export function readVector(result: unknown): ArrayLike<number> {
  return (isTexture(result) ? result.toArray() : result) as ArrayLike<number>;
}

function isTexture(v: unknown): v is { toArray(): unknown } {
  return v !== null && typeof v === "object" && !Array.isArray(v) && typeof (v as { toArray?: unknown }).toArray === "function" && !ArrayBuffer.isView(v);
}

/**
 * Drives a generator of kernel calls synchronously: every yielded value is passed back as is.
 */
export function drive<T>(gen: Generator<unknown, T, unknown>): T {
  let step = gen.next();
  while (!step.done) step = gen.next(step.value);
  return step.value;
}

/**
 * Drives a generator of kernel calls asynchronously: every yielded value is awaited.
 */
export async function driveAsync<T>(gen: Generator<unknown, T, unknown>): Promise<T> {
  let step = gen.next();
  while (!step.done) step = gen.next(await step.value);
  return step.value;
}

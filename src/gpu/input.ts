import { Input } from "gpu.js";

/**
 * A flat float32 matrix [rows, width] as a gpu.js 2D argument (internal). gpu.js 2.24's cpu
 * backend indexes an `Input` with the kernel's output width instead of the input's, so it gets row views.
 */
export function toInput(data: Float32Array, width: number, rows: number, backend: string): Input | Float32Array[] {
  if (backend !== "cpu") return new Input(data as unknown as number[], [width, rows]);
  const list: Float32Array[] = [];
  for (let r = 0; r < rows; r++) list.push(data.subarray(r * width, (r + 1) * width));
  return list;
}

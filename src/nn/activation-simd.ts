/**
 * WebAssembly SIMD (f64x2) SiLU and SELU with their slopes, float64. Source in
 * activation-simd.wat beside this file: exp by range reduction and a degree-12 polynomial,
 * relative error below 4e-16 (tested against Math.exp). Null where WebAssembly SIMD is
 * missing; then the scalar loops of activation.ts run.
 *
 * @internal
 */
const MODULE_BASE64 = "AGFzbQEAAAABCAFgBH9/f38AAwMCAAAFAwEAAQcYAwZtZW1vcnkCAARzaWx1AAAEc2VsdQABCqkJAsoEAgF/CHtBACEEAkADQCAEIANPDQEgACAEav0ABAAhBSAF/e0BRAAAAAAAIIbA/RT99wFEAAAAAAAohkD9FP32ASEGIAZE/oIrZUcV9z/9FP3yAf2UASEHIAYgB0QAAOD+Qi7mP/0U/fIB/fEBIAdEdjx5Ne856j39FP3yAf3xASEIRJjY+O/Y7iE+/RQhCSAJIAj98gFE5ET1Z0XmWj79FP3wASEJIAkgCP3yAURcn3i3T36SPv0U/fABIQkgCSAI/fIBRDTHVqXjHcc+/RT98AEhCSAJIAj98gFEGqABGqAB+j79FP3wASEJIAkgCP3yAUQaoAEaoAEqP/0U/fABIQkgCSAI/fIBRBdswRZswVY//RT98AEhCSAJIAj98gFEERERERERgT/9FP3wASEJIAkgCP3yAURVVVVVVVWlP/0U/fABIQkgCSAI/fIBRFVVVVVVVcU//RT98AEhCSAJIAj98gFEAAAAAAAA4D/9FP3wASEJIAkgCP3yAUQAAAAAAADwP/0U/fABIQkgCSAI/fIBIQkgB0QAAAAAAAA4Q/0U/fABQv8H/RL9zgFBNP3LASELIAkgC/3yASALRAAAAAAAAPA//RT98QH98AEhDCAJIAv98gEgC/3wASEKRAAAAAAAAPA//RREAAAAAAAA8D/9FCAK/fAB/fMBIQsgASAEaiAFIAv98gH9CwQAIAIgBGogC0QAAAAAAADwP/0UIAVEAAAAAAAA8D/9FCAL/fEB/fIB/fAB/fIB/QsEACAEQRBqIQQMAAsLC9oEAgF/CHtBACEEAkADQCAEIANPDQEgACAEav0ABAAhBSAFRAAAAAAAAAAA/RT99gFEAAAAAAAghsD9FP33AUQAAAAAACiGQP0U/fYBIQYgBkT+gitlRxX3P/0U/fIB/ZQBIQcgBiAHRAAA4P5CLuY//RT98gH98QEgB0R2PHk17znqPf0U/fIB/fEBIQhEmNj479juIT79FCEJIAkgCP3yAUTkRPVnReZaPv0U/fABIQkgCSAI/fIBRFyfeLdPfpI+/RT98AEhCSAJIAj98gFENMdWpeMdxz79FP3wASEJIAkgCP3yAUQaoAEaoAH6Pv0U/fABIQkgCSAI/fIBRBqgARqgASo//RT98AEhCSAJIAj98gFEF2zBFmzBVj/9FP3wASEJIAkgCP3yAUQRERERERGBP/0U/fABIQkgCSAI/fIBRFVVVVVVVaU//RT98AEhCSAJIAj98gFEVVVVVVVVxT/9FP3wASEJIAkgCP3yAUQAAAAAAADgP/0U/fABIQkgCSAI/fIBRAAAAAAAAPA//RT98AEhCSAJIAj98gEhCSAHRAAAAAAAADhD/RT98AFC/wf9Ev3OAUE0/csBIQsgCSAL/fIBIAtEAAAAAAAA8D/9FP3xAf3wASEMIAkgC/3yASAL/fABIQogBUQAAAAAAAAAAP0U/UohByABIARqIAVEMhGp1qvP8D/9FP3yASAMRDDwQMYsIfw//RT98gEgB/1S/QsEACACIARqRDIRqdarz/A//RQgCkQw8EDGLCH8P/0U/fIBIAf9Uv0LBAAgBEEQaiEEDAALCws=";

type Kernel = (z: number, a: number, s: number, bytes: number) => void;

interface Exports { memory: WebAssembly.Memory; silu: Kernel; selu: Kernel }

function instantiate(): Exports | null {
  try {
    if (typeof WebAssembly !== "object" || typeof atob !== "function") return null;
    const binary = atob(MODULE_BASE64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as Exports;
  } catch {
    return null;
  }
}

const module = instantiate();
let view = module === null ? new Float64Array(0) : new Float64Array(module.memory.buffer);

/**
 * Writes f(z) to `a` and f'(z) to `slope` for the first n entries, f = silu or selu.
 *
 * @internal
 */
export const simdActivate = module === null ? null : (kind: "silu" | "selu", z: Float64Array, a: Float64Array, slope: Float64Array, n: number): void => {
  const m = module as Exports;
  const even = n + (n & 1);
  if (view.length < 3 * even) {
    m.memory.grow(Math.ceil((3 * even * 8 - m.memory.buffer.byteLength) / 65536));
    view = new Float64Array(m.memory.buffer);
  }
  view.set(z.subarray(0, n), 0);
  if (even > n) view[n] = 0;
  m[kind](0, even * 8, 2 * even * 8, even * 8);
  a.set(view.subarray(even, even + n));
  slope.set(view.subarray(2 * even, 2 * even + n));
};

/**
 * WebAssembly SIMD (f64x2) SiLU and SELU with their slopes, float64. Source in
 * activation-simd.wat beside this file: exp by range reduction and a degree-12 polynomial,
 * relative error below 4e-16 (tested against Math.exp). Null where WebAssembly SIMD is
 * missing; then the scalar loops of activation.ts run.
 *
 * @internal
 */
const MODULE_BASE64 = "AGFzbQEAAAABCAFgBH9/f38AAwMCAAAFAwEAAQcYAwZtZW1vcnkCAARzaWx1AAAEc2VsdQABCpkJAsIEAgF/CHtBACEEAkADQCAEIANPDQEgACAEav0ABAAhBSAF/e0BRAAAAAAAIIbA/RT99QFEAAAAAAAohkD9FP30ASEGIAZE/oIrZUcV9z/9FP3yAf2UASEHIAYgB0QAAOD+Qi7mP/0U/fIB/fEBIAdEdjx5Ne856j39FP3yAf3xASEIRJjY+O/Y7iE+/RQhCSAJIAj98gFE5ET1Z0XmWj79FP3wASEJIAkgCP3yAURcn3i3T36SPv0U/fABIQkgCSAI/fIBRDTHVqXjHcc+/RT98AEhCSAJIAj98gFEGqABGqAB+j79FP3wASEJIAkgCP3yAUQaoAEaoAEqP/0U/fABIQkgCSAI/fIBRBdswRZswVY//RT98AEhCSAJIAj98gFEERERERERgT/9FP3wASEJIAkgCP3yAURVVVVVVVWlP/0U/fABIQkgCSAI/fIBRFVVVVVVVcU//RT98AEhCSAJIAj98gFEAAAAAAAA4D/9FP3wASEJIAkgCP3yAUQAAAAAAADwP/0U/fABIQkgCSAI/fIBIQkgB/38Af3HAUL/B/0S/c4BQTT9ywEhCyAJIAv98gEgC0QAAAAAAADwP/0U/fEB/fABIQwgCSAL/fIBIAv98AEhCkQAAAAAAADwP/0URAAAAAAAAPA//RQgCv3wAf3zASELIAEgBGogBSAL/fIB/QsEACACIARqIAtEAAAAAAAA8D/9FCAFRAAAAAAAAPA//RQgC/3xAf3yAf3wAf3yAf0LBAAgBEEQaiEEDAALCwvSBAIBfwh7QQAhBAJAA0AgBCADTw0BIAAgBGr9AAQAIQUgBUQAAAAAAAAAAP0U/fQBRAAAAAAAIIbA/RT99QFEAAAAAAAohkD9FP30ASEGIAZE/oIrZUcV9z/9FP3yAf2UASEHIAYgB0QAAOD+Qi7mP/0U/fIB/fEBIAdEdjx5Ne856j39FP3yAf3xASEIRJjY+O/Y7iE+/RQhCSAJIAj98gFE5ET1Z0XmWj79FP3wASEJIAkgCP3yAURcn3i3T36SPv0U/fABIQkgCSAI/fIBRDTHVqXjHcc+/RT98AEhCSAJIAj98gFEGqABGqAB+j79FP3wASEJIAkgCP3yAUQaoAEaoAEqP/0U/fABIQkgCSAI/fIBRBdswRZswVY//RT98AEhCSAJIAj98gFEERERERERgT/9FP3wASEJIAkgCP3yAURVVVVVVVWlP/0U/fABIQkgCSAI/fIBRFVVVVVVVcU//RT98AEhCSAJIAj98gFEAAAAAAAA4D/9FP3wASEJIAkgCP3yAUQAAAAAAADwP/0U/fABIQkgCSAI/fIBIQkgB/38Af3HAUL/B/0S/c4BQTT9ywEhCyAJIAv98gEgC0QAAAAAAADwP/0U/fEB/fABIQwgCSAL/fIBIAv98AEhCiAFRAAAAAAAAAAA/RT9SiEHIAEgBGogBUQyEanWq8/wP/0U/fIBIAxEMPBAxiwh/D/9FP3yASAH/VL9CwQAIAIgBGpEMhGp1qvP8D/9FCAKRDDwQMYsIfw//RT98gEgB/1S/QsEACAEQRBqIQQMAAsLCw==";

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

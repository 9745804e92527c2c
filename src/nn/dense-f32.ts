/**
 * WebAssembly SIMD (f32x4) kernels of the opt-in float32 inference path (float32.ts): a
 * dense layer C = act(A Wt + bias) on 4 x 8 register tiles with the activation fused
 * after each block of rows. Source in dense-f32.wat beside this file (1106 bytes,
 * assembled with wabt). {@link denseF32Module} is null where WebAssembly SIMD is missing.
 *
 * @internal
 */
const MODULE_BASE64 = "AGFzbQEAAAABFwNgAXsBe2ADf39/AGAIf39/f39/f38AAwUEAAABAgUDAQABBxICBm1lbW9yeQIABWRlbnNlAAMKjggE+gEBA3sgAEMAAK7C/RP96wFDAACuQv0T/eoBIQAgAEM7qrg//RP95gH9aiEBIAAgAUMAcjE//RP95gH95QEgAUOOvr81/RP95gH95QEhAkMBDVA5/RMhAyADIAL95gFDYQu2Ov0T/eQBIQMgAyAC/eYBQ4mICDz9E/3kASEDIAMgAv3mAUOrqio9/RP95AEhAyADIAL95gFDq6oqPv0T/eQBIQMgAyAC/eYBQwAAAD/9E/3kASEDIAMgAv3mAUMAAIA//RP95AEhAyADIAL95gFDAACAP/0T/eQBIQMgAyABQwAAQEv9E/3kAUH/AP0R/a4BQRf9qwH95gELKQBDAACAP/0TQwAAAED9EyAAIAD95AEQAEMAAIA//RP95AH95wH95QELjAICAX8Ce0EAIQMCQANAIAMgAU8NASAAIANq/QAEACEEAkAgAkEBRgRAIARDAACAP/0TIAT94QEQAP3kAf3nASEFDAELIAJBAkYEQCAEQwAAAAD9E/3rASEFDAELIAJBA0YEQENffYY//RMgBEN9LdY//RMgBEMAAAAA/RP96gEQAEMAAIA//RP95QH95gEgBEMAAAAA/RP9RP1S/eYBIQUMAQsgAkEERgRAIAQQASEFDAELQwAAAD/9EyAE/eYBQwAAgD/9E0MqQkw//RMgBEMTJzc9/RMgBCAEIAT95gH95gH95gH95AH95gEQAf3kAf3mASEFCyAAIANqIAX9CwQAIANBEGohAwwACwsL1wMCCn8LeyAGQQJ0IRAgBUECdCERQQAhCAJAA0AgCCAETw0BIAAgCCARbGohCyADIAggEGxqIQxBACEJAkADQCAJIBBPDQEgAiAJav0ABAAhFSACIAlq/QAEECEWIBUhFyAWIRggFSEZIBYhGiAVIRsgFiEcIAEgCWohDSALIQ8gCyARaiEOAkADQCAPIA5PDQEgDf0ABAAhEiAN/QAEECETIA/9CQIAIRQgFSAUIBL95gH95AEhFSAWIBQgE/3mAf3kASEWIA8gEWr9CQIAIRQgFyAUIBL95gH95AEhFyAYIBQgE/3mAf3kASEYIA8gEUEBdGr9CQIAIRQgGSAUIBL95gH95AEhGSAaIBQgE/3mAf3kASEaIA8gEUEDbGr9CQIAIRQgGyAUIBL95gH95AEhGyAcIBQgE/3mAf3kASEcIA9BBGohDyANIBBqIQ0MAAsLIAwgCWohCiAKIBX9CwQAIAogFv0LBBAgCiAQaiEKIAogF/0LBAAgCiAY/QsEECAKIBBqIQogCiAZ/QsEACAKIBr9CwQQIAogEGohCiAKIBv9CwQAIAogHP0LBBAgCUEgaiEJDAALCyAHQQBHBEAgDCAQQQJ0IAcQAgsgCEEEaiEIDAALCws=";

/** Exports of one instance of the float32 module (each {@link MlpFloat32} owns its memory). @internal */
export interface DenseF32 {
  memory: WebAssembly.Memory;
  dense: (a: number, w: number, b: number, c: number, m: number, k: number, p: number, act: number) => void;
}

function compile(): WebAssembly.Module | null {
  try {
    if (typeof WebAssembly !== "object" || typeof atob !== "function") return null;
    const binary = atob(MODULE_BASE64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    const module = new WebAssembly.Module(bytes);
    new WebAssembly.Instance(module, {});
    return module;
  } catch {
    return null;
  }
}

/** The compiled module, or null without WebAssembly SIMD. @internal */
export const denseF32Module = compile();

/** A fresh instance with its own memory. @internal */
export function instantiateDenseF32(module: WebAssembly.Module): DenseF32 {
  return new WebAssembly.Instance(module, {}).exports as unknown as DenseF32;
}

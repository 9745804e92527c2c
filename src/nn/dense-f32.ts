/**
 * WebAssembly SIMD (f32x4) kernels of the opt-in float32 inference path (float32.ts): a
 * dense layer C = act(A Wt + bias) on 4 x 8 register tiles with the activation fused
 * after each block of rows. Source in dense-f32.wat beside this file (1099 bytes,
 * assembled with wabt). {@link denseF32Module} is null where WebAssembly SIMD is missing.
 *
 * @internal
 */
const MODULE_BASE64 = "AGFzbQEAAAABFwNgAXsBe2ADf39/AGAIf39/f39/f38AAwUEAAABAgUDAQABBxICBm1lbW9yeQIABWRlbnNlAAMKhwgE8wEBA3sgAEMAAK7C/RP96QFDAACuQv0T/egBIQAgAEM7qrg//RP95gH9aiEBIAAgAUMAcjE//RP95gH95QEgAUOOvr81/RP95gH95QEhAkMBDVA5/RMhAyADIAL95gFDYQu2Ov0T/eQBIQMgAyAC/eYBQ4mICDz9E/3kASEDIAMgAv3mAUOrqio9/RP95AEhAyADIAL95gFDq6oqPv0T/eQBIQMgAyAC/eYBQwAAAD/9E/3kASEDIAMgAv3mAUMAAIA//RP95AEhAyADIAL95gFDAACAP/0T/eQBIQMgAyAB/fgBQf8A/RH9rgFBF/2rAf3mAQspAEMAAIA//RNDAAAAQP0TIAAgAP3kARAAQwAAgD/9E/3kAf3nAf3lAQuMAgIBfwJ7QQAhAwJAA0AgAyABTw0BIAAgA2r9AAQAIQQCQCACQQFGBEAgBEMAAIA//RMgBP3hARAA/eQB/ecBIQUMAQsgAkECRgRAIARDAAAAAP0T/ekBIQUMAQsgAkEDRgRAQ199hj/9EyAEQ30t1j/9EyAEQwAAAAD9E/3oARAAQwAAgD/9E/3lAf3mASAEQwAAAAD9E/1E/VL95gEhBQwBCyACQQRGBEAgBBABIQUMAQtDAAAAP/0TIAT95gFDAACAP/0TQypCTD/9EyAEQxMnNz39EyAEIAQgBP3mAf3mAf3mAf3kAf3mARAB/eQB/eYBIQULIAAgA2ogBf0LBAAgA0EQaiEDDAALCwvXAwIKfwt7IAZBAnQhECAFQQJ0IRFBACEIAkADQCAIIARPDQEgACAIIBFsaiELIAMgCCAQbGohDEEAIQkCQANAIAkgEE8NASACIAlq/QAEACEVIAIgCWr9AAQQIRYgFSEXIBYhGCAVIRkgFiEaIBUhGyAWIRwgASAJaiENIAshDyALIBFqIQ4CQANAIA8gDk8NASAN/QAEACESIA39AAQQIRMgD/0JAgAhFCAVIBQgEv3mAf3kASEVIBYgFCAT/eYB/eQBIRYgDyARav0JAgAhFCAXIBQgEv3mAf3kASEXIBggFCAT/eYB/eQBIRggDyARQQF0av0JAgAhFCAZIBQgEv3mAf3kASEZIBogFCAT/eYB/eQBIRogDyARQQNsav0JAgAhFCAbIBQgEv3mAf3kASEbIBwgFCAT/eYB/eQBIRwgD0EEaiEPIA0gEGohDQwACwsgDCAJaiEKIAogFf0LBAAgCiAW/QsEECAKIBBqIQogCiAX/QsEACAKIBj9CwQQIAogEGohCiAKIBn9CwQAIAogGv0LBBAgCiAQaiEKIAogG/0LBAAgCiAc/QsEECAJQSBqIQkMAAsLIAdBAEcEQCAMIBBBAnQgBxACCyAIQQRqIQgMAAsLCw==";

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

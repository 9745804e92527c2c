/**
 * The one place that turns the generated base64 of modules.ts into WebAssembly (internal):
 * decoded without Buffer or atob-only paths, compiled and test-instantiated once. Null where
 * WebAssembly or one of the features the module uses (SIMD128, relaxed SIMD) is missing, so
 * every caller has a scalar fallback. `imports` gives the test instance its imports (a module that
 * imports a shared memory is null where shared WebAssembly memory is missing).
 */
export function compileModule(base64: string, imports: () => WebAssembly.Imports = () => ({})): WebAssembly.Module | null {
  try {
    if (typeof WebAssembly !== "object" || typeof atob !== "function") return null;
    const module = new WebAssembly.Module(decodeBase64(base64));
    new WebAssembly.Instance(module, imports());
    return module;
  } catch {
    return null;
  }
}

/** A fresh instance of `module` (its own memory), typed by its exports (internal). */
export function instantiate<T>(module: WebAssembly.Module): T {
  return new WebAssembly.Instance(module, {}).exports as unknown as T;
}

/** The instance of a generated module, or null where it cannot run here (internal). */
export function instantiateBase64<T>(base64: string): T | null {
  const module = compileModule(base64);
  return module === null ? null : instantiate<T>(module);
}

/** Bytes of a base64 string (internal). */
export function decodeBase64(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Grows `memory` so that it holds at least `bytes` bytes (internal).
 */
export function ensureBytes(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { generate } from "../../../scripts/build-wasm.mjs";
import * as modules from "../../../src/engine/wasm/modules.js";
import { compileModule, decodeBase64 } from "../../../src/engine/wasm/load.js";

const dir = join(import.meta.dirname, "..", "..", "..", "src", "engine", "wasm");

describe("generated wasm modules", () => {
  it("modules.ts is exactly what scripts/build-wasm.mjs compiles from the .wat sources", async () => {
    const expected = (await (generate as (folder: string) => Promise<string>)(dir));
    expect(readFileSync(join(dir, "modules.ts"), "utf8")).toBe(expected);
  });

  it("every .wat source has its constant (and its relaxed variant where it says so), and every constant is a valid module with a memory", () => {
    const sources = readdirSync(dir).filter((f) => f.endsWith(".wat"));
    const relaxed = sources.filter((f) => readFileSync(join(dir, f), "utf8").includes("relaxed-SIMD variant"));
    expect(relaxed).toEqual(["gemm-f32.wat"]);
    expect(Object.keys(modules).sort()).toEqual([...sources.map((f) => f.replace(/\.wat$/, "").replace(/-/g, "_").toUpperCase()), ...relaxed.map((f) => `${f.replace(/\.wat$/, "").replace(/-/g, "_").toUpperCase()}_RELAXED`)].sort());
    const shared = () => ({ env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }) } });
    for (const [name, base64] of Object.entries(modules)) {
      const bytes = decodeBase64(base64);
      expect([...bytes.subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]);
      // relaxed variants compile only where relaxed SIMD is on (Node 24, not Node 20): WebAssembly.validate decides
      if (name.endsWith("_RELAXED") && !WebAssembly.validate(bytes)) continue;
      const module = compileModule(base64, shared);
      expect(module).not.toBeNull();
      const m = module as WebAssembly.Module;
      const own = WebAssembly.Module.exports(m).some((e) => e.name === "memory" && e.kind === "memory");
      const imported = WebAssembly.Module.imports(m).some((e) => e.module === "env" && e.name === "memory" && e.kind === "memory");
      expect(own !== imported).toBe(true);
    }
  });

  it("decodeBase64 inverts base64 encoding on every byte value", () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect([...decodeBase64(Buffer.from(bytes).toString("base64"))]).toEqual([...bytes]);
  });

  it("compileModule returns null for bytes that are not a module", () => {
    expect(compileModule(Buffer.from("not wasm").toString("base64"))).toBeNull();
  });
});

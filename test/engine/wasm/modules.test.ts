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

  it("every .wat source has its constant, and every constant is a valid module with a memory", () => {
    const sources = readdirSync(dir).filter((f) => f.endsWith(".wat"));
    expect(Object.keys(modules).length).toBe(sources.length);
    for (const base64 of Object.values(modules)) {
      const bytes = decodeBase64(base64);
      expect([...bytes.subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]);
      const module = compileModule(base64);
      expect(module).not.toBeNull();
      expect(WebAssembly.Module.exports(module as WebAssembly.Module).some((e) => e.name === "memory" && e.kind === "memory")).toBe(true);
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

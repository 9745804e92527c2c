import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "testing/index": "src/testing/index.ts",
    "gpu/index": "src/gpu/index.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  // shared chunks (ESM and CJS): every class and all module state (errors, Mlp, caches, the
  // worker pool) exist once across entries; test/package/entries.test.ts checks it
  splitting: true,
  treeshake: true,
  target: "es2022",
  platform: "neutral",
  external: ["ndarray", "ndarray-ops", "gpu.js", "fast-check"],
});

import { defineConfig, type Options } from "tsup";

/** The package's entries, as package.json "exports" names them. */
const entries = {
  index: "src/index.ts",
  "testing/index": "src/testing/index.ts",
  "gpu/index": "src/gpu/index.ts",
  "tfjs/index": "src/tfjs/index.ts",
  "onnx/index": "src/onnx/index.ts",
};

const shared: Options = {
  sourcemap: true,
  target: "es2022",
  platform: "neutral",
  external: ["ndarray", "gpu.js", "fast-check", /^@tensorflow\//, "onnxruntime-node", "onnxruntime-web", "onnxruntime-common"],
};

export default defineConfig([
  // ESM keeps one file per source module (no bundling), so that a user's bundler drops every
  // module an import does not reach (package.json "sideEffects": false): `import { condOT }`
  // costs about 1 kB, not the whole library. Every module exists once, whichever entry loads it.
  // The d.ts are bundled per entry, with shared chunks.
  {
    ...shared,
    entry: ["src/**/*.ts"],
    bundle: false,
    format: ["esm"],
    dts: { entry: entries },
    clean: true,
  },
  // CJS bundles each entry, with shared chunks so that classes and module state exist once.
  {
    ...shared,
    entry: entries,
    format: ["cjs"],
    dts: { entry: entries },
    splitting: true,
    treeshake: true,
    clean: false,
  },
]);

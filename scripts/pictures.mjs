// Regenerates the pictures that the README and the guides show: runs every example at its
// full size, then copies its SVG output into docs/images/. Run: npm run pictures
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const examples = ["quick-start", "train-moons", "couplings-compare", "checkerboard-likelihood", "guided-generation", "rotated-moons", "gpu-sampling", "sphere-flow", "torus-flow", "discrete-checkerboard", "few-step"];
for (const name of examples) {
  console.log(`running examples/${name}.ts`);
  execFileSync(process.execPath, [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, `examples/${name}.ts`)], { cwd: root, stdio: "inherit" });
}
mkdirSync(join(root, "docs/images"), { recursive: true });
for (const file of readdirSync(join(root, "examples/out")).filter((f) => f.endsWith(".svg"))) {
  copyFileSync(join(root, "examples/out", file), join(root, "docs/images", file));
  console.log(`docs/images/${file}`);
}

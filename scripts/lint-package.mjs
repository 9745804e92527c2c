// Packs the package and runs publint and @arethetypeswrong/cli on the tarball.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "fm-pack-"));
try {
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { encoding: "utf8" });
  const tarball = join(dir, JSON.parse(out)[0].filename);
  console.log(`packed ${tarball}`);
  execFileSync("npx", ["publint", "run", tarball, "--strict"], { stdio: "inherit" });
  execFileSync("npx", ["attw", tarball, "--profile", "node16"], { stdio: "inherit" });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

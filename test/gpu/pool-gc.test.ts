import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("cpu-f32 worker threads of abandoned fields", () => {
  it.runIf(existsSync("/proc/self/status"))("property: are terminated once the field is garbage-collected (no dispose): the thread count returns to its base", () => {
    const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", join(__dirname, "fixtures/abandon-pools.ts")], { encoding: "utf8" });
    const { base, before, after } = JSON.parse(out.trim().split("\n").pop() as string) as { base: number; before: number; after: number };
    expect(before).toBeGreaterThanOrEqual(base + 15); // a worker (at least one OS thread) per abandoned field was running
    expect(after).toBeLessThanOrEqual(base + 2);
  }, 60_000);
});

import { describe, expect, it } from "vitest";
import { runSuite } from "./watchdog.js";

describe("robustness: every export of every entry, valid and malformed arguments", () => {
  it("property: every call returns or throws a FlowMatchingError within 2 s, never mutates its input, and gives finite output for finite input", async () => {
    const report = await runSuite();
    console.log(`robustness: ${report.calls} calls (${Object.entries(report.perEntry).map(([k, v]) => `${k} ${v}`).join(", ")}); classes of bad input: ${report.classes.join("; ")}`);
    expect(report.calls).toBeGreaterThan(1000);
    expect(Object.keys(report.perEntry)).toEqual(expect.arrayContaining([".", "./gpu", "./testing"]));
    expect(report.failures).toEqual([]);
  }, 600_000);
});

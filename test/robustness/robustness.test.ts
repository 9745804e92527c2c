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

  it("a call that hangs is reported (after one retry in a fresh process) and the run goes on to the calls after it", async () => {
    const report = await runSuite({ ROBUSTNESS_LIMIT: "40", ROBUSTNESS_HANG_AT: "25" });
    expect(report.calls).toBe(40);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatch(/ran past 2000 ms \(killed, twice\)$/);
  }, 120_000);
});

import { beforeAll, describe, expect, it } from "vitest";
import { exactOTCoupling } from "../../src/index.js";
import { trainMoons, type MoonsRun } from "../../examples/lib/moons-cfm.js";

// The 2-D benchmark of conditional flow matching: 8 Gaussians -> moons with an MLP
// [3 -> 64 -> 64 -> 64 -> 2] (SELU), batch 256, Adam 2e-3 with cosine decay. W2 is the exact
// Wasserstein-2 distance between 2000 generated samples and 2000 fresh data samples
// (two independent 2000-sample sets of the data itself are about 0.2 apart).
describe("conditional flow matching on 8 Gaussians -> moons", () => {
  const steps = 2500;
  let independent: MoonsRun, ot: MoonsRun;
  beforeAll(() => {
    independent = trainMoons(undefined, { steps });
    ot = trainMoons(exactOTCoupling(), { steps });
  }, 240_000);

  it("I-CFM and OT-CFM each reach W2 <= 0.5", () => {
    expect(independent.w2).toBeLessThanOrEqual(0.5);
    expect(ot.w2).toBeLessThanOrEqual(0.5);
  });

  it("OT-CFM's learned flow has lower path energy than I-CFM's (straighter trajectories)", () => {
    expect(ot.energy).toBeLessThan(independent.energy);
  });

  it("training loss decreases and stays finite", () => {
    for (const run of [independent, ot]) {
      const first = run.history.loss.slice(0, 100).reduce((a, b) => a + b, 0) / 100;
      const last = run.history.loss.slice(-100).reduce((a, b) => a + b, 0) / 100;
      expect(run.history.loss.every(Number.isFinite)).toBe(true);
      expect(last).toBeLessThan(first);
    }
  });
});

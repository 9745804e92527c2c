import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { affinePath, condOT, defineScheduler, independentCfmPath, lipmanPath, schrodingerBridgePath, trigonometricPath, vp, cosine, polynomial, linearVP } from "../../src/index.js";
import type { ProbabilityPath } from "../../src/index.js";
import {
  PropertyCheckError, batchArb, checkBoundaries, checkConversions, checkDerivatives, checkGeneratesPath, checkMonotoneSnr,
  checkPath, checkPathBoundaries, checkScheduler, pathArb, schedulerArb, timeArb,
} from "../../src/testing/index.js";

const ot = { alpha: (t: number) => t, sigma: (t: number) => 1 - t, dAlpha: () => 1, dSigma: () => -1 };

function failure(run: () => void): PropertyCheckError {
  try {
    run();
  } catch (e) {
    if (e instanceof PropertyCheckError) return e;
    throw e;
  }
  throw new Error("the check passed but should have failed");
}

describe("flow-matching/testing property checks", () => {
  it("every built-in scheduler (random parameters) passes every scheduler check", () => {
    fc.assert(fc.property(schedulerArb(), (c) => checkScheduler(c.scheduler, { boundary: c.boundary, numRuns: 20 })), { seed: 42, numRuns: 25 });
  });

  it("every built-in path (random parameters) passes every path check", () => {
    fc.assert(
      fc.property(pathArb(), (c) => checkPath(c.path, {
        boundary: { tolerance0: c.tolerance0, tolerance1: c.tolerance1 },
        generates: { numRuns: 3, samples: 64 },
        conversions: { numRuns: 10 },
        scheduler: { numRuns: 10, boundary: { sigma1: c.tolerance1 } },
      })),
      { seed: 42, numRuns: 25 },
    );
    // And each kind explicitly, so none is left to chance.
    const explicit: [ProbabilityPath, number, number][] = [
      [affinePath(condOT()), 1e-12, 1e-12], [affinePath(cosine()), 1e-12, 1e-12], [affinePath(polynomial(2)), 1e-12, 1e-12],
      [affinePath(linearVP()), 1e-12, 1e-12], [lipmanPath({ sigmaMin: 0.01 }), 1e-12, 0.1], [independentCfmPath({ sigma: 0.1 }), 1, 1],
      [trigonometricPath({ sigma: 0.05 }), 0.5, 0.5], [schrodingerBridgePath({ sigma: 1 }), 1e-12, 1e-12],
    ];
    for (const [path, tolerance0, tolerance1] of explicit) {
      checkPath(path, { boundary: { tolerance0, tolerance1 }, generates: { numRuns: 3, samples: 64 }, conversions: { numRuns: 10 }, scheduler: { numRuns: 10, boundary: { sigma1: tolerance1 } } });
    }
    checkScheduler(vp(), { boundary: { alpha0: 0.0066, sigma0: 1e-4 } });
    // VP's affine path: x_0 = alpha_0 x1 + sigma_0 x0 differs from x0 by about 0.0066 |x1| (declared).
    checkPath(affinePath(vp()), { boundary: { tolerance0: 0.05 }, generates: { numRuns: 3, samples: 64 }, conversions: { numRuns: 10 }, scheduler: { numRuns: 10, boundary: { alpha0: 0.0066, sigma0: 1e-4 } } });
  });

  it("a wrong derivative fails with a message naming 'derivative dAlpha = d alpha_t / dt'", () => {
    const wrong = defineScheduler({ ...ot, name: "wrongDerivative", dAlpha: () => 2 });
    const e = failure(() => checkScheduler(wrong));
    expect(e.condition).toBe("derivative dAlpha = d alpha_t / dt");
    expect(e.message).toMatch(/^derivative dAlpha = d alpha_t \/ dt violated by scheduler "wrongDerivative": at t = .*dAlpha = 2 but the central difference is 1/);
    expect(typeof e.counterexample).toBe("number");
  });

  it("sigma_1 = 0.1 fails with 'boundary sigma_1 = 0'; alpha_0 = 0.2 fails with 'boundary alpha_0 = 0'", () => {
    const sigma1 = defineScheduler({ name: "sigmaOne", alpha: (t) => t, sigma: (t) => 1 - 0.9 * t, dAlpha: () => 1, dSigma: () => -0.9 });
    const e1 = failure(() => checkScheduler(sigma1));
    expect(e1.condition).toBe("boundary sigma_1 = 0");
    expect(e1.message).toBe('boundary sigma_1 = 0 violated by scheduler "sigmaOne": sigma_1 is 0.1000000000, off by 0.1000000000 > tolerance 1e-12');
    const alpha0 = defineScheduler({ name: "alphaZero", alpha: (t) => 0.2 + 0.8 * t, sigma: (t) => 1 - t, dAlpha: () => 0.8, dSigma: () => -1 });
    const e2 = failure(() => checkScheduler(alpha0));
    expect(e2.condition).toBe("boundary alpha_0 = 0");
    expect(e2.message).toContain("alpha_0 is 0.2000000000");
    // Declaring the tolerance makes the same scheduler pass the boundary check.
    checkBoundaries(alpha0, { alpha0: 0.2 });
    // The same defects are caught on paths built from them.
    expect(failure(() => checkPathBoundaries(affinePath(sigma1))).condition).toBe("boundary x_1 = x1");
    expect(failure(() => checkPathBoundaries(affinePath(alpha0))).condition).toBe("boundary x_0 = x0");
  });

  it("a non-monotone SNR claim fails 'monotone SNR'; a wrong snrInverse fails 'snrInverse(snr_t) = t'; a wrong kappaInverse fails", () => {
    const bump = defineScheduler({ name: "bump", alpha: (t) => t, sigma: (t) => 1 - t + 2 * t * (1 - t), dAlpha: () => 1, dSigma: (t) => 1 - 4 * t, snrInverse: (r) => r / (1 + r) });
    expect(failure(() => checkMonotoneSnr(bump, { claimsMonotoneSnr: true })).condition).toBe("snrInverse(snr_t) = t");
    const wiggle = defineScheduler({ name: "wiggle", alpha: (t) => t + 0.6 * Math.sin(20 * t) * t * (1 - t), sigma: (t) => 1 - t, dAlpha: () => 1, dSigma: () => -1 });
    expect(failure(() => checkMonotoneSnr(wiggle, { claimsMonotoneSnr: true })).condition).toBe("monotone SNR");
    checkMonotoneSnr(wiggle); // no claim, no check
    const badKappa = defineScheduler({ ...ot, name: "badKappa", kappaInverse: (k) => k * k });
    expect(failure(() => checkMonotoneSnr(badKappa)).condition).toBe("kappaInverse(alpha_t) = t");
    const notConvex = defineScheduler({ name: "notConvex", alpha: (t) => t, sigma: (t) => Math.sqrt(1 - t * t), dAlpha: () => 1, dSigma: (t) => -t / Math.sqrt(1 - t * t), kappaInverse: (k) => k });
    expect(failure(() => checkMonotoneSnr(notConvex)).condition).toBe("convex alpha_t + sigma_t = 1");
  });

  it("a path whose velocity does not generate it fails 'velocity generates the path'", () => {
    const good = schrodingerBridgePath({ sigma: 0.5 });
    const broken: ProbabilityPath = {
      sample(x0, x1, t, rng) {
        const s = good.sample(x0, x1, t, rng);
        for (let k = 0; k < s.dxt.data.length; k++) s.dxt.data[k] = 0.9 * (s.dxt.data[k] as number);
        return s;
      },
    };
    const e = failure(() => checkGeneratesPath(broken, { numRuns: 5 }));
    expect(e.condition).toBe("velocity generates the path");
    expect(e.message).toMatch(/violated by the path: at t = .* need <= 0.35 for O\(h\^2\)/);
  });

  it("a broken conversion fails its named round trip", () => {
    const path = affinePath(condOT());
    const broken = { ...path, velocityToTarget: (u: never, x: never, t: never) => path.velocityToEpsilon(u, x, t) };
    expect(failure(() => checkConversions(broken, { numRuns: 10 })).condition).toBe("round trip target -> velocity -> target");
    const throwing = { ...path, scoreToVelocity: () => { throw new Error("boom"); } };
    expect(failure(() => checkConversions(throwing, { numRuns: 10 })).message).toContain("threw boom");
  });

  it("arbitraries: times in [0, 1] without -0, batches of the requested shape with finite entries", () => {
    fc.assert(fc.property(timeArb(), (t) => t >= 0 && t <= 1 && !Object.is(t, -0)), { seed: 42, numRuns: 200 });
    fc.assert(fc.property(batchArb(3, { minRows: 2, maxRows: 4 }), (x) => {
      expect(x.shape[1]).toBe(3);
      expect(x.shape[0]).toBeGreaterThanOrEqual(2);
      expect(x.data.every(Number.isFinite)).toBe(true);
    }), { seed: 42, numRuns: 50 });
    checkDerivatives(condOT());
  });
});

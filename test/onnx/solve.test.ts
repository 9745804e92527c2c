import { describe, expect, it } from "vitest";
import { onnxVelocityField } from "../../src/onnx/index.js";
import { fromRows } from "../../src/core/batch.js";
import { logLikelihood, logLikelihoodAsync, sampleAsync } from "../../src/solvers/index.js";
import { Random } from "../../src/random/random.js";
import { maxAbsDiff, reference, session, torchMlp } from "./helpers.js";

const x0 = fromRows(reference.x0);
const x1 = fromRows(reference.x1);

describe("sampling and likelihoods of an ONNX field through the async solvers", () => {
  it("fixed-step samples (Euler 100 steps, RK4 25 steps) equal PyTorch's float64 ones to 1e-4, one run per stage", async () => {
    const field = onnxVelocityField(await session("velocity.onnx"));
    const euler = await sampleAsync(field, x0, { method: "euler", steps: 100 });
    expect(maxAbsDiff(euler.y.data, reference.euler100.flat())).toBeLessThan(1e-4);
    expect(field.statistics).toEqual({ runs: 100, rows: 1600 });
    const rk4 = await sampleAsync(field, x0, { method: "rk4", steps: 25 });
    expect(maxAbsDiff(rk4.y.data, reference.rk4_25.flat())).toBeLessThan(1e-4);
  });

  // SELU's kinks make div u discontinuous in x, so fixed-step methods converge slowly (the float64
  // Mlp with RK4 400 steps is still 1.6e-3 nats off): an adaptive solve at rtol 1e-7 is used
  it("log-likelihoods with the graph's JVP output (exact divergence) are within 1e-3 nats of SciPy DOP853 at rtol 1e-10", async () => {
    const field = onnxVelocityField(await session("velocity-jvp.onnx"));
    const result = await logLikelihoodAsync(field, x1, { method: "dopri5", rtol: 1e-7, atol: 1e-7 });
    expect(maxAbsDiff(result.logProb, reference.log_likelihood)).toBeLessThan(1e-3);
    expect(maxAbsDiff(result.x0.data, reference.likelihood_x0.flat())).toBeLessThan(1e-4);
    // one velocity run and one divergence run (n d rows) per evaluation of the augmented system
    expect(field.statistics.runs).toBe(2 * result.statistics.nfe);
  });

  it("log-likelihoods without a JVP output (central differences in float32) are within 2e-3 nats", async () => {
    const field = onnxVelocityField(await session("velocity.onnx"));
    const result = await logLikelihoodAsync(field, x1, { method: "dopri5", rtol: 1e-7, atol: 1e-7 });
    expect(maxAbsDiff(result.logProb, reference.log_likelihood)).toBeLessThan(2e-3);
  });

  it("Hutchinson through the graph's JVPs matches Hutchinson through the float64 model with the same probes", async () => {
    const field = onnxVelocityField(await session("velocity-jvp.onnx"));
    const options = { method: "rk4" as const, steps: 20, divergence: "hutchinson" as const, probes: 2 };
    const ours = await logLikelihoodAsync(field, x1, { ...options, rng: new Random(17) });
    const exact64 = logLikelihood(torchMlp(), x1, { ...options, rng: new Random(17) });
    expect(maxAbsDiff(ours.logProb, exact64.logProb)).toBeLessThan(1e-3);
    // and the estimate is not the exact divergence (the probes mattered): the Jacobian is not diagonal
    expect(maxAbsDiff(ours.logProb, reference.log_likelihood)).toBeGreaterThan(1e-3);
  });
});

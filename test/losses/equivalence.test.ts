import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import type { Batch } from "../../src/core/batch.js";
import { Random } from "../../src/random/random.js";
import { marginalVelocity } from "../../src/velocity/index.js";
import { cfmLoss } from "../../src/losses/index.js";
import { divergences, d } from "./fixtures.js";
import { condOT } from "../velocity/schedulers.js";

/**
 * Theorem 3 (gradient equivalence): for a Bregman divergence D, grad_v D(u_t(x), v) equals
 * sum_k w_k(x) grad_v D(u_t(x | y_k), v) with w the exact posterior, since D is affine in
 * its first argument. The data lie in [1, 3]^3 and x below them so that every conditional
 * velocity (y_k - x)/(1 - t) is positive (the domain of generalized KL and Itakura-Saito).
 */
describe("gradient equivalence of marginal and conditional CFM losses (Theorem 3)", () => {
  const rng = new Random(21);
  const K = 7, n = 5, t = 0.4;
  const data = new Float64Array(K * d).map(() => rng.uniform(1, 3));
  const y = ndarray(data, [K, d]) as Batch;
  const x = ndarray(new Float64Array(n * d).map(() => rng.uniform(-1, 0.3)), [n, d]) as Batch;
  const field = marginalVelocity(condOT, y);
  const u = field.evaluate(x, t);
  const w = field.posterior(x, t);
  const v = ndarray(new Float64Array(n * d).map(() => rng.uniform(0.5, 4)), [n, d]) as Batch;

  for (const { d: div } of divergences) {
    it(`${div.name}: grad_v of the marginal loss equals the posterior average of conditional-loss gradients to 1e-10`, () => {
      const marginal = cfmLoss(v, u, div).gradient;
      const averaged = new Float64Array(n * d);
      for (let k = 0; k < K; k++) {
        // conditional velocity u_t(x | y_k) = (y_k - x) / (1 - t), one row per x
        const uk = ndarray(new Float64Array(n * d), [n, d]) as Batch;
        for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) uk.data[r * d + j] = ((data[k * d + j] as number) - (x.data[r * d + j] as number)) / (1 - t);
        const weights = Array.from({ length: n }, (_, r) => w.data[r * K + k] as number);
        const g = cfmLoss(v, uk, div, weights).gradient;
        for (let i = 0; i < n * d; i++) averaged[i] = (averaged[i] as number) + (g.data[i] as number);
      }
      for (let i = 0; i < n * d; i++) {
        expect(Math.abs((marginal.data[i] as number) - (averaged[i] as number))).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(averaged[i] as number)));
      }
      // and the marginal loss is strictly smaller than the conditional one (by the posterior variance term), never larger
      const lossMarginal = cfmLoss(v, u, div).loss;
      let lossConditional = 0;
      for (let k = 0; k < K; k++) {
        const uk = ndarray(new Float64Array(n * d), [n, d]) as Batch;
        for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) uk.data[r * d + j] = ((data[k * d + j] as number) - (x.data[r * d + j] as number)) / (1 - t);
        lossConditional += cfmLoss(v, uk, div, Array.from({ length: n }, (_, r) => w.data[r * K + k] as number)).loss;
      }
      expect(lossMarginal).toBeLessThanOrEqual(lossConditional + 1e-12);
    });
  }
});

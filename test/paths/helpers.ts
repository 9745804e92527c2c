import ndarray from "ndarray";
import type { Batch, Scheduler, Time, VelocityField } from "../../src/index.js";
import { timeAt } from "../../src/index.js";

/**
 * Closed-form marginal velocity of the affine path of `scheduler` from N(0, I) to
 * N(mu, diag s^2) (independent coupling). With v = alpha^2 s^2 + sigma^2 and x_t ~ N(alpha mu, v):
 * E[x1 | x] = mu + alpha s^2 (x - alpha mu)/v and E[x0 | x] = sigma (x - alpha mu)/v, so
 * u_i(x) = alpha' mu_i + (alpha' alpha s_i^2 + sigma' sigma)(x_i - alpha mu_i)/v_i. For condOT
 * this is REFERENCES.md's mu + (t s^2 - (1 - t))/v (x - t mu).
 */
export function gaussianField(scheduler: Scheduler, mu: number[], s: number[]): VelocityField & { score(x: Batch, t: number): Batch } {
  const dim = mu.length;
  return {
    dim,
    evaluate(x: Batch, t: Time, out?: Batch): Batch {
      const n = x.shape[0] as number;
      const o = out ?? ndarray(new Float64Array(n * dim), [n, dim]);
      for (let i = 0; i < n; i++) {
        const { alpha, sigma, dAlpha, dSigma } = scheduler.at(timeAt(t, i));
        for (let j = 0; j < dim; j++) {
          const m = mu[j] as number;
          const s2 = (s[j] as number) ** 2;
          const v = alpha * alpha * s2 + sigma * sigma;
          o.data[i * dim + j] = dAlpha * m + ((dAlpha * alpha * s2 + dSigma * sigma) * ((x.data[i * dim + j] as number) - alpha * m)) / v;
        }
      }
      return o;
    },
    divergence(x: Batch, t: Time): Float64Array {
      const n = x.shape[0] as number;
      const o = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const { alpha, sigma, dAlpha, dSigma } = scheduler.at(timeAt(t, i));
        for (let j = 0; j < dim; j++) {
          const s2 = (s[j] as number) ** 2;
          o[i] = (o[i] as number) + (dAlpha * alpha * s2 + dSigma * sigma) / (alpha * alpha * s2 + sigma * sigma);
        }
      }
      return o;
    },
    /** grad log p_t(x) = -(x - alpha mu)/v. */
    score(x: Batch, t: number): Batch {
      const n = x.shape[0] as number;
      const o = ndarray(new Float64Array(n * dim), [n, dim]);
      const { alpha, sigma } = scheduler.at(t);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < dim; j++) {
          const v = alpha * alpha * (s[j] as number) ** 2 + sigma * sigma;
          o.data[i * dim + j] = -((x.data[i * dim + j] as number) - alpha * (mu[j] as number)) / v;
        }
      }
      return o;
    },
  };
}

/** Classical fixed-step RK4 for dx/dt = field(x, t) from t = 0 to t = 1 (test-only; the solvers module is separate). */
export function rk4(field: VelocityField, x0: Batch, steps: number): Batch {
  const [n, d] = x0.shape as [number, number];
  const h = 1 / steps;
  let x = Float64Array.from(x0.data);
  const at = (y: Float64Array, t: number) => field.evaluate(ndarray(y, [n, d]), t).data;
  for (let k = 0; k < steps; k++) {
    const t = k * h;
    const k1 = at(x, t);
    const k2 = at(x.map((v, i) => v + 0.5 * h * (k1[i] as number)), t + 0.5 * h);
    const k3 = at(x.map((v, i) => v + 0.5 * h * (k2[i] as number)), t + 0.5 * h);
    const k4 = at(x.map((v, i) => v + h * (k3[i] as number)), Math.min(1, t + h));
    x = x.map((v, i) => v + (h / 6) * ((k1[i] as number) + 2 * (k2[i] as number) + 2 * (k3[i] as number) + (k4[i] as number)));
  }
  return ndarray(x, [n, d]);
}

/*
 * Two-time models whose average velocity is known in closed form, for the few-step tests.
 */
import ndarray from "ndarray";
import { timeAt, type Batch, type Time, type TrainableTwoTimeModel } from "../../src/index.js";

/**
 * The exact average velocity of the linear flow dx/dt = a x (per coordinate a_j):
 * x_t = x_r e^{a (t - r)}, so u(x, r, t) = x (e^{a h} - 1) / h with h = t - r (and a x at h = 0).
 * Its trajectories curve in time (they accelerate), so it exercises the time derivatives.
 * A parameter-free trainable model: forward = average, backward writes nothing.
 */
export function exponentialFlow(a: readonly number[]): TrainableTwoTimeModel {
  const d = a.length;
  // phi(h) = (e^{ah} - 1)/h and its derivative in h, with series near h = 0
  const phi = (aj: number, h: number) => (Math.abs(aj * h) < 1e-8 ? aj + (aj * aj * h) / 2 : Math.expm1(aj * h) / h);
  const dphi = (aj: number, h: number) => (Math.abs(aj * h) < 1e-5 ? (aj * aj) / 2 + (aj * aj * aj * h) / 3 : (aj * Math.exp(aj * h) * h - Math.expm1(aj * h)) / (h * h));
  const average = (x: Batch, r: Time, t: Time, out?: Batch): Batch => {
    const n = x.shape[0] as number;
    const y = out ?? ndarray(new Float64Array(n * d), [n, d]);
    for (let i = 0; i < n; i++) {
      const h = timeAt(t, i) - timeAt(r, i);
      for (let j = 0; j < d; j++) y.data[i * d + j] = (x.data[i * d + j] as number) * phi(a[j] as number, h);
    }
    return y;
  };
  return {
    dim: d,
    parameters: new Float64Array(0),
    gradient: new Float64Array(0),
    average,
    averageJvp(x, r, t, dx, dr, dt, out) {
      const n = x.shape[0] as number;
      const y = out ?? ndarray(new Float64Array(n * d), [n, d]);
      for (let i = 0; i < n; i++) {
        const h = timeAt(t, i) - timeAt(r, i);
        for (let j = 0; j < d; j++) {
          const aj = a[j] as number;
          y.data[i * d + j] = (dx.data[i * d + j] as number) * phi(aj, h) + (x.data[i * d + j] as number) * dphi(aj, h) * (dt - dr);
        }
      }
      return y;
    },
    forward: average,
    backward() { return new Float64Array(0); },
  };
}

/**
 * The exact average velocity of the straight flow x_t = ((1 - t) + t m) x0 (per coordinate
 * m_j > 0), whose flow map is the linear map x1 = m x0: every trajectory is a straight line at
 * constant speed, u(x, r, t) = (m - 1) x / ((1 - r) + r m), independent of t.
 */
export function straightLinearFlow(m: readonly number[]): TrainableTwoTimeModel {
  const d = m.length;
  const average = (x: Batch, r: Time, _t: Time, out?: Batch): Batch => {
    const n = x.shape[0] as number;
    const y = out ?? ndarray(new Float64Array(n * d), [n, d]);
    for (let i = 0; i < n; i++) {
      const ri = timeAt(r, i);
      for (let j = 0; j < d; j++) {
        const mj = m[j] as number;
        y.data[i * d + j] = ((mj - 1) * (x.data[i * d + j] as number)) / (1 - ri + ri * mj);
      }
    }
    return y;
  };
  return {
    dim: d,
    parameters: new Float64Array(0),
    gradient: new Float64Array(0),
    average,
    averageJvp(x, r, _t, dx, dr, _dt, out) {
      const n = x.shape[0] as number;
      const y = out ?? ndarray(new Float64Array(n * d), [n, d]);
      for (let i = 0; i < n; i++) {
        const ri = timeAt(r, i);
        for (let j = 0; j < d; j++) {
          const mj = m[j] as number, den = 1 - ri + ri * mj;
          y.data[i * d + j] = ((mj - 1) * (dx.data[i * d + j] as number)) / den - ((mj - 1) * (x.data[i * d + j] as number) * (mj - 1) * dr) / (den * den);
        }
      }
      return y;
    },
    forward: average,
    backward() { return new Float64Array(0); },
  };
}

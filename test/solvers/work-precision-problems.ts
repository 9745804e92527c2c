/*
 * The problems of the dop853/dopri5 work-precision sweep (docs/solvers.md), the same as in
 * scripts/ode-work-precision.py (SciPy's side, which writes fixtures/work-precision-scipy.json):
 * three of Hairer's non-stiff test problems and a flow-matching field. Each is one row of
 * dimension d, so our error norm (RMS over the row) is SciPy's.
 */
import ndarray from "ndarray";
import type { Batch } from "../../src/core/batch.js";
import type { Time } from "../../src/core/time.js";
import type { MethodName } from "../../src/solvers/tableau.js";
import type { StepController } from "../../src/solvers/integrate.js";
import { integrate } from "../../src/solvers/integrate.js";
import { readFileSync } from "node:fs";

/** One problem: y' = f(t, y) on [t0, t1] from y0 (one row). */
export interface WorkPrecisionProblem {
  name: string;
  /** What it is and where it comes from. */
  title: string;
  f: (t: number, y: Float64Array, out: Float64Array) => void;
}

/** SciPy's numbers at one tolerance (rtol = atol = tol). */
export interface WorkPrecisionPoint { tol: number; nfe: number; error: number }

interface FixtureProblem {
  t0: number; t1: number; y0: number[]; reference: number[]; referenceSpread: number;
  DOP853: WorkPrecisionPoint[]; RK45: WorkPrecisionPoint[];
}

/** The SciPy fixture (scripts/ode-work-precision.py). */
export const scipyFixture = JSON.parse(readFileSync(new URL("./fixtures/work-precision-scipy.json", import.meta.url), "utf8")) as { scipy: string; tolerances: number[]; problems: Record<string, FixtureProblem> };

const MU = 0.012277471;

/** Gaussian mixture target of the flow-matching problem: 8 components N(mu_k, 0.25^2 I) on a circle of radius 4. */
const GMM_MU = Array.from({ length: 8 }, (_, k) => [4 * Math.cos((2 * Math.PI * k) / 8), 4 * Math.sin((2 * Math.PI * k) / 8)] as const);

export const problems: WorkPrecisionProblem[] = [
  {
    name: "arenstorf",
    title: "Arenstorf orbit (HNW I, eq. II.0.1), one period, d = 4",
    f: (_t, y, o) => {
      const mp = 1 - MU;
      const y1 = y[0] as number, y2 = y[1] as number;
      const d1 = ((y1 + MU) ** 2 + y2 ** 2) ** 1.5;
      const d2 = ((y1 - mp) ** 2 + y2 ** 2) ** 1.5;
      o[0] = y[2] as number;
      o[1] = y[3] as number;
      o[2] = y1 + 2 * (y[3] as number) - (mp * (y1 + MU)) / d1 - (MU * (y1 - mp)) / d2;
      o[3] = y2 - 2 * (y[2] as number) - (mp * y2) / d1 - (MU * y2) / d2;
    },
  },
  {
    name: "pleiades",
    title: "Pleiades, 7 bodies in the plane (HNW I, II.10 PLEI), t in [0, 3], d = 28",
    f: (_t, y, o) => {
      for (let i = 0; i < 7; i++) {
        let ax = 0, ay = 0;
        for (let j = 0; j < 7; j++) {
          if (j === i) continue;
          const dx = (y[j] as number) - (y[i] as number), dy = (y[7 + j] as number) - (y[7 + i] as number);
          const r3 = (dx * dx + dy * dy) ** 1.5;
          ax += ((j + 1) * dx) / r3;
          ay += ((j + 1) * dy) / r3;
        }
        o[i] = y[14 + i] as number;
        o[7 + i] = y[21 + i] as number;
        o[14 + i] = ax;
        o[21 + i] = ay;
      }
    },
  },
  {
    name: "rigid-body",
    title: "Euler's rigid body without forcing (HNW I, II.10 EULR: I = 0.5, 2, 3), t in [0, 20], d = 3",
    f: (_t, y, o) => {
      o[0] = -2 * (y[1] as number) * (y[2] as number);
      o[1] = 1.25 * (y[0] as number) * (y[2] as number);
      o[2] = -0.5 * (y[0] as number) * (y[1] as number);
    },
  },
  {
    name: "gmm-flow",
    title: "flow matching: the closed-form marginal field of the condOT path from N(0, I) to an 8-component Gaussian mixture, 16 points, t in [0, 1], d = 32",
    f: (t, y, o) => {
      const s2 = t * t * 0.0625 + (1 - t) ** 2;
      const coef = (t * 0.0625 - (1 - t)) / s2;
      const logw = new Float64Array(8);
      for (let p = 0; p < 16; p++) {
        const x0 = y[2 * p] as number, x1 = y[2 * p + 1] as number;
        let max = -Infinity;
        for (let k = 0; k < 8; k++) {
          const [m0, m1] = GMM_MU[k] as readonly [number, number];
          logw[k] = (-0.5 * ((x0 - t * m0) ** 2 + (x1 - t * m1) ** 2)) / s2;
          max = Math.max(max, logw[k] as number);
        }
        let total = 0, u0 = 0, u1 = 0;
        for (let k = 0; k < 8; k++) {
          const [m0, m1] = GMM_MU[k] as readonly [number, number];
          const w = Math.exp((logw[k] as number) - max);
          total += w;
          u0 += w * (m0 + coef * (x0 - t * m0));
          u1 += w * (m1 + coef * (x1 - t * m1));
        }
        o[2 * p] = u0 / total;
        o[2 * p + 1] = u1 / total;
      }
    },
  },
];

/** Our solve of a problem at rtol = atol = tol: evaluations and the Euclidean end-point error to the fixture's reference. */
export function solvePoint(problem: WorkPrecisionProblem, method: MethodName, tol: number, controller?: StepController): WorkPrecisionPoint {
  const fx = scipyFixture.problems[problem.name] as FixtureProblem;
  const d = fx.y0.length;
  const rhs = (t: Time, y: Batch, out: Batch): void => problem.f(t as number, y.data as Float64Array, out.data as Float64Array);
  const r = integrate(rhs, ndarray(Float64Array.from(fx.y0), [1, d]), { t0: fx.t0, t1: fx.t1, method, rtol: tol, atol: tol, ...(controller ? { controller } : {}) });
  let e = 0;
  for (let j = 0; j < d; j++) e += ((r.y.data[j] as number) - (fx.reference[j] as number)) ** 2;
  return { tol, nfe: r.statistics.nfe, error: Math.sqrt(e) };
}

/** SciPy's method for ours. */
export const scipyMethod = { dop853: "DOP853", dopri5: "RK45" } as const;

/**
 * Evaluations relative to SciPy's at equal error: SciPy's points fit a line
 * log nfe = a + b log error (least squares), and each of our points (nfe, error) scores
 * nfe / exp(a + b log error); < 1 means fewer evaluations than SciPy for the same error.
 */
export function ratiosAtEqualError(ours: readonly WorkPrecisionPoint[], scipy: readonly WorkPrecisionPoint[]): number[] {
  const xs = scipy.map((p) => Math.log(p.error)), ys = scipy.map((p) => Math.log(p.nfe));
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length, my = ys.reduce((s, v) => s + v, 0) / ys.length;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    sxx += ((xs[i] as number) - mx) ** 2;
  }
  const b = sxy / sxx, a = my - b * mx;
  return ours.map((p) => p.nfe / Math.exp(a + b * Math.log(p.error)));
}

/** Geometric mean. */
export function geometricMean(v: readonly number[]): number {
  return Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length);
}

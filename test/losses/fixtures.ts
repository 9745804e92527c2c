import { squaredEuclidean, mahalanobis, generalizedKL, itakuraSaito, bregman } from "../../src/losses/index.js";
import type { BregmanDivergence } from "../../src/core/interfaces.js";

/** Dimension of the fixture divergences. */
export const d = 3;
/** phi(x) = sum exp(x_j) + 0.5 ||x||^2, strictly convex. */
const expPhi = bregman(
  (x) => x.reduce((s, v) => s + Math.exp(v) + 0.5 * v * v, 0),
  (x, out) => { for (let j = 0; j < x.length; j++) out[j] = Math.exp(x[j] as number) + (x[j] as number); return out; },
  { name: "expPotential" },
);
const expPhiHvp = bregman(
  (x) => x.reduce((s, v) => s + Math.exp(v) + 0.5 * v * v, 0),
  (x, out) => { for (let j = 0; j < x.length; j++) out[j] = Math.exp(x[j] as number) + (x[j] as number); return out; },
  { hessianVectorProduct: (v, w, out) => { for (let j = 0; j < v.length; j++) out[j] = (Math.exp(v[j] as number) + 1) * (w[j] as number); return out; } },
);

export const divergences: { d: BregmanDivergence; positive: boolean; fdTol: number }[] = [
  { d: squaredEuclidean, positive: false, fdTol: 1e-7 },
  { d: mahalanobis([0.5, 2, 3]), positive: false, fdTol: 1e-7 },
  { d: mahalanobis([[2, 0.5, 0], [0.5, 1, 0.2], [0, 0.2, 3]]), positive: false, fdTol: 1e-7 },
  { d: generalizedKL, positive: true, fdTol: 1e-7 },
  { d: itakuraSaito, positive: true, fdTol: 1e-7 },
  { d: expPhi, positive: false, fdTol: 1e-6 },
  { d: expPhiHvp, positive: false, fdTol: 1e-7 },
];


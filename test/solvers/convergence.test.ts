import { describe, expect, it } from "vitest";
import { fromRows } from "../../src/core/batch.js";
import type { Batch } from "../../src/core/batch.js";
import type { Time } from "../../src/core/time.js";
import { integrate } from "../../src/solvers/integrate.js";
import { methodNames, tableau } from "../../src/solvers/tableau.js";
import type { MethodName } from "../../src/solvers/tableau.js";

// y' = y cos t on [0, 6]: y = exp(sin t) (non-autonomous, so the nodes c_i matter).
const growth = (t: Time, y: Batch, out: Batch): void => {
  for (let i = 0; i < y.data.length; i++) out.data[i] = (y.data[i] as number) * Math.cos(t as number);
};
// y'' = -y on [0, 20]: (cos t, -sin t); large enough errors to see 8th order above rounding (and
// rk38, whose leading error term changes sign on the first problem near h = 0.05).
const oscillator = (_t: Time, y: Batch, out: Batch): void => {
  out.data[0] = y.data[1] as number;
  out.data[1] = -(y.data[0] as number);
};

/** Least-squares slope of log2(error) against log2(steps), negated: the observed order. */
function observedOrder(method: MethodName, steps: number[]): number {
  const osc = method === "dop853" || method === "rk38";
  const xs: number[] = [];
  const ys: number[] = [];
  for (const N of steps) {
    const r = osc
      ? integrate(oscillator, fromRows([[1, 0]]), { t0: 0, t1: 20, method, steps: N })
      : integrate(growth, fromRows([[1]]), { t0: 0, t1: 6, method, steps: N });
    const exact = osc ? [Math.cos(20), -Math.sin(20)] : [Math.exp(Math.sin(6))];
    let err = 0;
    exact.forEach((v, j) => { err = Math.max(err, Math.abs((r.y.data[j] as number) - v)); });
    xs.push(Math.log2(N));
    ys.push(Math.log2(err));
  }
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => { sxy += (x - mx) * ((ys[i] as number) - my); sxx += (x - mx) ** 2; });
  return -sxy / sxx;
}

const WINDOWS: Record<MethodName, number[]> = {
  euler: [256, 512, 1024], midpoint: [128, 256, 512], heun2: [128, 256, 512], ralston: [128, 256, 512],
  heun3: [64, 128, 256], rk4: [64, 128, 256], rk38: [64, 128, 256, 512], bosh3: [64, 128, 256],
  dopri5: [64, 128, 256, 512], tsit5: [64, 128, 256, 512], dop853: [16, 32, 64, 128],
};

describe("measured convergence order", () => {
  for (const method of methodNames()) {
    it(`${method}: the global error decays like h^${tableau(method).order} (observed slope within 0.2)`, () => {
      const p = observedOrder(method, WINDOWS[method]);
      expect(Math.abs(p - tableau(method).order)).toBeLessThan(0.2);
    });
  }
});

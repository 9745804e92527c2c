import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { fromRows } from "../../src/core/batch.js";
import type { Batch } from "../../src/core/batch.js";
import type { Time } from "../../src/core/time.js";
import { Random } from "../../src/random/random.js";
import { integrate } from "../../src/solvers/integrate.js";
import { ARENSTORF_T, ARENSTORF_Y0, arenstorf, arenstorfError } from "./helpers.js";

const tol = { rtol: 1e-8, atol: 1e-8 };

describe("Arenstorf orbit (Hairer, Norsett, Wanner I, eq. 0.1), one period, rtol = atol = 1e-8", () => {
  it("dop853 needs <= 1778 evaluations (scipy DOP853) with final error <= 8.4e-5", () => {
    const r = integrate(arenstorf, fromRows([ARENSTORF_Y0]), { t1: ARENSTORF_T, method: "dop853", ...tol });
    expect(r.statistics.nfe).toBeLessThanOrEqual(1778);
    expect(arenstorfError(r.y)).toBeLessThanOrEqual(8.4e-5);
  });

  it("dopri5 needs <= 2114 x 1.15 evaluations (scipy RK45's count; safety 0.8 vs its 0.9 shortens steps by 11%) with final error <= 1.5e-4 (scipy's)", () => {
    const r = integrate(arenstorf, fromRows([ARENSTORF_Y0]), { t1: ARENSTORF_T, method: "dopri5", ...tol });
    expect(r.statistics.nfe).toBeLessThanOrEqual(1.15 * 2114);
    expect(arenstorfError(r.y)).toBeLessThanOrEqual(1.5e-4);
  });

  // One hard row among 999 rows at rest (zero velocity, at random positions).
  const n = 1000;
  const mixed = (t: Time, y: Batch, out: Batch, rows?: Int32Array): void => {
    const m = y.shape[0] as number;
    out.data.fill(0);
    for (let i = 0; i < m; i++) {
      if ((rows === undefined ? i : rows[i]) !== 0) continue;
      const one = ndarray(new Float64Array(4), [1, 4]);
      arenstorf(t, ndarray(y.data.slice(4 * i, 4 * i + 4), [1, 4]), one);
      out.data.set(one.data, 4 * i);
    }
  };
  const batch = (): Batch => {
    const rng = new Random(7);
    const data = new Float64Array(n * 4);
    rng.fillUniform(data, -1, 1);
    data.set(ARENSTORF_Y0, 0);
    return ndarray(data, [n, 4]);
  };

  it("batch fairness: the orbit among 999 resting rows ends with the same error as alone (per-row norm, max over rows)", () => {
    const alone = integrate(arenstorf, fromRows([ARENSTORF_Y0]), { t1: ARENSTORF_T, ...tol });
    const y0 = batch();
    const r = integrate(mixed, y0, { t1: ARENSTORF_T, ...tol });
    const eAlone = arenstorfError(alone.y);
    const eBatch = arenstorfError(r.y);
    expect(Math.abs(eBatch - eAlone)).toBeLessThanOrEqual(0.05 * eAlone);
    expect(r.statistics.nfe).toBe(alone.statistics.nfe);
    // resting rows stay where they were
    for (let k = 4; k < n * 4; k++) expect(r.y.data[k]).toBe(y0.data[k]);
  });

  it("per-sample steps: the orbit row follows exactly its solo step sequence and resting rows retire after a few steps", () => {
    const alone = integrate(arenstorf, fromRows([ARENSTORF_Y0]), { t1: ARENSTORF_T, ...tol, perSample: true });
    const r = integrate(mixed, batch(), { t1: ARENSTORF_T, ...tol, perSample: true });
    for (let j = 0; j < 4; j++) expect(r.y.data[j]).toBe(alone.y.data[j]);
    // the 999 resting rows cost only the steps that grow h from Hairer's 1e-6 start (x10 per step)
    expect(r.statistics.rowEvaluations).toBeLessThan(alone.statistics.nfe + 999 * 64);
    expect(r.statistics.rowEvaluations).toBeLessThan(0.05 * n * r.statistics.nfe);
  });
});

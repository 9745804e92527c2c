import { describe, expect, it } from "vitest";
import { DomainError, ShapeError, fromRows, pathEnergy, zeros, type Batch, type Time } from "../../src/index.js";

// u_t(x) = A x with A = diag(a): x_t = x0 e^{a t}, |u|^2 = sum_i a_i^2 x0_i^2 e^{2 a_i t},
// energy = sum_i a_i x0_i^2 (e^{2 a_i} - 1) / 2.
const a = [0.7, -1.3];
const linear = {
  dim: 2,
  evaluate(x: Batch, _t: Time, out: Batch = zeros(x.shape[0]!, 2)) {
    for (let i = 0; i < x.shape[0]!; i++) for (let j = 0; j < 2; j++) out.data[2 * i + j] = a[j]! * x.data[2 * i + j]!;
    return out;
  },
};

describe("pathEnergy", () => {
  it("matches the closed-form energy of a linear flow per row, and returns its end points", () => {
    const x0 = fromRows([[1, 2], [-0.5, 0.25], [0, 0]]);
    const r = pathEnergy(linear, x0, { rtol: 1e-11, atol: 1e-11 });
    for (let i = 0; i < 3; i++) {
      let exact = 0;
      for (let j = 0; j < 2; j++) exact += (a[j]! * x0.data[2 * i + j]! ** 2 * (Math.exp(2 * a[j]!) - 1)) / 2;
      expect(r.energy[i]).toBeCloseTo(exact, 9);
      for (let j = 0; j < 2; j++) expect(r.x1.data[2 * i + j]).toBeCloseTo(x0.data[2 * i + j]! * Math.exp(a[j]!), 9);
    }
    expect(r.meanEnergy).toBeCloseTo((r.energy[0]! + r.energy[1]! + r.energy[2]!) / 3, 14);
    expect(r.statistics.nfe).toBeGreaterThan(0);
  });

  it("a straight constant-speed flow has energy |x1 - x0|^2 (the lower bound for its end points)", () => {
    const c = [3, 4];
    const constant = { dim: 2, evaluate: (x: Batch, _t: Time, out: Batch = zeros(x.shape[0]!, 2)) => { for (let i = 0; i < x.shape[0]!; i++) out.data.set(c, 2 * i); return out; } };
    const r = pathEnergy(constant, fromRows([[0, 0], [1, 1]]), { method: "rk4", steps: 4 });
    expect(Array.from(r.energy).map((e) => Math.round(e * 1e12) / 1e12)).toEqual([25, 25]);
    expect(pathEnergy(constant, fromRows([], 2)).meanEnergy).toBe(0);
  });

  it("uses what evaluate returns: a field that returns a new batch instead of writing into out has the same energy; a wrong shape is a ShapeError", () => {
    const c = [3, 4];
    const returning = { dim: 2, evaluate: (x: Batch) => { const u = zeros(x.shape[0]!, 2); for (let i = 0; i < x.shape[0]!; i++) u.data.set(c, 2 * i); return u; } };
    const r = pathEnergy(returning, fromRows([[0, 0], [1, 1]]), { method: "rk4", steps: 4 });
    expect(Array.from(r.energy).map((e) => Math.round(e * 1e12) / 1e12)).toEqual([25, 25]);
    const wrong = { dim: 2, evaluate: () => zeros(1, 3) };
    expect(() => pathEnergy(wrong, fromRows([[0, 0], [1, 1]]), { method: "euler", steps: 2 })).toThrow(ShapeError);
  });

  it("rejects a non-field, a wrong shape and times outside [0, 1]", () => {
    expect(() => pathEnergy({} as never, fromRows([[0, 0]]))).toThrow(DomainError);
    expect(() => pathEnergy(linear, fromRows([[0, 0, 0]]))).toThrow(ShapeError);
    expect(() => pathEnergy(linear, fromRows([[0, 0]]), { t1: 2 })).toThrow(/pathEnergy\(\): options.t1 must be in \[0, 1\]/);
  });
});

describe("pathEnergy errors", () => {
  it("name pathEnergy and its options, not integrate", () => {
    expect(() => pathEnergy(linear, fromRows([[1, 2]]), { rtol: -1 })).toThrow(/^pathEnergy\(\): options\.rtol must be > 0/);
    expect(() => pathEnergy(linear, fromRows([[1, 2]]), { perSample: 1 as never })).toThrow(/^pathEnergy\(\): options\.perSample/);
    expect(() => pathEnergy(linear, fromRows([[1, 2]]), { maxSteps: 1 })).toThrow(/^pathEnergy\(\): options\.maxSteps/);
  });
});

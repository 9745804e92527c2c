import ndarray from "ndarray";
import { describe, expect, it } from "vitest";
import { DomainError, Mlp, Random, ShapeError, TwoTimeMlp, fromRows, mlp, twoTimeMlp, type Batch } from "../../src/index.js";

const model = twoTimeMlp({ dim: 2, hidden: [12, 12], activation: "tanh", seed: 3 });
const rng = new Random(11);
const n = 5;
const x = rng.normalBatch(n, 2);
const r = new Float64Array([0.05, 0.1, 0.3, 0.5, 0.9]);
const t = new Float64Array([0.2, 0.101, 0.8, 0.99, 0.95]);

const shifted = (b: Batch, db: Batch, s: number) => ndarray(b.data.map((v, i) => v + s * (db.data[i] as number)), [n, 2]);
const plus = (a: Float64Array, s: number, da: number) => a.map((v) => v + s * da);

describe("TwoTimeMlp", () => {
  it("is the network of dim + 2 on [x, r, t - r] at network time 0, first dim outputs", () => {
    const input = ndarray(new Float64Array(n * 4), [n, 4]);
    for (let i = 0; i < n; i++) input.data.set([x.data[2 * i]!, x.data[2 * i + 1]!, r[i]!, t[i]! - r[i]!], 4 * i);
    const full = model.network.evaluate(input, 0);
    const u = model.average(x, r, t);
    for (let i = 0; i < n; i++) for (let j = 0; j < 2; j++) expect(u.get(i, j)).toBe(full.get(i, j));
    expect(model.parameters).toBe(model.network.parameters);
  });

  it("averageJvp matches central finite differences in x, r and t to 1e-6 (float64)", () => {
    const dx = new Random(2).normalBatch(n, 2);
    for (const [dr, dt] of [[0, 0], [0.3, 0.3], [0, 0.4], [-0.5, 0]] as const) {
      const rr = Float64Array.from(r), tt = Float64Array.from(t);
      const jvp = model.averageJvp(x, rr, tt, dx, dr, dt);
      const eps = 1e-5;
      const up = model.average(shifted(x, dx, eps), plus(rr, eps, dr), plus(tt, eps, dt));
      const down = model.average(shifted(x, dx, -eps), plus(rr, -eps, dr), plus(tt, -eps, dt));
      for (let k = 0; k < n * 2; k++) {
        const fd = ((up.data[k] as number) - (down.data[k] as number)) / (2 * eps);
        expect(Math.abs(fd - (jvp.data[k] as number))).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
      }
    }
  });

  it("backward gives the gradient of L = sum g . u(theta) (checked by central differences on 25 parameters)", () => {
    const net = twoTimeMlp({ dim: 2, hidden: [6], activation: "silu", seed: 5 });
    const g = new Random(4).normalBatch(n, 2);
    const loss = () => { const u = net.average(x, r, t); let s = 0; for (let k = 0; k < n * 2; k++) s += (g.data[k] as number) * (u.data[k] as number); return s; };
    net.forward(x, r, t);
    const grad = Float64Array.from(net.backward(g));
    const pick = new Random(9);
    for (let q = 0; q < 25; q++) {
      const p = pick.int(net.parameters.length);
      const keep = net.parameters[p] as number, eps = 1e-6;
      net.parameters[p] = keep + eps; const a = loss();
      net.parameters[p] = keep - eps; const b = loss();
      net.parameters[p] = keep;
      expect(Math.abs((a - b) / (2 * eps) - (grad[p] as number))).toBeLessThan(1e-7 * Math.max(1, Math.abs(grad[p] as number)));
    }
  });

  it("has the documented parameter count, and forward equals average", () => {
    expect(twoTimeMlp({ dim: 2, hidden: [64, 64], seed: 1 }).parameters.length).toBe(5 * 64 + 64 + 64 * 64 + 64 + 64 * 4 + 4);
    expect(Array.from(model.forward(x, r, t).data)).toEqual(Array.from(model.average(x, r, t).data));
  });

  it("round-trips through the network's JSON: new TwoTimeMlp(Mlp.fromJSON(JSON.stringify(model.network))) gives the same values", () => {
    const copy = new TwoTimeMlp(Mlp.fromJSON(JSON.stringify(model.network)));
    expect(Array.from(copy.average(x, r, t).data)).toEqual(Array.from(model.average(x, r, t).data));
  });

  it("rejects r > t, times outside [0, 1], wrong shapes, a backward without forward and unsuitable networks", () => {
    expect(() => model.average(fromRows([[0, 0]]), 0.6, 0.4)).toThrow(DomainError);
    expect(() => model.average(fromRows([[0, 0]]), 0.6, 0.4)).toThrow(/TwoTimeMlp.average\(\): r must be <= t .*got r = 0.6 > t = 0.4/);
    expect(() => model.average(x, r, new Float64Array([0.2, 0.05, 0.8, 0.99, 0.95]))).toThrow(/at row 1/);
    expect(() => model.average(fromRows([[0, 0]]), -0.1, 0.4)).toThrow(DomainError);
    expect(() => model.average(fromRows([[0, 0, 0]]), 0, 1)).toThrow(ShapeError);
    expect(() => twoTimeMlp({ dim: 2, hidden: [4], seed: 0 }).backward(fromRows([[0, 0]]))).toThrow(DomainError);
    expect(() => new TwoTimeMlp(mlp({ dim: 2, hidden: [4] }))).toThrow(DomainError);
    expect(() => new TwoTimeMlp(mlp({ dim: 4, hidden: [4], time: { fourier: 2 } }))).toThrow(DomainError);
    expect(() => twoTimeMlp({ dim: 0, hidden: [4] })).toThrow(DomainError);
  });
});

import { describe, expect, it } from "vitest";
import { mlp, Mlp } from "../../src/nn/index.js";
import { Random } from "../../src/random/random.js";
import { fromData, fromRows } from "../../src/core/batch.js";
import type { Batch } from "../../src/core/batch.js";
import { DomainError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import { withCondition } from "../../src/velocity/conditioned.js";

/** Plain forward of a tanh MLP from its spec, input [x, t, c]: the reference. */
function reference(net: Mlp, x: Batch, t: number, c: Batch): Float64Array {
  const spec = net.toSpec();
  const n = x.shape[0] as number, d = net.dim, m = c.shape[1] as number;
  const out = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    let a = [...Array.from(x.data.subarray(r * d, (r + 1) * d)), t, ...Array.from(c.data.subarray(r * m, (r + 1) * m))];
    spec.layers.forEach((layer, l) => {
      const z = new Array<number>(layer.outputs).fill(0);
      for (let o = 0; o < layer.outputs; o++) {
        let s = layer.bias[o] as number;
        for (let i = 0; i < layer.inputs; i++) s += (layer.weight[o * layer.inputs + i] as number) * (a[i] as number);
        z[o] = l === spec.layers.length - 1 ? s : Math.tanh(s);
      }
      a = z;
    });
    out.set(a, r * d);
  }
  return out;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
};

describe("Mlp with a continuous condition (conditionDim)", () => {
  const net = mlp({ dim: 2, hidden: [16, 16], activation: "tanh", conditionDim: 3, seed: 4 });
  const rng = new Random(9);

  it("feeds the condition as extra input columns: forward equals a plain loop over [x, t, c] (small and threaded batches)", () => {
    for (const n of [5, 700]) {
      const x = rng.normalBatch(n, 2), c = rng.normalBatch(n, 3);
      const want = reference(net, x, 0.3, c);
      expect(maxDiff(net.evaluateConditioned(x, 0.3, c).data, want)).toBeLessThan(1e-12);
      expect(maxDiff(net.forward(x, 0.3, c).data, want)).toBeLessThan(1e-12);
    }
  });

  it("backward is the gradient of the loss (central differences, the condition held fixed)", () => {
    const x = rng.normalBatch(4, 2), c = rng.normalBatch(4, 3), g = rng.normalBatch(4, 2);
    const loss = (): number => { const v = net.evaluateConditioned(x, 0.6, c).data; let s = 0; for (let i = 0; i < v.length; i++) s += (v[i] as number) * (g.data[i] as number); return s; };
    net.forward(x, 0.6, c);
    const grad = Float64Array.from(net.backward(g));
    for (const k of [0, 5, 2 * 16 + 3 * 1, 6 * 16 - 1, net.parameterCount - 1]) {
      const keep = net.parameters[k] as number, h = 1e-6;
      net.parameters[k] = keep + h; const up = loss();
      net.parameters[k] = keep - h; const down = loss();
      net.parameters[k] = keep;
      // central differences: O(h^2) truncation plus O(eps / h) rounding, about 1e-9 here
      expect(Math.abs((up - down) / (2 * h) - (grad[k] as number))).toBeLessThan(1e-7);
    }
  });

  it("the threaded engine (>= 512 rows) trains on the condition columns too: its gradient is the sum of two single-thread halves", () => {
    const n = 700, x = rng.normalBatch(n, 2), c = rng.normalBatch(n, 3), g = rng.normalBatch(n, 2), t = rng.fillUniform(new Float64Array(n));
    net.forward(x, t, c);
    const whole = Float64Array.from(net.backward(g));
    const half = (a: number, b: number): Float64Array => {
      net.forward(fromData(x.data.slice(2 * a, 2 * b), [b - a, 2]), t.slice(a, b), fromData(c.data.slice(3 * a, 3 * b), [b - a, 3]));
      return Float64Array.from(net.backward(fromData(g.data.slice(2 * a, 2 * b), [b - a, 2])));
    };
    const h1 = half(0, 350), h2 = half(350, n);
    let scale = 0;
    for (const v of whole) scale = Math.max(scale, Math.abs(v));
    // the same sums in another order: rounding of order n * eps * scale
    expect(maxDiff(whole, h1.map((v, i) => v + (h2[i] as number)))).toBeLessThan(1e-11 * scale);
  });

  it("jvp and divergence differentiate in x only: jvp matches differences in x, divergence is the trace of jvp", () => {
    const x = rng.normalBatch(3, 2), c = rng.normalBatch(3, 3), v = rng.normalBatch(3, 2);
    const h = 1e-6;
    const shift = (s: number) => fromData(x.data.map((a, i) => a + s * (v.data[i] as number)), [3, 2]);
    const fd = net.evaluateConditioned(shift(h), 0.2, c).data.map((a, i) => (a - (net.evaluateConditioned(shift(-h), 0.2, c).data[i] as number)) / (2 * h));
    expect(maxDiff(net.jvpConditioned(x, 0.2, c, v).data, fd)).toBeLessThan(1e-7);
    const e0 = fromRows([[1, 0], [1, 0], [1, 0]]), e1 = fromRows([[0, 1], [0, 1], [0, 1]]);
    const j0 = net.jvpConditioned(x, 0.2, c, e0).data, j1 = net.jvpConditioned(x, 0.2, c, e1).data;
    const trace = [0, 1, 2].map((r) => (j0[2 * r] as number) + (j1[2 * r + 1] as number));
    expect(maxDiff(net.divergenceConditioned(x, 0.2, c), trace)).toBeLessThan(1e-12);
    const bound = withCondition(net, c);
    expect(bound.evaluate(x, 0.2).data).toEqual(net.evaluateConditioned(x, 0.2, c).data);
    expect(bound.divergence?.(x, 0.2)).toEqual(net.divergenceConditioned(x, 0.2, c));
  });

  it("round-trips conditionDim through JSON bit for bit", () => {
    const back = Mlp.fromJSON(JSON.stringify(net));
    expect(back.conditionDim).toBe(3);
    const x = rng.normalBatch(3, 2), c = rng.normalBatch(3, 3);
    expect(back.evaluateConditioned(x, 0.5, c).data).toEqual(net.evaluateConditioned(x, 0.5, c).data);
  });

  it("rejects wrong, missing, non-finite or unexpected conditions with typed errors naming the argument", () => {
    const x = rng.normalBatch(3, 2);
    expect(() => net.evaluateConditioned(x, 0.5, rng.normalBatch(4, 3))).toThrow(ShapeError);
    expect(() => net.forward(x, 0.5, rng.normalBatch(3, 2))).toThrow(/condition must have shape \[n, 3\]/);
    expect(() => net.forward(x, 0.5, fromRows([[0, 0, 0], [0, Number.NaN, 0], [0, 0, 0]]))).toThrow(NonFiniteError);
    expect(() => net.evaluate(x, 0.5)).toThrow(DomainError);
    expect(() => net.forward(x, 0.5)).toThrow(/Mlp.forward\(\): condition must be a batch \[3, 3\]/);
    expect(() => net.forward(x, 0.5, [0, 1, 0])).toThrow(DomainError);
    const plain = mlp({ dim: 2, hidden: [4], seed: 1 });
    expect(() => plain.forward(x, 0.5, rng.normalBatch(3, 3))).toThrow(/condition must be absent or labels/);
    expect(() => plain.evaluateConditioned(x, 0.5, rng.normalBatch(3, 3))).toThrow(DomainError);
    expect(() => mlp({ dim: 2, hidden: [4], classes: 2, conditionDim: 1 })).toThrow(/options.conditionDim/);
  });
});

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import ndarray from "ndarray";
import { mlp, Mlp } from "../../src/nn/index.js";
import type { Activation } from "../../src/nn/index.js";
import { Random } from "../../src/random/random.js";
import { setSimd } from "../../src/nn/matmul.js";
import { fromData, fromRows } from "../../src/core/batch.js";
import { DomainError, NonFiniteError } from "../../src/core/errors.js";
import type { Batch } from "../../src/core/batch.js";

const activations: Activation[] = ["silu", "selu", "tanh", "relu", "gelu"];
const times = ["concat", { fourier: 3, scale: 2 }] as const;

function randomBatch(rng: Random, n: number, d: number): Batch {
  return rng.normalBatch(n, d);
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

const shapeArb = fc.record({
  dim: fc.integer({ min: 1, max: 3 }),
  hidden: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
  n: fc.integer({ min: 1, max: 5 }),
  classes: fc.integer({ min: 0, max: 2 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});

describe("mlp", () => {
  for (const activation of activations) {
    for (const time of times) {
      const label = typeof time === "string" ? time : "fourier";
      it(`backward equals central finite differences of sum(G * v) (relative 1e-6): ${activation}, ${label}`, () => {
        fc.assert(fc.property(shapeArb, ({ dim, hidden, n, classes, seed }) => {
          const net = mlp({ dim, hidden, activation, time, classes, seed });
          const rng = new Random(seed + 1);
          // move off the zero-bias initialisation so every parameter (and relu's kinks) is in general position
          for (let p = 0; p < net.parameterCount; p++) net.parameters[p] = (net.parameters[p] as number) + 0.3 * rng.normal();
          const x = randomBatch(rng, n, dim);
          const t = Float64Array.from({ length: n }, () => rng.uniform());
          const labels = Int32Array.from({ length: n }, () => rng.int(classes + 1));
          const g = randomBatch(rng, n, dim);
          net.forward(x, t, labels);
          const grad = Float64Array.from(net.backward(g));
          const loss = () => {
            const v = net.evaluateLabeled(x, t, labels);
            let s = 0;
            for (let i = 0; i < v.data.length; i++) s += (v.data[i] as number) * (g.data[i] as number);
            return s;
          };
          const fd = new Float64Array(grad.length);
          const h = 1e-6;
          for (let p = 0; p < grad.length; p++) {
            const old = net.parameters[p] as number;
            net.parameters[p] = old + h;
            const up = loss();
            net.parameters[p] = old - h;
            const down = loss();
            net.parameters[p] = old;
            fd[p] = (up - down) / (2 * h);
          }
          expect(maxAbsDiff(grad, fd)).toBeLessThanOrEqual(1e-6 * Math.max(maxAbs(fd), 1e-3));
        }), { seed: 42, numRuns: 12 });
      });

      it(`jvp equals central finite differences in x and divergence is the Jacobian trace (relative 1e-6): ${activation}, ${label}`, () => {
        fc.assert(fc.property(shapeArb, ({ dim, hidden, n, classes, seed }) => {
          const net = mlp({ dim, hidden, activation, time, classes, seed });
          const rng = new Random(seed + 2);
          const x = randomBatch(rng, n, dim);
          const v = randomBatch(rng, n, dim);
          const t = rng.uniform();
          const y = rng.int(classes + 1);
          const jv = net.jvpLabeled(x, t, y, v);
          const h = 1e-6;
          const shifted = (s: number) => ndarray(x.data.map((xi, i) => xi + s * (v.data[i] as number)), [n, dim]) as Batch;
          const up = net.evaluateLabeled(shifted(h), t, y);
          const down = net.evaluateLabeled(shifted(-h), t, y);
          const fd = up.data.map((u, i) => (u - (down.data[i] as number)) / (2 * h));
          expect(maxAbsDiff(jv.data, fd)).toBeLessThanOrEqual(1e-6 * Math.max(maxAbs(fd), 1e-3));
          const div = net.divergenceLabeled(x, t, y);
          const trace = new Float64Array(n);
          for (let j = 0; j < dim; j++) {
            const e = ndarray(new Float64Array(n * dim), [n, dim]) as Batch;
            for (let r = 0; r < n; r++) e.data[r * dim + j] = 1;
            const col = net.jvpLabeled(x, t, y, e);
            for (let r = 0; r < n; r++) trace[r] = (trace[r] as number) + (col.data[r * dim + j] as number);
          }
          expect(maxAbsDiff(div, trace)).toBeLessThanOrEqual(1e-12 * Math.max(maxAbs(trace), 1));
        }), { seed: 42, numRuns: 12 });
      });
    }
  }

  it("toSpec -> new Mlp reproduces the outputs exactly, and a conditional model's labels change the output", () => {
    const net = mlp({ dim: 2, hidden: [8, 8], classes: 3, time: { fourier: 2 }, seed: 5 });
    const copy = new Mlp(net.toSpec());
    const x = fromRows([[0.1, 0.2], [-1, 3]]);
    expect(Array.from(copy.evaluateLabeled(x, 0.4, [1, 2]).data)).toEqual(Array.from(net.evaluateLabeled(x, 0.4, [1, 2]).data));
    expect(copy.evaluateLabeled(x, 0.4, 0).data[0]).not.toBe(copy.evaluateLabeled(x, 0.4, 1).data[0]);
    expect(Array.from(net.evaluate(x, 0.4).data)).toEqual(Array.from(net.evaluateLabeled(x, 0.4, 3).data));
    expect(net.toSpec().classes).toBe(3);
  });

  it("same seed gives the same parameters; buffers are reused across batch sizes without changing results", () => {
    const a = mlp({ dim: 2, hidden: [5], seed: 9 });
    const b = mlp({ dim: 2, hidden: [5], seed: 9 });
    expect(Array.from(a.parameters)).toEqual(Array.from(b.parameters));
    const x = new Random(1).normalBatch(6, 2);
    const full = a.evaluate(x, 0.5);
    const head = a.evaluate(ndarray(x.data.slice(0, 8), [4, 2]) as Batch, 0.5);
    expect(Array.from(head.data)).toEqual(Array.from(full.data.slice(0, 8)));
    expect(a.parameterCount).toBe(3 * 5 + 5 + 5 * 2 + 2);
  });

  it("backward with accumulate adds gradients; evaluate between forward and backward does not disturb the cache", () => {
    const net = mlp({ dim: 2, hidden: [4, 4], activation: "tanh", seed: 2 });
    const rng = new Random(3);
    const x = rng.normalBatch(3, 2);
    const g = rng.normalBatch(3, 2);
    net.forward(x, 0.3);
    const once = Float64Array.from(net.backward(g));
    net.forward(x, 0.3);
    net.evaluate(rng.normalBatch(7, 2), 0.9);
    net.backward(g);
    net.backward(g, true);
    expect(maxAbsDiff(net.gradient, once.map((v) => 2 * v))).toBeLessThan(1e-14);
    net.zeroGradient();
    expect(maxAbs(net.gradient)).toBe(0);
  });

  it("a net large enough for the SIMD kernel gives the same forward, backward, jvp and divergence as the scalar kernel (1e-12)", () => {
    const net = mlp({ dim: 3, hidden: [40, 24], activation: "gelu", seed: 4 });
    const rng = new Random(8);
    const x = rng.normalBatch(30, 3), v = rng.normalBatch(30, 3), g = rng.normalBatch(30, 3);
    const run = () => {
      const out = Array.from(net.forward(x, 0.4).data);
      const grad = Array.from(net.backward(g));
      return [...out, ...grad, ...Array.from(net.jvp(x, 0.4, v).data), ...Array.from(net.divergence(x, 0.4))];
    };
    const simd = run();
    setSimd(false);
    const scalar = run();
    setSimd(true);
    expect(maxAbsDiff(simd, scalar)).toBeLessThan(1e-12 * Math.max(1, maxAbs(scalar)));
  });

  it("rejects bad options and inputs with typed errors", () => {
    expect(() => mlp({ dim: 0, hidden: [2] })).toThrow(/dim must be an integer/);
    expect(() => mlp({ dim: 2, hidden: [2], activation: "swish" as Activation })).toThrow(/activation must be one of/);
    expect(() => mlp({ dim: 2, hidden: [2], time: "sine" as "concat" })).toThrow(/time must be/);
    const net = mlp({ dim: 2, hidden: [3], classes: 2 });
    expect(() => net.backward(fromRows([[1, 2]]))).toThrow(/forward/);
    expect(() => net.evaluate(fromRows([[1, 2, 3]]), 0)).toThrow(/shape/);
    expect(() => net.evaluate(fromRows([[1, 2]]), 2)).toThrow(/t must be in \[0, 1\]/);
    expect(() => net.evaluateLabeled(fromRows([[1, 2]]), 0, 3)).toThrow(/labels must be an integer label in \[0, 2\]/);
    expect(() => net.evaluateLabeled(fromRows([[1, 2]]), 0, [0, 1])).toThrow(/labels must have length/);
    expect(() => net.divergence(fromRows([[1, 2]]), 0, new Float64Array(2))).toThrow(/out must have length 1/);
    const spec = net.toSpec();
    (spec.layers[0] as { weight: Float64Array }).weight[0] = Number.NaN;
    expect(() => new Mlp(spec)).toThrow(/finite/);
    const ok = mlp({ dim: 2, hidden: [3] }).toSpec();
    const bad = (patch: Record<string, unknown>) => ({ ...ok, ...patch }) as never;
    expect(() => new Mlp(null as never)).toThrow(/spec must be an object/);
    expect(() => new Mlp(bad({ dim: 0 }))).toThrow(/spec.dim/);
    expect(() => new Mlp(bad({ activation: "x" }))).toThrow(/spec.activation/);
    expect(() => new Mlp(bad({ classes: -1 }))).toThrow(/spec.classes/);
    expect(() => new Mlp(bad({ time: { kind: "x" } }))).toThrow(/spec.time/);
    expect(() => new Mlp(bad({ time: { kind: "fourier", frequencies: [1] } }))).toThrow(/frequencies/);
    expect(() => new Mlp(bad({ layers: [] }))).toThrow(/spec.layers/);
    expect(() => new Mlp(bad({ layers: [null] }))).toThrow(/layers\[0\] must be an object/);
    expect(() => new Mlp(bad({ layers: [{ ...ok.layers[0], outputs: 0 }] }))).toThrow(/outputs must be an integer/);
    expect(() => new Mlp(bad({ layers: [ok.layers[0], { ...ok.layers[1], bias: new Float64Array(1) }] }))).toThrow(/bias must be a Float64Array of length 2/);
    expect(() => new Mlp(bad({ layers: [{ ...ok.layers[0], weight: new Float64Array(1) }, ok.layers[1]] }))).toThrow(/weight must be a Float64Array/);
    expect(() => new Mlp(bad({ layers: [{ inputs: 3, outputs: 1e5, weight: new Float64Array(3e5), bias: new Float64Array(1e5) }, { inputs: 1e5, outputs: 1e3, weight: new Float64Array(0), bias: new Float64Array(0) }] }))).toThrow(/at most/);
  });

  it("evaluate, forward, jvp and divergence throw NonFiniteError naming the method where a layer overflows on finite input (they returned NaN)", () => {
    const net = mlp({ dim: 2, hidden: [64, 64], seed: 3 });
    const huge = fromRows([[1.7e308, -1.7e308]]);
    const expectOverflow = (f: () => unknown, method: string) => {
      expect(f).toThrow(NonFiniteError);
      expect(f).toThrow(new RegExp(`^Mlp\\.${method}\\(\\): result must be finite for finite x`));
    };
    expectOverflow(() => net.evaluate(huge, 0.5), "evaluate");
    expectOverflow(() => net.jvp(fromRows([[1, 1]]), 0.5, huge), "jvp");
    expectOverflow(() => net.divergence(huge, 0.5), "divergence");
    net.forward(fromRows([[0.5, 0.5]]), 0.5);
    expectOverflow(() => net.forward(huge, 0.5), "forward");
    // the failed forward overwrote what backward reads, so there is no forward pass to go back through
    expect(() => net.backward(fromRows([[1, 1]]))).toThrow(/have run forward\(\) first/);
    // batches of 512 rows or more run on the engine: the same check, naming the row
    const rows = new Float64Array(1200).fill(0.1);
    rows[1000] = 1.7e308;
    expect(() => net.evaluate(fromData(rows, [600, 2]), 0.5)).toThrow(/got NaN at row 500/);
    expect(() => net.forward(fromData(rows, [600, 2]), 0.5)).toThrow(/got NaN at row 500/);
    // ordinary inputs are untouched by the check
    expect(net.evaluate(fromRows([[1e3, -1e3]]), 0.5).data.every(Number.isFinite)).toBe(true);
  });

  it("mlp checks the parameter limit before drawing a weight, naming its own option (it allocated 870 MB, then blamed spec.layers)", () => {
    expect(() => mlp({ dim: 2, hidden: [10000, 10000] })).toThrow(
      /^mlp\(\): options.hidden must give a network of at most 50000000 parameters, got 100070002 parameters \(input width 3, layer widths \[10000, 10000, 2\]\)/);
    expect(() => mlp({ dim: 8000, hidden: [] })).toThrow(/^mlp\(\): options.dim must give a network of at most 50000000 parameters/);
    // a Fourier embedding of 10^8 frequencies is refused before its 800 MB are allocated
    expect(() => mlp({ dim: 2, hidden: [64], time: { fourier: 1e8 } })).toThrow(/options.hidden must give a network of at most/);
    expect(() => mlp({ dim: 1, hidden: [4], time: { fourier: 2, scale: 1e308 } })).toThrow(NonFiniteError);
    expect(() => mlp({ dim: 1, hidden: [4], time: { fourier: 2, scale: 1e308 } })).toThrow(/^mlp\(\): options.time.scale must be small enough/);
    expect(mlp({ dim: 2, hidden: [64, 64, 64], activation: "selu", seed: 1 }).parameterCount).toBe(8706);
  });

  it("mlp rejects an rng that is not a generator with a DomainError (it was a TypeError), and null still means the seed", () => {
    expect(() => mlp({ dim: 2, hidden: [4], rng: {} as never })).toThrow(DomainError);
    expect(() => mlp({ dim: 2, hidden: [4], rng: {} as never })).toThrow(/^mlp\(\): options.rng must be a Random/);
    const seeded = mlp({ dim: 2, hidden: [4], seed: 5 });
    expect(Array.from(mlp({ dim: 2, hidden: [4], seed: 5, rng: null as never }).parameters)).toEqual(Array.from(seeded.parameters));
    expect(Array.from(mlp({ dim: 2, hidden: [4], rng: new Random(5) }).parameters)).toEqual(Array.from(seeded.parameters));
  });
});

import ndarray from "ndarray";
import { describe, expect, it } from "vitest";
import { DomainError, Random, ShapeError, distill, mlp, moons, sample, sgd, standardNormal, zeros, type Batch, type Time, type TrainableField } from "../../src/index.js";

/** v(x, t) = w_c x with one weight per cell c = floor(t K) of [0, 1]: linear in its parameters. */
function cellModel(cells: number): TrainableField {
  const parameters = new Float64Array(cells), gradient = new Float64Array(cells);
  const cell = (t: number) => Math.min(cells - 1, Math.floor(t * cells + 1e-9));
  let last: { x: Float64Array; t: Float64Array } | null = null;
  const evaluate = (x: Batch, t: Time, out?: Batch) => {
    const n = x.shape[0] as number;
    const o = out ?? zeros(n, 1);
    for (let i = 0; i < n; i++) o.data[i] = parameters[cell(typeof t === "number" ? t : t[i]!)]! * x.data[i]!;
    return o;
  };
  return {
    dim: 1, parameters, gradient, evaluate,
    forward(x, t) {
      const n = x.shape[0] as number;
      last = { x: Float64Array.from(x.data), t: typeof t === "number" ? new Float64Array(n).fill(t) : Float64Array.from(t) };
      return evaluate(x, t);
    },
    backward(g) {
      gradient.fill(0);
      const { x, t } = last!;
      for (let i = 0; i < x.length; i++) gradient[cell(t[i]!)] = gradient[cell(t[i]!)]! + g.data[i]! * x[i]!;
      return gradient;
    },
  };
}

describe("distill", () => {
  it("each student's Euler steps reproduce two steps of its teacher, so the 1-step student is the teacher's 4-step midpoint map (dx/dt = a x)", () => {
    const a = -1.2;
    const teacher = { dim: 1, evaluate: (x: Batch, _t: Time, out: Batch = zeros(x.shape[0] as number, 1)) => { for (let i = 0; i < x.shape[0]!; i++) out.data[i] = a * x.data[i]!; return out; } };
    const rounds = distill({
      teacher, teacherSteps: 4, teacherMethod: "midpoint", source: standardNormal(1), target: standardNormal(1),
      student: (steps) => cellModel(steps), steps: 400, batchSize: 32, rng: new Random(3), optimizer: () => sgd({ lr: 0.3 }),
    });
    expect(rounds.map((r) => r.steps)).toEqual([2, 1]);
    // one midpoint step of length 1/4 multiplies by g; the teacher's 4 steps by g^4
    const g = 1 + a / 4 + (a / 4) ** 2 / 2;
    const two = rounds[0]!.field as TrainableField, one = rounds[1]!.field as TrainableField;
    for (let c = 0; c < 2; c++) expect(Math.abs(two.parameters[c]! - 2 * (g * g - 1))).toBeLessThan(1e-10);
    expect(Math.abs(one.parameters[0]! - (g ** 4 - 1))).toBeLessThan(1e-10);
    const x0 = ndarray(new Float64Array([0.5, -2]), [2, 1]);
    const y = sample(one, x0, { method: "euler", steps: 1 }).y;
    const teacherMap = sample(teacher, x0, { method: "midpoint", steps: 4 }).y;
    for (let i = 0; i < 2; i++) expect(Math.abs(y.data[i]! - teacherMap.data[i]!)).toBeLessThan(1e-10);
    expect(rounds[1]!.history.steps).toBe(400);
  });

  it("is seeded: the same options give bit-identical students; the default student is a copy of the previous Mlp", () => {
    const run = () => distill({ teacher: mlp({ dim: 2, hidden: [8], seed: 1 }), teacherSteps: 2, source: standardNormal(2), target: moons(), steps: 5, batchSize: 16, rng: new Random(2) });
    const [a, b] = [run(), run()];
    expect(Array.from((a[0]!.field as TrainableField).parameters)).toEqual(Array.from((b[0]!.field as TrainableField).parameters));
    const teacher = mlp({ dim: 2, hidden: [8], seed: 1 });
    const untrained = distill({ teacher, teacherSteps: 2, source: standardNormal(2), target: moons(), steps: 0, batchSize: 16, rng: new Random(2) });
    expect(Array.from((untrained[0]!.field as TrainableField).parameters)).toEqual(Array.from(teacher.parameters));
  });

  it("rejects teacher steps that are not a power of 2 >= 2, mismatched distributions and a non-Mlp teacher without a student factory", () => {
    const ok = { teacher: mlp({ dim: 2, hidden: [4] }), teacherSteps: 4, source: standardNormal(2), target: moons(), steps: 1, batchSize: 4, rng: new Random(0) };
    expect(() => distill({ ...ok, teacherSteps: 6 })).toThrow(/distill\(\): options.teacherSteps must be a power of 2/);
    expect(() => distill({ ...ok, teacherSteps: 1 })).toThrow(DomainError);
    expect(() => distill({ ...ok, teacherSteps: 2.5 })).toThrow(DomainError);
    expect(() => distill({ ...ok, target: standardNormal(3) })).toThrow(ShapeError);
    const field = { dim: 2, evaluate: (x: Batch) => x };
    expect(() => distill({ ...ok, teacher: field })).toThrow(/options.student must be given/);
  });

  it("a path, student, source or hook of the wrong type is a DomainError naming the option, not a raw TypeError", () => {
    // before: "path.sample is not a function", "o.student is not a function"
    const ok = { teacher: mlp({ dim: 2, hidden: [4] }), teacherSteps: 2, source: standardNormal(2), target: moons(), steps: 1, batchSize: 4, rng: new Random(0) };
    expect(() => distill({ ...ok, path: {} as never })).toThrow(DomainError);
    expect(() => distill({ ...ok, path: {} as never })).toThrow(/^distill\(\): options\.path must be a probability path/);
    expect(() => distill({ ...ok, student: 5 as never })).toThrow(/^distill\(\): options\.student must be a function, got 5$/);
    expect(() => distill({ ...ok, source: { dim: 2 } as never })).toThrow(/^distill\(\): options\.source must be a Distribution/);
    expect(() => distill({ ...ok, onStep: 5 as never })).toThrow(/^distill\(\): options\.onStep must be a function/);
  });
});

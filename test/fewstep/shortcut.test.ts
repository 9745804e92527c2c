import ndarray from "ndarray";
import { describe, expect, it } from "vitest";
import { DomainError, NonFiniteError, Random, ShapeError, fromRows, mlp, shortcutLoss, shortcutTarget, twoTimeMlp, type Batch, type TwoTimeBatch } from "../../src/index.js";
import { exponentialFlow, straightLinearFlow } from "./closed-forms.js";

/** Rows on the dyadic grids the trainer uses: r = t (flow matching) on every third row, else a jump of 2^-j from a grid point. */
function batch(seed: number, n: number, m: readonly number[]): TwoTimeBatch {
  const d = m.length, rng = new Random(seed);
  const x0 = rng.normalBatch(n, d);
  const r = new Float64Array(n), t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (i % 3 === 0) { r[i] = rng.uniform(); t[i] = r[i]!; continue; }
    const cells = 2 ** rng.int(8);
    r[i] = rng.int(cells) / cells; t[i] = r[i]! + 1 / cells;
  }
  // the straight linear flow's path: x = ((1 - r) + r m) x0, conditional velocity (m - 1) x0
  const x = ndarray(new Float64Array(n * d), [n, d]), v = ndarray(new Float64Array(n * d), [n, d]);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) {
    x.data[i * d + j] = (1 - r[i]! + r[i]! * m[j]!) * x0.data[i * d + j]!;
    v.data[i * d + j] = (m[j]! - 1) * x0.data[i * d + j]!;
  }
  return { x, r, t, v };
}

describe("shortcutTarget and shortcutLoss", () => {
  it("the loss is zero for an exactly linear field (the straight flow x1 = m x0): flow-matching rows, two-half-jump rows and Euler half-steps", () => {
    const m = [3, 0.4, 1.5];
    const field = straightLinearFlow(m);
    const b = batch(1, 60, m);
    expect(b.t.some((t, i) => t - b.r[i]! === 1 / 128)).toBe(true); // half-steps of 1/256 <= minStep: Euler rows are covered
    const result = shortcutLoss(field, b);
    expect(result.loss).toBeLessThan(1e-28);
    expect(result.mse).toBe(result.loss);
  });

  it("self-consistency holds for the exact average velocity of a curved flow (dx/dt = a x) on rows whose half-steps exceed minStep", () => {
    const a = [0.8, -1.5];
    const field = exponentialFlow(a);
    const rng = new Random(2);
    const n = 30, x = rng.normalBatch(n, 2);
    const r = new Float64Array(n), t = new Float64Array(n);
    for (let i = 0; i < n; i++) { const p = rng.uniform(), q = rng.uniform(); r[i] = Math.min(p, q); t[i] = Math.max(p, q); }
    const target = shortcutTarget(field, { x, r, t, v: rng.normalBatch(n, 2) }, { minStep: 0 });
    const exact = field.average(x, r, t);
    for (let k = 0; k < 2 * n; k++) expect(Math.abs(target.data[k]! - exact.data[k]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(exact.data[k]!)));
  });

  it("is not zero for an inconsistent field u = A x (two half jumps differ from one jump) and takes v on the rows with r = t", () => {
    const lin = { dim: 1, average: (x: Batch) => ndarray(x.data.map((q) => 2 * q), [x.shape[0] as number, 1]) };
    const x = ndarray(new Float64Array([1, 1]), [2, 1]);
    const target = shortcutTarget(lin, { x, r: new Float64Array([0, 0.3]), t: new Float64Array([0.5, 0.3]), v: ndarray(new Float64Array([7, 7]), [2, 1]) });
    // half jumps of 0.25: u1 = 2, x' = 1.5, u2 = 3, target (2 + 3) / 2 = 2.5
    expect(target.data[0]).toBeCloseTo(2.5, 14);
    expect(target.data[1]).toBe(7);
  });

  it("writes dL/dtheta of (1/n) sum |u_theta - target_i|^2 with the target held fixed (central differences)", () => {
    const model = twoTimeMlp({ dim: 2, hidden: [8, 8], activation: "tanh", seed: 4 });
    const b = batch(3, 12, [2, 0.5]);
    const result = shortcutLoss(model, b);
    const grad = Float64Array.from(model.gradient);
    const frozen = () => {
      const u = model.average(b.x, b.r, b.t);
      let s = 0;
      for (let k = 0; k < u.data.length; k++) s += (u.data[k]! - result.target.data[k]!) ** 2;
      return s / 12;
    };
    expect(Math.abs(frozen() - result.loss)).toBeLessThan(1e-12);
    const pick = new Random(8);
    for (let q = 0; q < 30; q++) {
      const p = pick.int(model.parameters.length);
      const keep = model.parameters[p]!, eps = 1e-6;
      model.parameters[p] = keep + eps; const up = frozen();
      model.parameters[p] = keep - eps; const down = frozen();
      model.parameters[p] = keep;
      expect(Math.abs((up - down) / (2 * eps) - grad[p]!)).toBeLessThan(1e-7 * Math.max(1, Math.abs(grad[p]!)));
    }
  });

  it("rejects a plain velocity field, r > t and a bad minStep", () => {
    const b = batch(5, 3, [2, 2]);
    expect(() => shortcutTarget(mlp({ dim: 2, hidden: [4] }) as never, b)).toThrow(/shortcutTarget\(\): field must be a two-time model/);
    expect(() => shortcutLoss(straightLinearFlow([2, 2]), { ...b, r: new Float64Array([0.9, 0, 0]), t: new Float64Array([0.1, 1, 1]) })).toThrow(DomainError);
    expect(() => shortcutTarget(straightLinearFlow([2, 2]), b, { minStep: 2 })).toThrow(DomainError);
  });

  it("options must be an object, and the model's half jumps are checked (not a batch, wrong rows, non-finite)", () => {
    // before: raw TypeErrors for null options and an undefined output, NaN targets for a NaN or short output
    const one: TwoTimeBatch = { x: fromRows([[1]]), r: new Float64Array([0]), t: new Float64Array([0.5]), v: fromRows([[3]]) };
    const returning = (value: unknown) => ({ dim: 1, average: () => value as Batch });
    expect(() => shortcutTarget(returning(fromRows([[1]])), one, null as never)).toThrow(DomainError);
    expect(() => shortcutLoss(twoTimeMlp({ dim: 1, hidden: [4], seed: 0 }), one, null as never)).toThrow(/^shortcutLoss\(\): options must be an options object, got null$/);
    expect(() => shortcutTarget(returning(undefined), one)).toThrow(ShapeError);
    expect(() => shortcutTarget(returning(fromRows([], 1)), one)).toThrow(/^shortcutTarget\(\): field\.average\(x, r, r \+ h\) must have shape \[1, 1\], got \[0, 1\]$/);
    expect(() => shortcutTarget(returning(fromRows([[Number.NaN]])), one)).toThrow(NonFiniteError);
  });
});

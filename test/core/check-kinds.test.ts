import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import ndarray from "ndarray";
import {
  MAX_ELEMENTS, checkCount, checkDraw, checkElements, checkFiniteResult, checkFunction, checkMethods, checkOptions,
  checkRandom, checkSchedulerKind, checkVelocityField, checkView, outputArray,
} from "../../src/core/check.js";
import { asBatch, zeros } from "../../src/core/batch.js";
import { DomainError, FlowMatchingError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import { Random } from "../../src/random/random.js";
import { condOT } from "../../src/schedulers/builtin.js";

/** The error `run` throws (fails the test when it returns). */
function thrown(run: () => unknown): unknown {
  try { run(); } catch (e) { return e; }
  throw new Error("expected a throw");
}

describe("checkView", () => {
  // brute force: a view is inside its buffer iff every addressed index is in [0, length)
  const viewArb = fc.record({
    length: fc.integer({ min: 0, max: 12 }),
    shape: fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })),
    stride: fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 })),
    offset: fc.integer({ min: -3, max: 14 }),
  });
  test.prop([viewArb], { seed: 11 })("accepts a view exactly when every index it addresses lies in its buffer (brute force)", (v) => {
    let inside = true;
    for (let i = 0; i < v.shape[0]; i++) for (let j = 0; j < v.shape[1]; j++) {
      const k = v.offset + i * v.stride[0] + j * v.stride[1];
      if (k < 0 || k >= v.length) inside = false;
    }
    const view = { data: new Float64Array(v.length), shape: [...v.shape], stride: [...v.stride], offset: v.offset };
    if (inside) expect(() => checkView("f", "x", view)).not.toThrow();
    else expect(thrown(() => checkView("f", "x", view))).toBeInstanceOf(ShapeError);
  });

  it("rejects shape [1e9, 2] over 2 numbers before any allocation, through asBatch", () => {
    const e = thrown(() => asBatch("sample", "x0", ndarray(new Float64Array(2), [1e9, 2])));
    expect(e).toBeInstanceOf(ShapeError);
    expect((e as Error).message).toMatch(/^sample\(\): x0 must address only its buffer of 2 numbers/);
  });

  it("rejects non-integer and negative extents, missing strides and data that is not an array", () => {
    expect(thrown(() => checkView("f", "x", { data: new Float64Array(8), shape: [2.5, 2], stride: [2, 1], offset: 0 }))).toBeInstanceOf(ShapeError);
    expect(thrown(() => checkView("f", "x", { data: new Float64Array(8), shape: [-1, 2], stride: [2, 1], offset: 0 }))).toBeInstanceOf(ShapeError);
    expect(thrown(() => checkView("f", "x", { data: new Float64Array(8), shape: [4, 2] }))).toBeInstanceOf(ShapeError);
    expect(thrown(() => checkView("f", "x", { data: "abcdefgh", shape: [4, 2], stride: [2, 1], offset: 0 }))).toBeInstanceOf(ShapeError);
  });
});

describe("count and size checks", () => {
  test.prop([fc.oneof(fc.constantFrom(1.5, Infinity, -Infinity, Number.NaN, 2 ** 53, -1, "3", null), fc.double({ min: 0.01, max: 1e6, noNaN: true }).filter((x) => !Number.isInteger(x)))], { seed: 3 })(
    "checkCount rejects non-integers, infinities, 2^53, negatives and non-numbers with a DomainError", (bad) => {
      expect(thrown(() => checkCount("checkDerivatives", "options.numRuns", bad, 1, 100_000))).toBeInstanceOf(DomainError);
    });

  it("checkCount passes integers in range through, and caps at MAX_ELEMENTS by default", () => {
    expect(checkCount("f", "n", 0)).toBe(0);
    expect(checkCount("f", "n", MAX_ELEMENTS)).toBe(MAX_ELEMENTS);
    expect(thrown(() => checkCount("f", "n", MAX_ELEMENTS + 1))).toBeInstanceOf(DomainError);
  });

  it("checkElements, zeros and normalBatch reject n * d above MAX_ELEMENTS without allocating", () => {
    expect(checkElements("f", "n", 4, 2)).toBe(8);
    expect(thrown(() => checkElements("f", "n", 2 ** 20, 2 ** 9))).toBeInstanceOf(DomainError);
    expect(thrown(() => zeros(2 ** 30, 2))).toBeInstanceOf(DomainError);
    expect(thrown(() => new Random(1).normalBatch(2 ** 40, 1))).toBeInstanceOf(DomainError);
  });

  it("outputArray makes a new array or checks the caller's", () => {
    expect(outputArray("dist", undefined, 3)).toEqual(new Float64Array(3));
    const out = new Float64Array(2);
    expect(outputArray("dist", out, 2)).toBe(out);
    for (const bad of [null, new Float64Array(3), [0, 0], new Float32Array(2)]) expect(thrown(() => outputArray("dist", bad, 2))).toBeInstanceOf(ShapeError);
  });
});

describe("kind checks", () => {
  it("checkOptions: undefined is {}, an object passes, null/numbers/strings/arrays/functions are rejected", () => {
    expect(checkOptions("f", "options", undefined)).toEqual({});
    const o = { a: 1 };
    expect(checkOptions("f", "options", o)).toBe(o);
    for (const bad of [null, 1, "x", [], () => 1]) expect(thrown(() => checkOptions("f", "options", bad as never))).toBeInstanceOf(DomainError);
  });

  it("checkFunction, checkMethods, checkRandom, checkSchedulerKind and checkVelocityField accept the real thing and name what is missing", () => {
    expect(checkFunction("train", "options.onStep", Math.abs)).toBe(Math.abs);
    expect(thrown(() => checkFunction("train", "options.onStep", "x"))).toBeInstanceOf(DomainError);
    const rng = new Random(1);
    expect(checkRandom("sample", "rng", rng)).toBe(rng);
    const e = thrown(() => checkRandom("sample", "rng", { uniform: () => 0.5 })) as DomainError;
    expect(e).toBeInstanceOf(DomainError);
    expect(e.message).toBe("sample(): rng must be a Random (with a method normal), got an object");
    expect(checkSchedulerKind<{ name: string }>("affinePath", "scheduler", condOT()).name).toBe("condOT");
    expect(thrown(() => checkSchedulerKind("affinePath", "scheduler", "condOT"))).toBeInstanceOf(DomainError);
    expect(thrown(() => checkMethods("cfmLoss", "divergence", { value: () => 0 }, ["value", "gradient"], "a BregmanDivergence"))).toBeInstanceOf(DomainError);
    expect(thrown(() => checkVelocityField("hutchinson", "field", { dim: 1.5, evaluate: () => 0 }))).toBeInstanceOf(DomainError);
    expect(checkDraw("moons.sample", 4, 2, rng)).toBe(4);
    expect(thrown(() => checkDraw("moons.sample", 4, 2, null))).toBeInstanceOf(DomainError);
  });

  it("checkFiniteResult names the function and the first overflowed index", () => {
    const e = thrown(() => checkFiniteResult("pairwiseCost", "cost", new Float64Array([1, Infinity]))) as NonFiniteError;
    expect(e).toBeInstanceOf(NonFiniteError);
    expect(e).toBeInstanceOf(FlowMatchingError);
    expect(e.message).toBe("pairwiseCost(): cost must be finite for finite input (overflow; rescale the input), got Infinity at index 1");
  });
});

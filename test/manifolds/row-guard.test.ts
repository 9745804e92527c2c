import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { fromRows } from "../../src/core/batch.js";
import { DomainError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import { Manifold } from "../../src/manifolds/manifold.js";
import { euclidean } from "../../src/manifolds/euclidean.js";
import { product } from "../../src/manifolds/product.js";
import { sphere } from "../../src/manifolds/sphere.js";
import { torus } from "../../src/manifolds/torus.js";

function thrown(run: () => unknown): unknown {
  try { run(); } catch (e) { return e; }
  throw new Error("expected a throw");
}

const manifolds = (): Manifold[] => [euclidean(3), sphere(3), torus(3), product(sphere(2), torus(1))];

describe("row kernels are checked on every instance", () => {
  test.prop([fc.integer({ min: -4, max: 8 }), fc.integer({ min: 0, max: 3 })], { seed: 5 })(
    "an offset whose row is not inside its storage is a DomainError, for every kernel and manifold", (offset, which) => {
      const m = manifolds()[which] as Manifold;
      const d = m.dim;
      const storage = new Float64Array(2 * d).fill(0.5);
      storage[0] = 1; // a valid sphere point at offset 0 of a copy
      const inside = offset >= 0 && offset + d <= storage.length;
      const calls: (() => unknown)[] = [
        () => m.distSquaredRow(storage, offset, storage, 0),
        () => m.expRow(storage, 0, storage, offset, new Float64Array(d), 0),
        () => m.logRow(storage, offset, storage, 0, new Float64Array(d), 0),
        () => m.projuRow(storage, offset, storage, 0, new Float64Array(d), 0),
        () => m.geodesicRow(storage, offset, storage, 0, 0.5, new Float64Array(d), 0, new Float64Array(d), 0),
      ];
      for (const call of calls) {
        if (inside) { try { call(); } catch (e) { expect(e).not.toBeInstanceOf(DomainError); } }
        else expect(thrown(call)).toBeInstanceOf(DomainError);
      }
    });

  it("storage that is not a Float64Array is a ShapeError; a non-finite geodesic parameter is a NonFiniteError", () => {
    const m = sphere(3);
    expect(thrown(() => m.distSquaredRow([1, 0, 0] as unknown as Float64Array, 0, new Float64Array([1, 0, 0]), 0))).toBeInstanceOf(ShapeError);
    const x = new Float64Array([1, 0, 0]), v = new Float64Array([0, 1, 0]);
    expect(thrown(() => m.geodesicRow(x, 0, v, 0, Number.NaN, new Float64Array(3), 0, new Float64Array(3), 0))).toBeInstanceOf(NonFiniteError);
  });

  it("an overflow on finite coordinates is a NonFiniteError: the squared distance of 1e200 from the row kernel, the distance of 1.7e308 from dist", () => {
    const m = euclidean(2);
    const big = new Float64Array([1e200, -1e200]), zero = new Float64Array(2);
    expect(thrown(() => m.distSquaredRow(big, 0, zero, 0))).toBeInstanceOf(NonFiniteError);
    // dist itself is finite at 1e200 (scaled, see manifolds.test.ts) and overflows only past the float64 range
    expect(thrown(() => m.dist(fromRows([[1.7e308, 0]]), fromRows([[-1.7e308, 0]])))).toBeInstanceOf(NonFiniteError);
  });

  it("checked kernels give the same numbers as the raw ones (sphere distance, torus log)", () => {
    const s = sphere(3);
    expect(s.distSquaredRow(new Float64Array([1, 0, 0]), 0, new Float64Array([0, 1, 0]), 0)).toBeCloseTo((Math.PI / 2) ** 2, 14);
    const out = new Float64Array(1);
    torus(1).logRow(new Float64Array([6]), 0, new Float64Array([0.5]), 0, out, 0);
    expect(out[0]).toBeCloseTo(0.5 + 2 * Math.PI - 6, 14);
  });

  it("Manifold itself cannot be constructed (it is abstract)", () => {
    expect(thrown(() => new (Manifold as unknown as new () => Manifold)())).toBeInstanceOf(DomainError);
  });
});

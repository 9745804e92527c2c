import { describe, expect, it } from "vitest";
import { cosineGrid, fromRows, powerGrid, riemannianSample, sphere, torus } from "../../src/index.js";
import type { Batch, VelocityField } from "../../src/index.js";

// a time-dependent, non-tangent field: the solver projects it, so a wrong stage or node shows
const field: VelocityField = {
  dim: 3,
  evaluate: (x, t, out) => {
    const o = out ?? fromRows(Array.from({ length: x.shape[0] as number }, () => [0, 0, 0]));
    const s = t as number;
    for (let i = 0; i < (x.shape[0] as number); i++) {
      const a = x.data[3 * i] as number, b = x.data[3 * i + 1] as number, c = x.data[3 * i + 2] as number;
      o.data[3 * i] = -b + s * c;
      o.data[3 * i + 1] = a + 0.3;
      o.data[3 * i + 2] = Math.sin(3 * s) * a;
    }
    return o;
  },
};

describe("riemannianSample returnIntermediates agrees with sampling to each grid time separately", () => {
  const x0 = fromRows([[1, 0, 0], [0, 0.6, 0.8], [0.48, 0.6, 0.64]]);
  for (const [name, manifold] of [["sphere", sphere(3)], ["torus", torus(3)]] as const) {
    for (const update of ["projection", "expmap"] as const) {
      it(`${name}, rk4, ${update}: trajectory[k] is the solve on grid[0..k], bit for bit`, () => {
        const grid = name === "sphere" ? powerGrid(8, 2) : cosineGrid(8, { t0: 0.2, t1: 0.9 });
        const r = riemannianSample(field, manifold, x0, { grid, update, returnIntermediates: true });
        expect(Array.from(r.times as Float64Array)).toEqual(Array.from(grid));
        expect(r.trajectory).toHaveLength(9);
        expect((r.trajectory as Batch[])[0]?.data).toEqual(manifold.projx(x0).data);
        for (let k = 1; k <= 8; k++) {
          const alone = riemannianSample(field, manifold, x0, { grid: grid.slice(0, k + 1), update });
          expect((r.trajectory as Batch[])[k]?.data).toEqual(alone.x.data);
        }
        expect((r.trajectory as Batch[])[8]?.data).toEqual(r.x.data);
      });
    }
  }
  it("without returnIntermediates there is no trajectory", () => {
    expect(riemannianSample(field, sphere(3), x0, { steps: 3 }).trajectory).toBeUndefined();
  });
});

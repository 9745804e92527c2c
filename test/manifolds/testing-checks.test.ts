import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import type { Batch } from "../../src/core/batch.js";
import type { ProbabilityPath } from "../../src/core/interfaces.js";
import type { Time } from "../../src/core/time.js";
import { Random } from "../../src/random/random.js";
import { condOT, polynomial } from "../../src/schedulers/index.js";
import { checkPathBoundaries, checkGeneratesPath, PropertyCheckError } from "../../src/testing/index.js";
import { geodesicPath, sphere, torus, euclidean, product } from "../../src/manifolds/index.js";

describe("flow-matching/testing checks apply to geodesic paths", () => {
  it("checkPathBoundaries passes for geodesic paths on euclidean, sphere, torus and products, with condOT and polynomial(2)", () => {
    for (const scheduler of [condOT(), polynomial(2)]) {
      for (const m of [euclidean(3), sphere(3), torus(3), product(sphere(2), torus(1))]) {
        expect(() => checkPathBoundaries(geodesicPath(scheduler, m), { dim: 3 })).not.toThrow();
      }
    }
  });

  it("checkGeneratesPath passes for geodesic paths on euclidean and sphere (dx_t moves x_t to x_{t+h} to O(h^2))", () => {
    for (const m of [euclidean(2), sphere(2), sphere(3)]) {
      expect(() => checkGeneratesPath(geodesicPath(polynomial(2), m), { dim: m.dim, numRuns: 5, samples: 64 })).not.toThrow();
    }
  });

  it("checkGeneratesPath catches a wrong velocity (the check can fail)", () => {
    const path = geodesicPath(condOT(), sphere(3));
    const wrong: ProbabilityPath = {
      sample: (x0: Batch, x1: Batch, t: Time) => {
        const s = path.sample(x0, x1, t);
        return { ...s, dxt: ndarray(s.dxt.data.map((v) => 1.1 * v), s.dxt.shape) };
      },
    };
    expect(() => checkGeneratesPath(wrong, { dim: 3, numRuns: 3, samples: 64 })).toThrow(PropertyCheckError);
  });
});

describe("flow-matching/testing checks apply to the mixture discrete path", () => {
  it("checkPathBoundaries passes for mixtureDiscretePath through a token encoding of the batch entries", async () => {
    const { mixtureDiscretePath } = await import("../../src/discrete/index.js");
    for (const scheduler of [condOT(), polynomial(3)]) {
      const discrete = mixtureDiscretePath(scheduler);
      // Entry k of x0 is token k, entry k of x1 is token N + k: the real mixture path chooses
      // per position, and decoding the tokens gives x_t as a batch.
      const adapter: ProbabilityPath = {
        sample: (x0: Batch, x1: Batch, t: Time, rng?: Random) => {
          const [n, d] = x0.shape as [number, number];
          const N = n * d;
          const a = ndarray(Int32Array.from({ length: N }, (_, k) => k), [n, d]);
          const b = ndarray(Int32Array.from({ length: N }, (_, k) => N + k), [n, d]);
          const s = discrete.sample(a, b, t, rng ?? new Random(0));
          const table = Float64Array.from([...x0.data, ...x1.data]);
          const xt = ndarray(Float64Array.from(s.xt.data, (k) => table[k]!), [n, d]);
          return { t: s.t, x0, x1, xt, dxt: ndarray(new Float64Array(N), [n, d]) };
        },
      };
      expect(() => checkPathBoundaries(adapter, { dim: 4 })).not.toThrow();
    }
  });
});

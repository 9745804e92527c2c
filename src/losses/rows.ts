import type { Batch } from "../core/batch.js";
import { asBatch, outputBatch } from "../core/batch.js";
import { DomainError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { BregmanDivergence } from "../core/interfaces.js";
import { checkFiniteResult } from "../core/check.js";

/** Builds a divergence that is a sum of per-coordinate terms. @internal */
export function rowWise(
  name: string, dim: number | null,
  term: (u: number, v: number, j: number) => number,
  grad: (u: number, v: number, j: number) => number,
  positive = false,
): BregmanDivergence {
  const check = (fn: string, ub: Batch, vb: Batch) => {
    if (!positive) return;
    for (const [arg, b] of [["u", ub], ["v", vb]] as const) {
      for (let i = 0; i < b.data.length; i++) if (!((b.data[i] as number) > 0)) throw new DomainError(fn, arg, "have positive entries", `${describeValue(b.data[i])} at index ${i}`);
    }
  };
  return {
    name,
    value(u, v, out) {
      const fn = `${name}.value`;
      const [ub, vb, n, d] = pair(fn, u, v, dim);
      check(fn, ub, vb);
      const res = checkOut(fn, out, n);
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += term(ub.data[r * d + j] as number, vb.data[r * d + j] as number, j);
        res[r] = Math.max(s, 0);
      }
      return checkFiniteResult(fn, "result", res);
    },
    gradient(u, v, out) {
      const fn = `${name}.gradient`;
      const [ub, vb, n, d] = pair(fn, u, v, dim);
      check(fn, ub, vb);
      const res = outputBatch(fn, out, n, d);
      for (let i = 0; i < n * d; i++) res.data[i] = grad(ub.data[i] as number, vb.data[i] as number, i % d);
      checkFiniteResult(fn, "result", res.data);
      return res;
    },
  };
}

/** Validates a (target, prediction) pair of equal shape; errors name them `uName` and `vName`. @internal */
export function pair(fn: string, u: Batch, v: Batch, dim: number | null, uName = "u", vName = "v"): [Batch, Batch, number, number] {
  const ub = asBatch(fn, uName, u, dim === null ? {} : { dim });
  const n = ub.shape[0] as number, d = ub.shape[1] as number;
  const vb = asBatch(fn, vName, v, { dim: d, rows: n });
  return [ub, vb, n, d];
}

/** Checks an optional per-row output. @internal */
export function checkOut(fn: string, out: Float64Array | undefined, n: number): Float64Array {
  if (out === undefined) return new Float64Array(n);
  if (!(out instanceof Float64Array) || out.length !== n) throw new ShapeError(fn, "out", `be a Float64Array of length ${n}`, describeValue(out));
  return out;
}


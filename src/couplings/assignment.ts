import ndarray from "ndarray";
import { asBatch } from "../core/batch.js";
import { checkFiniteResult } from "../core/check.js";
import { ConvergenceError } from "../core/errors.js";
import type { CostMatrix } from "./cost.js";
import { networkSimplex } from "./network-simplex.js";

/**
 * The solution of a linear assignment problem with its dual certificate.
 *
 * @category Couplings
 */
export interface AssignmentResult {
  /** `rowToColumn[i]` is the column assigned to row i, or -1 when row i is unassigned (only when n > m). */
  rowToColumn: Int32Array;
  /** `columnToRow[j]` is the row assigned to column j, or -1 when column j is unassigned (only when m > n). */
  columnToRow: Int32Array;
  /** Total cost `sum_i C[i, rowToColumn[i]]` over assigned rows. */
  cost: number;
  /** Row potentials: `u_i + v_j <= C_ij` for all i, j, with equality on assigned pairs. */
  u: Float64Array;
  /** Column potentials; `v_j <= 0` for unassigned columns (and `u_i <= 0` for unassigned rows). */
  v: Float64Array;
}

/**
 * Exact linear assignment: the one-to-one matching of min(n, m) rows and columns that
 * minimises `sum_i C[i, sigma(i)]`, by the network simplex of {@link emd} on the
 * transportation problem with unit supplies (integer flows, so the plan is exactly a
 * permutation), started from a greedy matching. It is fast on structured minibatches
 * (N(0, I) -> moons, 8 Gaussians -> moons), where shortest-augmenting-path solvers meet long
 * augmenting paths; the final pricing pass runs on exact potentials, so the result is exact.
 *
 * The returned potentials certify optimality by LP duality: `u_i + v_j <= C_ij` everywhere,
 * with equality on the assignment, so `sum u + sum v` equals the cost. For rectangular
 * problems (n < m) one dummy row of zero costs takes the m - n free columns and the potentials are
 * shifted so that unassigned columns have `v_j <= 0` (the dual of "each column used at most
 * once"); n > m is solved on the transpose.
 *
 * @param cost - cost matrix, shape [n, m], finite entries
 * @returns the assignment, its cost and the dual potentials
 * @throws {@link ShapeError} when `cost` is not an [n, m] ndarray; {@link NonFiniteError} for NaN or infinite costs,
 * or a total or potential past the float64 range (costs near 1e308);
 * {@link ConvergenceError} if the simplex ever exceeded its pivot limit (1000 (n + m) + 10^6, far above what is measured)
 * @example
 * ```ts
 * const r = solveAssignment(fromRows([[4, 1, 3], [2, 0, 5], [3, 2, 2]]));
 * r.rowToColumn // => Int32Array [1, 0, 2]
 * r.cost // => 5
 * ```
 * @category Couplings
 */
export function solveAssignment(cost: CostMatrix): AssignmentResult {
  const c = asBatch("solveAssignment", "cost", cost);
  const n = c.shape[0] as number, m = c.shape[1] as number;
  if (n > m) {
    const t = new Float64Array(n * m);
    const src = c.data;
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) t[j * n + i] = src[i * m + j] as number;
    const r = solveAssignment(ndarray(t, [m, n]));
    return { rowToColumn: r.columnToRow, columnToRow: r.rowToColumn, cost: r.cost, u: r.v, v: r.u };
  }
  const rowToColumn = new Int32Array(n);
  const columnToRow = new Int32Array(m).fill(-1);
  const u = new Float64Array(n);
  const v = new Float64Array(m);
  if (n === 0) return { rowToColumn, columnToRow, cost: 0, u, v };
  let C = c.data, rows = n;
  if (n < m) {
    // one dummy row of zero costs supplies the m - n columns left unassigned
    C = new Float64Array((n + 1) * m);
    C.set(c.data);
    rows = n + 1;
  }
  const supplyA = new Float64Array(rows).fill(1), supplyB = new Float64Array(m).fill(1);
  if (n < m) supplyA[n] = m - n;
  // a generous pivot limit (measured: about 30 (n + m) on geometric costs), so a bug or
  // floating-point cycling ends in an error instead of a hang
  const limit = 1000 * (rows + m) + 1000000;
  const r = networkSimplex(C, supplyA, supplyB, rows, m, limit);
  if (!r.converged) {
    throw new ConvergenceError("solveAssignment", "cost", `be solved within ${limit} pivots`, `no certificate after ${r.iterations}`);
  }
  const x = new Int32Array(n).fill(-1);
  for (let k = 0; k < r.rows.length; k++) if ((r.rows[k] as number) < n) x[r.rows[k] as number] = r.columns[k] as number;
  const vs = r.v;
  const data = c.data;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const j = x[i] as number;
    rowToColumn[i] = j;
    columnToRow[j] = i;
    total += data[i * m + j] as number;
  }
  let shift = 0;
  if (n < m) {
    // dummy rows satisfy u_k + v_j <= 0 with equality on their columns, so their columns
    // carry the largest v; shifting by it makes v_j <= 0 and keeps u_i + v_j unchanged.
    shift = -Infinity;
    for (let j = 0; j < m; j++) shift = Math.max(shift, vs[j] as number);
  }
  for (let j = 0; j < m; j++) v[j] = (vs[j] as number) - shift;
  for (let i = 0; i < n; i++) {
    // u_i = min_j (C_ij - v_j) makes dual feasibility hold exactly; on an optimal
    // assignment this minimum is attained at the assigned column
    let best = Infinity;
    const o = i * m;
    for (let j = 0; j < m; j++) {
      const h = (data[o + j] as number) - (v[j] as number);
      if (h < best) best = h;
    }
    u[i] = best;
  }
  // costs near the float64 limit: the total or a potential can overflow although every cost is finite
  checkFiniteResult("solveAssignment", "cost", [total]);
  checkFiniteResult("solveAssignment", "u", u);
  checkFiniteResult("solveAssignment", "v", v);
  return { rowToColumn, columnToRow, cost: total, u, v };
}

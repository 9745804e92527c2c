import ndarray from "ndarray";
import { gatherRows } from "../core/batch.js";
import { checkFunction, checkInteger, checkMethods } from "../core/check.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { Distribution, ProbabilityPath, VelocityField } from "../core/interfaces.js";
import { affinePath } from "../paths/affine.js";
import { condOT } from "../schedulers/builtin.js";
import type { MethodName } from "../solvers/tableau.js";
import { sample } from "../solvers/sample.js";
import type { FitHistory, FitOptions, TrainableField } from "./fit.js";
import { checkDistribution, fit, nextModel, planFit, regressField } from "./fit.js";

/** Options of {@link distill}. @category Few-step generation */
export interface DistillOptions extends FitOptions {
  /** The teacher flow (for example the trained base `Mlp`). */
  teacher: VelocityField;
  /** Fixed-step method the teacher is integrated with in the first round (default "midpoint"); later teachers are students, integrated with Euler. */
  teacherMethod?: MethodName;
  /** Steps N of the first teacher, a power of 2 >= 2: the students have N/2, N/4, ..., 1 Euler steps. */
  teacherSteps: number;
  /** Source distribution p0. */
  source: Distribution;
  /** Target distribution p1 (with the path, it gives points x_t of the flow's marginals). */
  target: Distribution;
  /** Path whose marginals the teacher's flow follows (default `affinePath(condOT())`). */
  path?: ProbabilityPath;
  /** The student with `steps` steps, trained in place (default: a copy of the previous teacher when it is an `Mlp`, as in Salimans & Ho 2022). */
  student?: (steps: number, previous: VelocityField) => TrainableField;
}

/** One student of {@link distill}. @category Few-step generation */
export interface DistillRound {
  /** Number of Euler steps this student is trained for. */
  steps: number;
  /** The student: sample it with `sample(field, x0, { method: "euler", steps })`. */
  field: VelocityField;
  /** Training record. */
  history: FitHistory;
  /** Milliseconds of this round. */
  elapsedMs: number;
}

/**
 * Progressive distillation (Salimans & Ho 2022) of a flow: in each round a student with S
 * Euler steps of length h = 1/S learns to match two steps of length h/2 of its teacher (the
 * first teacher with `teacherMethod`, later ones the previous student with Euler):
 * at a grid time t_i = i h, with x on the path's marginal at t_i, the student regresses
 * (x_teacher(t_i + h) - x) / h. Rounds halve S from N/2 down to 1.
 *
 * @param options - see {@link DistillOptions}
 * @returns the students with N/2, N/4, ..., 1 steps
 * @throws {@link DomainError} or {@link ShapeError} for invalid options (among them a source, target or path without its
 *   methods, a student, learningRate or onStep that is not a function); the errors of `sample` and of training
 * @example
 * ```ts
 * const teacher = mlp({ dim: 2, hidden: [16], seed: 0 });
 * distill({ teacher, teacherSteps: 4, source: standardNormal(2), target: moons(), steps: 3, batchSize: 16, rng: new Random(0) }).map((r) => r.steps) // => [2, 1]
 * ```
 * @category Few-step generation
 */
export function distill(options: DistillOptions): DistillRound[] {
  const fn = "distill";
  const plan = planFit(fn, options);
  const o = options;
  if (!o.teacher || typeof o.teacher.evaluate !== "function") throw new DomainError(fn, "options.teacher", "be a velocity field", describeValue(o.teacher));
  const dim = o.teacher.dim;
  checkDistribution(fn, "options.source", o.source, dim, "the teacher");
  checkDistribution(fn, "options.target", o.target, dim, "the teacher");
  const total = checkInteger(fn, "options.teacherSteps", o.teacherSteps, 2, 2 ** 20);
  if (2 ** Math.round(Math.log2(total)) !== total) throw new DomainError(fn, "options.teacherSteps", "be a power of 2", describeValue(total));
  const path = o.path ?? affinePath(condOT());
  checkMethods(fn, "options.path", path, ["sample"], "a probability path");
  if (o.student !== undefined) checkFunction(fn, "options.student", o.student);
  const rng = plan.rng;
  const rounds: DistillRound[] = [];
  let teacher: VelocityField = o.teacher;
  let method: MethodName = o.teacherMethod ?? "midpoint";
  for (let steps = total / 2; steps >= 1; steps /= 2) {
    const start = performance.now();
    const student = nextModel(fn, "options.student", o.student === undefined ? undefined : (_k, prev) => (o.student as NonNullable<DistillOptions["student"]>)(steps, prev), steps, teacher);
    const h = 1 / steps;
    const current = teacher, currentMethod = method;
    const history = fit(fn, student, plan, () => {
      const n = plan.batchSize;
      const x0 = o.source.sample(n, rng), x1 = o.target.sample(n, rng);
      const cell = new Int32Array(n);
      const t = new Float64Array(n);
      for (let i = 0; i < n; i++) { cell[i] = rng.int(steps); t[i] = (cell[i] as number) * h; }
      const x = path.sample(x0, x1, t, rng).xt;
      const target = new Float64Array(n * dim);
      for (let c = 0; c < steps; c++) {
        const rows: number[] = [];
        for (let i = 0; i < n; i++) if (cell[i] === c) rows.push(i);
        if (rows.length === 0) continue;
        const xs = gatherRows(x, rows);
        const t0 = c * h, t1 = c === steps - 1 ? 1 : (c + 1) * h;
        const end = sample(current, xs, { method: currentMethod, t0, t1, steps: 2 }).y;
        rows.forEach((i, k) => {
          for (let j = 0; j < dim; j++) target[i * dim + j] = ((end.data[k * dim + j] as number) - (xs.data[k * dim + j] as number)) / (t1 - t0);
        });
      }
      return regressField(student, x, t, ndarray(target, [n, dim]));
    });
    rounds.push({ steps, field: student, history, elapsedMs: performance.now() - start });
    teacher = student;
    method = "euler";
  }
  return rounds;
}

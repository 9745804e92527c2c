import type { Batch } from "../core/batch.js";
import { checkCount, checkInteger, checkInRange, checkMethods, checkNonNegative, checkOptions, checkPositive, checkSchedulerKind } from "../core/check.js";
import { DomainError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import type { PathSample, ProbabilityPath, Scheduler, SchedulerValues } from "../core/interfaces.js";
import { PropertyCheckError } from "./property-check-error.js";
import type { RunOptions } from "./run-property.js";

/** Most random cases one check runs: beyond it a check would run for minutes. */
export const MAX_RUNS = 100_000;

/** The options object of a check, with its `seed` and `numRuns` checked. */
export function checkRunOptions<T extends RunOptions>(fn: string, options: T | undefined): T {
  const o = checkOptions<T>(fn, "options", options);
  if (o.seed !== undefined) checkInteger(fn, "options.seed", o.seed, -(2 ** 31), 2 ** 31 - 1);
  if (o.numRuns !== undefined) checkCount(fn, "options.numRuns", o.numRuns, 1, MAX_RUNS);
  return o;
}

/** An optional non-negative finite option, or its default. */
export function tolerance(fn: string, argument: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : checkNonNegative(fn, argument, value);
}

/** An optional positive finite option, or its default. */
export function positive(fn: string, argument: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : checkPositive(fn, argument, value);
}

/** An optional margin in [0, max], or its default. */
export function margin(fn: string, argument: string, value: unknown, fallback: number, max: number): number {
  return value === undefined ? fallback : checkInRange(fn, argument, value, 0, max);
}

/** An optional count in [min, max], or its default. */
export function count(fn: string, argument: string, value: unknown, fallback: number, min: number, max: number): number {
  return value === undefined ? fallback : checkCount(fn, argument, value, min, max);
}

/** A scheduler argument: `at(t)`, and `snrInverse`/`kappaInverse` functions where present. */
export function schedulerArgument(fn: string, scheduler: unknown): Scheduler {
  const s = checkSchedulerKind<Scheduler>(fn, "scheduler", scheduler);
  for (const key of ["snrInverse", "kappaInverse"] as const) {
    if (s[key] !== undefined && typeof s[key] !== "function") throw new DomainError(fn, `scheduler.${key}`, "be a function or undefined", describeValue(s[key]));
  }
  return s;
}

/** A path argument: an object with `sample`, and the given conversion methods. */
export function pathArgument<T extends ProbabilityPath>(fn: string, path: unknown, methods: readonly string[] = []): T {
  return checkMethods<T>(fn, "path", path, ["sample", ...methods], methods.length > 0 ? "an affine path" : "a ProbabilityPath");
}

/** scheduler.at(t), or a PropertyCheckError when the scheduler does not return its four values as numbers. */
export function valuesOf(scheduler: Scheduler, subject: string, t: number): SchedulerValues {
  const v = scheduler.at(t) as Partial<SchedulerValues> | null | undefined;
  if (v === null || typeof v !== "object" || (["alpha", "sigma", "dAlpha", "dSigma"] as const).some((k) => typeof v[k] !== "number")) {
    throw new PropertyCheckError("at(t) returns numbers alpha, sigma, dAlpha, dSigma", subject, `at(${t}) returned ${describeValue(v)}`, t);
  }
  return v as SchedulerValues;
}

/** path.sample(...), or a PropertyCheckError when it does not return batches xt and dxt of the input's shape. */
export function sampleOf(path: ProbabilityPath, subject: string, x0: Batch, x1: Batch, t: number, rng?: Parameters<ProbabilityPath["sample"]>[3]): PathSample {
  const s = path.sample(x0, x1, t, rng) as Partial<PathSample> | null | undefined;
  const ok = (b: unknown): boolean => {
    const nd = b as Batch | null | undefined;
    return nd !== null && typeof nd === "object" && nd.data instanceof Float64Array && nd.data.length === x0.data.length;
  };
  if (s === null || typeof s !== "object" || !ok(s.xt) || !ok(s.dxt)) {
    throw new PropertyCheckError("sample() returns batches xt and dxt shaped like x0", subject, `sample at t = ${t} returned ${describeValue(s)}`, t);
  }
  return s as PathSample;
}

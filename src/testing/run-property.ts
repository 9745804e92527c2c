import fc from "fast-check";
import { PropertyCheckError } from "./property-check-error.js";

/** Options shared by the randomised checks. @category Testing */
export interface RunOptions {
  /** fast-check seed (default 42), so a failure replays. */
  seed?: number;
  /** Number of random cases (default 100, an integer in [1, 100000]). */
  numRuns?: number;
}

/**
 * Runs `predicate` over `arbitrary` with fast-check and throws a {@link PropertyCheckError}
 * naming `condition` on the first (shrunk) failure. `predicate` returns undefined when the
 * property holds, or the counterexample in words.
 * @internal
 */
export function runProperty<T>(condition: string, subject: string, arbitrary: fc.Arbitrary<T>, predicate: (value: T) => string | undefined, options: RunOptions = {}): void {
  const seed = options.seed ?? 42;
  const numRuns = options.numRuns ?? 100;
  const details = fc.check(
    fc.property(arbitrary, (value) => {
      const failure = predicate(value);
      if (failure !== undefined) throw new Failure(failure);
    }),
    { seed, numRuns },
  );
  if (details.failed) {
    const error = details.errorInstance;
    const text = error instanceof Failure ? error.message : `threw ${error instanceof Error ? error.message : String(error)}`;
    const example = details.counterexample?.[0];
    throw new PropertyCheckError(condition, subject, `${text} (fast-check seed ${seed}, path "${details.counterexamplePath ?? ""}")`, example);
  }
}

class Failure extends Error {}

/** Formats a number for a message with enough digits to see small differences. @internal */
export function show(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(10);
}

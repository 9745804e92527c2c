/**
 * Benchmark harness. Each `bench/<group>.bench.ts` default-exports an array built with
 * `defineBenchmarks`; `npm run bench [filter]` runs them (warm-up, then timed repeats),
 * prints a table of medians and writes JSON under bench/results/.
 *
 * Comparisons with another stack run in the same process run: when the environment
 * variable FM_ANCHOR names a command (for example
 * `FM_ANCHOR="$(bench/setup-python.sh) bench/reference.py"`), a benchmark
 * with an `anchor` runs `$FM_ANCHOR <workload> <args...>`, reads the JSON line it prints,
 * and the table shows the anchor's figure and the ratio ours / theirs.
 */
export interface Benchmark<S = unknown> {
  /** Unique name, for example `assignment n=512`. */
  name: string;
  /** Prepares inputs (not timed). Its result is passed to `run`. */
  setup?: () => S | Promise<S>;
  /** The timed work. */
  run: (state: S) => unknown | Promise<unknown>;
  /** Timed repetitions (default 7); the median is reported. */
  repeats?: number;
  /** Untimed warm-up runs (default 2). */
  warmup?: number;
  /** Calls of `run` per timed sample, for very short workloads (default 1); times are per call. */
  inner?: number;
  /** Extra figures to report (evaluations, errors, GFLOP/s ...), computed once after timing. */
  metrics?: (state: S, medianMs: number) => Record<string, number | string> | Promise<Record<string, number | string>>;
  /** The same workload in another stack, run through $FM_ANCHOR. */
  anchor?: {
    /** Workload name understood by the anchor script. */
    workload: string;
    /** Extra command-line arguments. */
    args?: string[];
    /** Extracts the anchor's comparable figure (milliseconds per call of `run`) from its JSON. */
    ms: (json: Record<string, unknown>) => number;
    /** A label for the anchor figure, for example "scipy linear_sum_assignment". */
    label: string;
  };
}

/** Identity helper that keeps each benchmark's state type. */
export function defineBenchmarks(list: Benchmark<any>[]): Benchmark<any>[] {
  return list;
}

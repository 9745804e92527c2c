import { poolThreads, threadProbe, workerRangesSoFar } from "./threads.js";

/** What the CPU engine can use here: see {@link engineInfo}. */
export interface EngineInfo {
  /** Threads a large call uses by default (the calling thread included): the cores, at most 8, or 1 without worker threads. */
  threads: number;
  /** What runs the worker threads: Node `worker_threads`, browser Web Workers, or none (the calling thread alone). */
  workers: "node" | "web" | null;
  /** A sentence for people, e.g. `"threads: 1 (main thread of a page: Atomics.wait not allowed, ...)"`. */
  reason: string;
  /** Row ranges that worker threads finished in this realm so far (all engines together): above 0 once workers really ran. */
  workerRanges: number;
}

/**
 * Whether the CPU engine (the threaded `Mlp` passes, `marginalVelocity`, float32 training) can
 * split large calls over worker threads in this runtime, and why not where it cannot.
 *
 * Threads need blocking waits (`Atomics.wait`) on the calling thread and shared memory: Node
 * 20.16+ has both (`worker_threads`); a browser has both only inside a dedicated Worker of a
 * cross-origin-isolated page (served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`), where the engine starts nested Web Workers
 * from Blob URLs. Elsewhere (a page's main thread, a page that is not isolated) every call runs
 * on the calling thread. Results are the same bits either way.
 *
 * @returns the default thread count, the kind of workers, a readable reason and how many row
 *   ranges workers have run so far
 * @example
 * ```ts
 * import { engineInfo } from "flow-matching";
 * // in Node 20.16+ on a 2-core machine:
 * console.log(engineInfo().reason); // prints: threads: 2 (Node worker_threads)
 * // on the main thread of a page that is not cross-origin isolated, the reason starts with:
 * // "threads: 1 (main thread of a page: Atomics.wait not allowed, ..."
 * ```
 */
export function engineInfo(): EngineInfo {
  const { support, reason } = threadProbe();
  const threads = poolThreads(undefined, support);
  return { threads, workers: support?.kind ?? null, reason: `threads: ${threads} (${reason})`, workerRanges: workerRangesSoFar() };
}

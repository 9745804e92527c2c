import { DomainError } from "../core/errors.js";

/** The part of worker_threads' Worker used here (internal). */
interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: "error", listener: (error: unknown) => void): void;
}
type WorkerCtor = new (source: string, options: { eval: true; workerData: unknown; name?: string; execArgv?: string[] }) => NodeWorker;

/** What this runtime offers for blocking worker threads (internal). */
export interface ThreadSupport {
  Worker: WorkerCtor;
  /** `os.availableParallelism()` (or the CPU count); `navigator.hardwareConcurrency` in a browser. */
  cores: number;
  /** Node worker_threads, or Web Workers started from Blob URLs inside a dedicated Worker. */
  kind?: "node" | "web";
}

/** Why this runtime has (or lacks) blocking worker threads, found once per realm (internal). */
export interface ThreadProbe {
  support: ThreadSupport | null;
  /** What runs the threads, or every reason why the engine keeps to the calling thread. */
  reason: string;
}

let probed: ThreadProbe | null = null;

/**
 * worker_threads and the core count where synchronous row splitting works: Node with
 * `process.getBuiltinModule` (20.16+), `SharedArrayBuffer` and `Atomics.wait` on the calling
 * thread; or, in a browser, a dedicated Worker of a cross-origin-isolated page (there
 * `Atomics.wait` is allowed, `SharedArrayBuffer` exists and nested Web Workers can be started).
 * Null elsewhere (the main thread of a page forbids `Atomics.wait`; a page that is not
 * cross-origin isolated has no `SharedArrayBuffer`), where the engine runs on the calling thread
 * alone; {@link threadProbe} says why (internal).
 */
export function threadSupport(): ThreadSupport | null {
  return threadProbe().support;
}

/** {@link threadSupport} with the reason, probed once (internal). */
export function threadProbe(): ThreadProbe {
  probed ??= probe();
  return probed;
}

function probe(): ThreadProbe {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; versions?: { node?: string } } }).process;
  const get = proc?.getBuiltinModule;
  if (typeof get === "function") {
    if (typeof SharedArrayBuffer !== "function" || typeof Atomics.wait !== "function") return { support: null, reason: "Node without SharedArrayBuffer or Atomics.wait" };
    try {
      const wt = get("node:worker_threads") as { Worker: WorkerCtor } | undefined;
      const os = get("node:os") as { availableParallelism?: () => number; cpus(): unknown[] } | undefined;
      if (wt === undefined || os === undefined) return { support: null, reason: "no node:worker_threads module" };
      const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
      return { support: { Worker: wt.Worker, cores: Math.max(1, cores), kind: "node" }, reason: "Node worker_threads" };
    } catch {
      return { support: null, reason: "node:worker_threads failed to load" };
    }
  }
  if (proc?.versions?.node !== undefined) return { support: null, reason: "Node before 20.16 (no process.getBuiltinModule)" };
  return probeWeb();
}

/** The browser side of {@link threadProbe}: every unmet condition is named. */
function probeWeb(): ThreadProbe {
  const g = globalThis as { WorkerGlobalScope?: unknown; DedicatedWorkerGlobalScope?: abstract new () => unknown; crossOriginIsolated?: boolean; Worker?: unknown; navigator?: { hardwareConcurrency?: number } };
  const missing: string[] = [];
  const inWorker = typeof g.DedicatedWorkerGlobalScope === "function" && globalThis instanceof g.DedicatedWorkerGlobalScope;
  if (!inWorker) missing.push(g.WorkerGlobalScope === undefined && typeof g.Worker === "function" ? "main thread of a page: Atomics.wait not allowed, run the engine in a dedicated Worker" : "not a dedicated Worker: Atomics.wait not allowed");
  if (g.crossOriginIsolated !== true) missing.push("not cross-origin isolated: serve the page with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp");
  if (typeof SharedArrayBuffer !== "function") missing.push("no SharedArrayBuffer");
  else if (inWorker) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    } catch {
      missing.push("Atomics.wait not allowed here");
    }
  }
  if (typeof g.Worker !== "function") missing.push("no Worker constructor here (nested workers unsupported)");
  if (missing.length > 0) return { support: null, reason: missing.join("; ") };
  const cores = Math.max(1, Math.floor(g.navigator?.hardwareConcurrency ?? 1));
  return { support: { Worker: WebWorker as unknown as WorkerCtor, cores, kind: "web" }, reason: "Web Workers in a cross-origin-isolated dedicated Worker" };
}

/**
 * A Web Worker behind the part of worker_threads' Worker that the pool uses (internal): the
 * source runs from a Blob URL and waits for `workerData` as its first message.
 */
class WebWorker implements NodeWorker {
  private readonly worker: Worker;
  private readonly url: string;

  constructor(source: string, options: { workerData: unknown; name?: string }) {
    this.url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    this.worker = new Worker(this.url, options.name === undefined ? {} : { name: options.name });
    this.worker.postMessage(options.workerData);
  }

  unref(): void {}

  terminate(): Promise<number> {
    this.worker.terminate();
    URL.revokeObjectURL(this.url);
    return Promise.resolve(0);
  }

  on(_event: "error", listener: (error: unknown) => void): void {
    this.worker.addEventListener("error", (event) => {
      event.preventDefault();
      listener(event);
    });
  }
}

/** Largest default number of threads. */
const MAX_DEFAULT_THREADS = 8;

/**
 * The threads a pool would use (internal): `poolSize` when given, else the cores (at most 8);
 * 1 where blocking worker threads are unavailable (a page's main thread, a page that is not
 * cross-origin isolated, Node before 20.16).
 */
export function poolThreads(poolSize: number | undefined, support: ThreadSupport | null = threadSupport()): number {
  if (support === null) return 1;
  return poolSize ?? Math.min(support.cores, MAX_DEFAULT_THREADS);
}

// Control words (Int32Array over a SharedArrayBuffer): job generation, finished count, stop flag,
// then per worker [first row, row count, state (0 booting, 1 ready, -1 failed), progress, last
// generation finished, directions P (0: values only), rows m of the tile, tag]. The caller writes
// a worker's job words between tag = -1 and tag = the job's generation; a worker takes a job only
// when the tag is newer than its last and unchanged across its reads, so it never acts on a
// half-written job, whenever it wakes.
const GEN = 0;
const DONE = 1;
const STOP = 2;
/** First per-worker word (internal; tests write a worker's state at SLOT + SLOT_WORDS * index + 2). */
export const SLOT = 4;
/** Words per worker (internal). */
export const SLOT_WORDS = 8;
const TAG = 7;

/**
 * A row kernel as the pool runs it (internal): `source` is JavaScript defining
 * `function setup(data)` (the worker's state from `data`; throws on failure) and
 * `function runRange(state, first, count, P, tile)`; `local` runs a range on the calling thread.
 * Sources must be self-contained: they run in a fresh worker, from text.
 */
export interface RowKernel {
  source: string;
  /** Posted to every worker as `data`: plain values, SharedArrayBuffers, WebAssembly modules. */
  data: Record<string, unknown>;
  /** Rows per progress step of a worker. */
  blockRows: number;
  local(first: number, count: number, P: number, tile: number): void;
  /** Worker name prefix. */
  name: string;
}

/**
 * Source of a worker: the kernel's `setup`, then the kernel's `runRange` on the ranges it is
 * given, job after job. In Node it reads workerData through `process.getBuiltinModule`, so it
 * runs whether the worker evaluates it as a script or as a module; a Web Worker gets workerData
 * as its first message.
 */
function workerSource(kernel: RowKernel, kind: "node" | "web"): string {
  // __name: esbuild's keepNames helper (tsx, vitest), which function sources may call when built in development
  // a Web Worker gets workerData as its first message; main() then blocks its event loop until the pool stops it
  const start = kind === "node"
    ? `main(process.getBuiltinModule("node:worker_threads").workerData);`
    : `self.onmessage = (event) => { self.onmessage = null; main(event.data); };`;
  return `"use strict";
const __name = (target) => target;
${kernel.source}
function main({ data, control, index, blockRows }) {
const ctl = new Int32Array(control);
const slot = ${SLOT} + ${SLOT_WORDS} * index;
let state;
try {
  state = setup(data);
  Atomics.store(ctl, slot + 2, 1);
} catch (error) {
  Atomics.store(ctl, slot + 2, -1);
}
Atomics.add(ctl, ${DONE}, 1);
Atomics.notify(ctl, ${DONE});
let seen = 0;
while (Atomics.load(ctl, slot + 2) === 1) {
  Atomics.wait(ctl, ${GEN}, seen);
  if (Atomics.load(ctl, ${STOP}) !== 0) break;
  const tag = Atomics.load(ctl, slot + ${TAG});
  if (tag <= seen) continue;
  const first = Atomics.load(ctl, slot);
  const rows = Atomics.load(ctl, slot + 1);
  const P = Atomics.load(ctl, slot + 5);
  const tile = Atomics.load(ctl, slot + 6);
  if (Atomics.load(ctl, slot + ${TAG}) !== tag) continue;
  seen = tag;
  for (let s = 0; s < rows; s += blockRows) {
    runRange(state, first + s, Math.min(blockRows, rows - s), P, tile);
    Atomics.add(ctl, slot + 3, 1);
  }
  Atomics.store(ctl, slot + 4, seen);
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
}
${start}
`;
}

/** Stops the workers of a pool that was garbage-collected without `dispose()`. */
const orphans = typeof FinalizationRegistry === "function"
  ? new FinalizationRegistry<{ ctl: Int32Array; workers: NodeWorker[] }>(({ ctl, workers }) => stopWorkers(ctl, workers))
  : null;

/** Sets the stop flag, wakes the workers and terminates them. */
function stopWorkers(ctl: Int32Array, workers: NodeWorker[]): void {
  Atomics.store(ctl, STOP, 1);
  Atomics.add(ctl, GEN, 1);
  Atomics.notify(ctl, GEN);
  for (const w of workers) void w.terminate();
  workers.length = 0;
}

/** Ranges finished by worker threads in this realm, all pools together (internal; see {@link workerRangesSoFar}). */
let workerRangesRun = 0;

/** Ranges that worker threads finished in this realm so far (internal). */
export function workerRangesSoFar(): number {
  return workerRangesRun;
}

/** Milliseconds without progress after which a worker counts as stalled. */
const STALL_MS = 10000;

/**
 * A pool of worker threads that run a {@link RowKernel} on row ranges of shared buffers, the
 * calling thread taking the first range and blocking (`Atomics.wait`) until the workers are
 * done (internal). Workers are `unref`ed: they never keep a process alive.
 */
export class RowPool {
  private readonly ctl: Int32Array;
  private readonly workers: NodeWorker[] = [];
  /** Calls so far, ranges finished by workers, ranges the calling thread took over from failed workers. */
  readonly stats = { calls: 0, workerRanges: 0, takenOver: 0 };
  private readonly stallMs: number;
  private generation = 0;
  private closed = false;
  /** Web Workers boot only while the creating thread's event loop runs: calls skip the ones still booting. */
  private readonly skipBooting: boolean;

  /**
   * @param kernel - the row kernel
   * @param workers - number of worker threads (the calling thread makes one more)
   * @param support - worker_threads
   * @param hooks - for tests: the stall limit in ms (default 10 000), a replacement worker source
   */
  constructor(private readonly kernel: RowKernel, workers: number, support: ThreadSupport, hooks: { stallMs?: number; source?: string } = {}) {
    this.stallMs = hooks.stallMs ?? STALL_MS;
    this.skipBooting = support.kind === "web";
    this.ctl = new Int32Array(new SharedArrayBuffer(4 * (SLOT + SLOT_WORDS * workers)));
    const source = hooks.source ?? workerSource(kernel, support.kind ?? "node");
    for (let index = 0; index < workers; index++) {
      const workerData = { data: kernel.data, control: this.ctl.buffer, index, blockRows: kernel.blockRows };
      // execArgv: [] so that flags such as --input-type or loaders of the parent do not apply to the eval'd source
      const worker = new support.Worker(source, { eval: true, workerData, name: `${kernel.name} ${index + 1}`, execArgv: [] });
      // a worker that dies is marked failed (seen when the event loop next runs); its ranges go to the calling thread
      // (the listener holds the control words only, not the pool, so an abandoned pool can be collected)
      const ctl = this.ctl;
      worker.on("error", () => {
        Atomics.store(ctl, SLOT + SLOT_WORDS * index + 2, -1);
        Atomics.notify(ctl, DONE);
      });
      worker.unref();
      this.workers.push(worker);
    }
    orphans?.register(this, { ctl: this.ctl, workers: this.workers }, this);
  }

  /** Threads that share a call: the calling thread and the workers. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Runs rows [0, rows) of a tile (`P` and `tile`, by default `rows`, are passed to the kernel), split into `parts` near-equal
   * ranges (at most {@link RowPool.threads}); the calling thread runs the first. A worker that
   * failed to start has its range run by the calling thread; one that makes no progress for
   * 10 s stops the call with a `DomainError` (never a hang). Web Workers still booting get no
   * range (fewer, larger ranges: the same bits, since a row's result never depends on its range).
   */
  run(fn: string, rows: number, parts: number, P = 0, tile = rows): void {
    if (this.closed) throw new DomainError(fn, "this", "not be disposed", "a disposed thread pool");
    const ctl = this.ctl;
    // the workers that take ranges, in range order; Web Workers still booting are left out (a nested Web
    // Worker starts only when its creator's event loop runs, never while the creator blocks in Atomics.wait)
    const takers: number[] = [];
    for (let w = 0; w < this.workers.length; w++) {
      if (!this.skipBooting || Atomics.load(ctl, SLOT + SLOT_WORDS * w + 2) !== 0) takers.push(w);
    }
    const p = Math.max(1, Math.min(parts, takers.length + 1));
    const bounds = Array.from({ length: p + 1 }, (_, i) => Math.round((i * rows) / p));
    takers.length = p - 1;
    const range = new Map(takers.map((w, k) => [w, k + 1]));
    const generation = this.generation + 1;
    for (let w = 0; w < this.workers.length; w++) {
      const slot = SLOT + SLOT_WORDS * w;
      const k = range.get(w);
      Atomics.store(ctl, slot + TAG, -1);
      Atomics.store(ctl, slot, k !== undefined ? (bounds[k] as number) : 0);
      Atomics.store(ctl, slot + 1, k !== undefined ? (bounds[k + 1] as number) - (bounds[k] as number) : 0);
      Atomics.store(ctl, slot + 5, P);
      Atomics.store(ctl, slot + 6, tile);
      Atomics.store(ctl, slot + TAG, generation);
    }
    this.generation = generation;
    this.stats.calls++;
    Atomics.store(ctl, GEN, this.generation);
    Atomics.notify(ctl, GEN);
    this.kernel.local(0, bounds[1] as number, P, tile);
    this.await(fn, bounds, range, tile, P);
  }

  /** Waits until the workers given ranges (`range`: worker to range index) finished this generation, taking over the ranges of failed ones. */
  private await(fn: string, bounds: number[], range: Map<number, number>, m: number, P: number): void {
    const ctl = this.ctl;
    const pending = new Set<number>(range.keys());
    const used = pending.size;
    let lastProgress = -1;
    let since = performance.now();
    while (pending.size > 0) {
      const signal = Atomics.load(ctl, DONE);
      let progress = 0;
      for (const w of [...pending]) {
        const slot = SLOT + SLOT_WORDS * w;
        const state = Atomics.load(ctl, slot + 2);
        if (Atomics.load(ctl, slot + 4) === this.generation) {
          pending.delete(w);
          this.stats.workerRanges++;
          workerRangesRun++;
        } else if (state === -1) {
          pending.delete(w);
          this.stats.takenOver++;
          const k = range.get(w) as number;
          const first = bounds[k] as number;
          this.kernel.local(first, (bounds[k + 1] as number) - first, P, m);
        } else progress += state + Atomics.load(ctl, slot + 3);
      }
      if (pending.size === 0) return;
      if (progress + signal !== lastProgress) {
        lastProgress = progress + signal;
        since = performance.now();
      } else if (performance.now() - since > this.stallMs) {
        this.dispose();
        throw new DomainError(fn, "worker threads", `finish their rows (no progress for ${this.stallMs / 1000} s)`, `${pending.size} stalled of ${used}`);
      }
      Atomics.wait(ctl, DONE, signal, 250);
    }
  }

  /** Stops and terminates the workers. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    orphans?.unregister(this);
    stopWorkers(this.ctl, this.workers);
  }
}

/**
 * The failures of an engine's worker threads (internal): recorded when a call's threads fail;
 * the owner reports them once ({@link ThreadFailure.take}) in its own report type.
 */
export class ThreadFailure {
  private message: string | null = null;
  private taken = false;

  /** Runs a tile on the pool; on a failure (an exception, a range taken over) records it and returns false: the caller then recomputes the tile on its own thread and drops the pool. */
  run(pool: RowPool, fn: string, rows: number, parts: number, P: number, tile = rows): boolean {
    const before = pool.stats.takenOver;
    try {
      pool.run(fn, rows, parts, P, tile);
    } catch (error) {
      this.message ??= error instanceof Error ? error.message : String(error);
      return false;
    }
    if (pool.stats.takenOver === before) return true;
    this.message ??= "a worker failed to start or died; the calling thread ran its rows";
    return false;
  }

  /** The failure's message the first time it is asked for after a failure, else null (each failure is reported once). */
  take(): string | null {
    if (this.message === null || this.taken) return null;
    this.taken = true;
    return this.message;
  }
}

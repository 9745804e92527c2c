/**
 * How the CPU engine runs a call (internal; the public options that map onto it are each
 * caller's own: `poolSize` of the GPU fields, `threads` of the core functions).
 */
export interface EngineOptions {
  /** Threads of a call, the calling thread included (default: the cores, at most 8; 1 where blocking worker threads are unavailable). */
  threads?: number | undefined;
  /** Rows per tile of the engine's shared buffers (default 16384). */
  tileRows?: number | undefined;
}

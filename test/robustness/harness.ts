// Child process of robustness.test.ts: enumerates every export of every package entry, calls
// each (and each method of what a valid call returns) with valid and malformed arguments, and
// writes one JSON line per event to stdout with a synchronous write, so the parent's watchdog
// knows which call was running when it had to kill a hang. Run: node --import tsx harness.ts START AVOID_JSON
import { readdirSync, readFileSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { FlowMatchingError } from "../../src/core/errors.js";
import { loadEntries } from "./entries.js";
import { activeClasses, anyBad, type Bad } from "./malformed.js";
import { parameterNames } from "./params.js";
import { documentedMutation, documentedNonFinite, outputPositions, skipMethods, templates, validByName, type Context } from "./values.js";

const start = Number(process.argv[2] ?? 0);
const avoid = new Set<number>(JSON.parse(process.argv[3] ?? "[]") as number[]);
const seed = Number(process.env.ROBUSTNESS_SEED ?? 20);
/** Malformed values per argument position (exports) and per method argument. */
const perPosition = Number(process.env.ROBUSTNESS_PER_POSITION ?? 12);
const perMethodPosition = Number(process.env.ROBUSTNESS_PER_METHOD_POSITION ?? 6);
const perOption = 3;
const ASYNC_LIMIT_MS = 2000;
/** Self-test of the watchdog: stop after this many calls, and spin forever in call number HANG_AT. */
const limit = Number(process.env.ROBUSTNESS_LIMIT ?? Infinity);
const hangAt = Number(process.env.ROBUSTNESS_HANG_AT ?? -1);

/** Writes one event line to stdout synchronously (retrying while the pipe is full), so it is out before the call runs. */
function emit(event: Record<string, unknown>): void {
  let bytes = Buffer.from(`${JSON.stringify(event)}\n`);
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(1, bytes));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
    }
  }
}

let index = 0;
let rng = 0;
/** Deterministic draws of malformed values: a fresh fast-check sample per call site. */
function draw(count: number): Bad[] {
  return fc.sample(anyBad, { seed: seed * 7919 + rng++, numRuns: count });
}

interface CallSpec {
  /** What is called, for messages: "entry:name" or "entry:name#method". */
  label: string;
  /** Name used for documented exceptions (the export or the method name). */
  name: string;
  /** Builds the arguments and makes the call; returns the result. */
  run: () => { args: unknown[]; call: () => unknown };
  /** Whether every input is finite. */
  finite: boolean;
  /** Class of bad input, or "valid". */
  kind: string;
  /** Parameter names (to spare `out` from the mutation check). */
  params: string[];
}

async function execute(spec: CallSpec): Promise<unknown> {
  const i = index++;
  if (i >= limit) throw new Stop();
  if (avoid.has(i)) return undefined;
  if (i < start) {
    // replaying up to a restart point: valid calls still run (silently) so that the methods of
    // their results, and so the numbering of the calls after them, are the same as in the first run
    if (spec.kind !== "valid") return undefined;
    try { const result = spec.run().call(); return result instanceof Promise ? await result.catch(() => undefined) : result; } catch { return undefined; }
  }
  emit({ t: "s", i, label: spec.label, kind: spec.kind });
  let args: unknown[] = [];
  let result: unknown;
  let built: { args: unknown[]; call: () => unknown };
  try {
    built = spec.run();
  } catch {
    // the malformed argument could not be put in place (a getter-only field): nothing was called
    emit({ t: "e", i });
    return undefined;
  }
  try {
    args = built.args;
    const destinations = outputPositions[spec.name] ?? [];
    const before = args.map((a, k) => (OUTPUTS.has(spec.params[k] ?? "") || destinations.includes(k) ? undefined : snapshot(a, 0)));
    if (i === hangAt) for (;;) { /* a deliberate hang, for the watchdog's self-test */ }
    result = built.call();
    if (result !== null && typeof result === "object" && typeof (result as Promise<unknown>).then === "function") {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(TIMED_OUT), ASYNC_LIMIT_MS); });
      result = await Promise.race([result, timeout]);
      clearTimeout(timer);
      if (result === TIMED_OUT) { fail(spec, "did not settle within 2 s"); return undefined; }
    }
    if (!documentedMutation.has(spec.name)) {
      args.forEach((a, k) => {
        if (before[k] !== undefined && !same(before[k], snapshot(a, 0))) fail(spec, `mutated argument ${k} (${spec.params[k] ?? "?"})`);
      });
    }
    if (spec.finite && !documentedNonFinite.has(spec.name)) {
      const where = nonFinite(result, "result", 0);
      if (where !== undefined) fail(spec, `returned a non-finite number at ${where} from finite input`);
    }
    return result;
  } catch (e) {
    if (spec.kind === "valid") emit({ t: "v", label: spec.label, reason: e instanceof Error ? e.message.slice(0, 160) : String(e) });
    if (!(e instanceof FlowMatchingError) && !(e instanceof Error && e.message === "user bug")) {
      fail(spec, `threw ${e instanceof Error ? `${e.constructor.name}: ${e.message.slice(0, 160)}` : String(e)}`);
    }
    return undefined;
  } finally {
    emit({ t: "e", i });
    disposeAll(result);
  }
}

const TIMED_OUT = Symbol("timed out");
/** Parameters that receive results by contract (destinations), spared from the mutation check. */
const OUTPUTS = new Set(["out", "point", "velocity", "target"]);
/** Methods declared `private` or `protected` in src/: TypeScript hides them, they are not public API. */
const hidden = privateMethodNames();

function privateMethodNames(): Set<string> {
  const names = new Set<string>();
  const root = resolve(import.meta.dirname, "../../src");
  for (const file of readdirSync(root, { recursive: true }) as string[]) {
    if (!file.endsWith(".ts")) continue;
    for (const m of readFileSync(join(root, file), "utf8").matchAll(/\b(?:private|protected)\s+(?:readonly\s+|static\s+|async\s+)*([A-Za-z_$][\w$]*)\s*[(<=:]/g)) names.add(m[1] as string);
  }
  return names;
}

function fail(spec: CallSpec, reason: string): void {
  emit({ t: "f", label: spec.label, kind: spec.kind, reason });
}

function disposeAll(value: unknown): void {
  if (value !== null && typeof value === "object" && typeof (value as { dispose?: unknown }).dispose === "function") {
    try { (value as { dispose: () => void }).dispose(); } catch { /* disposing twice is allowed to throw */ }
  }
}

/** A deep copy of the data reachable from `value` (typed arrays, arrays, ndarrays, plain objects). */
function snapshot(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== "object" || depth > 4) return value;
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) {
    // a huge (sparse) array is compared by its length and first entries, so the snapshot stays cheap
    const head = Array.from({ length: Math.min(value.length, 10_000) }, (_, k) => snapshot(value[k], depth + 1));
    return value.length > 10_000 ? { length: value.length, head } : head;
  }
  const proto = Object.getPrototypeOf(value);
  const o = value as Record<string, unknown>;
  if ("data" in o && "shape" in o) return { data: snapshot(o.data, depth + 1), shape: snapshot(o.shape, depth + 1), stride: snapshot(o.stride, depth + 1), offset: o.offset };
  if (proto !== Object.prototype && proto !== null) return undefined; // class instances keep their own state
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = snapshot(o[k], depth + 1);
  return out;
}

function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, k) => same(v, b[k]));
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Path of the first non-finite float in `value` (numbers, float arrays, ndarrays, arrays, objects). */
function nonFinite(value: unknown, path: string, depth: number): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `${path} = ${value}`;
  if (value === null || typeof value !== "object" || depth > 3 || value instanceof fc.Arbitrary) return undefined;
  if (value instanceof Float64Array || value instanceof Float32Array) {
    const n = Math.min(value.length, 1e6);
    for (let k = 0; k < n; k++) if (!Number.isFinite(value[k] as number)) return `${path}[${k}] = ${value[k]}`;
    return undefined;
  }
  if (ArrayBuffer.isView(value)) return undefined;
  if (Array.isArray(value)) {
    for (let k = 0; k < Math.min(value.length, 1000); k++) { const w = nonFinite(value[k], `${path}[${k}]`, depth + 1); if (w !== undefined) return w; }
    return undefined;
  }
  for (const k of Object.keys(value)) {
    if (documentedNonFinite.has(k)) continue;
    const w = nonFinite((value as Record<string, unknown>)[k], `${path}.${k}`, depth + 1);
    if (w !== undefined) return w;
  }
  return undefined;
}

/** Valid arguments for a function with these parameter names. */
function validArgs(key: string, params: string[], ctx: Context): unknown[] {
  const method = key.includes(".") ? key.slice(key.indexOf(".")) : undefined;
  const template = templates[key] ?? (method === undefined ? undefined : templates[method]);
  if (template !== undefined) return template(ctx);
  return params.map((p) => validByName(p, ctx)?.value);
}

/** Calls of one function: valid, one malformed argument per position, one malformed option field, all malformed. */
async function exercise(label: string, name: string, params: string[], valid: () => unknown[], invoke: (args: unknown[]) => unknown, per: number): Promise<unknown> {
  const first = await execute({ label, name, params, kind: "valid", finite: true, run: () => { const args = valid(); return { args, call: () => invoke(args) }; } });
  const positions = Math.max(valid().length, params.length, 1);
  for (let p = 0; p < positions; p++) {
    for (const b of draw(per)) {
      await execute({ label, name, params, kind: b.kind, finite: b.finite, run: () => { const args = valid(); args[p] = b.make(); return { args, call: () => invoke(args) }; } });
    }
    const template = valid()[p];
    if (template !== null && typeof template === "object" && Object.getPrototypeOf(template) === Object.prototype) {
      for (const key of Object.keys(template)) {
        for (const b of draw(perOption)) {
          await execute({ label: `${label} options.${key}`, name, params, kind: b.kind, finite: b.finite, run: () => {
            // a copy, so that a shared object (an exported divergence, say) is never changed
            const args = valid(); args[p] = { ...(args[p] as Record<string, unknown>), [key]: b.make() }; return { args, call: () => invoke(args) };
          } });
        }
      }
    }
  }
  for (const b of draw(2)) {
    await execute({ label: `${label} (all malformed)`, name, params, kind: b.kind, finite: b.finite, run: () => {
      const args = Array.from({ length: positions }, () => b.make()); return { args, call: () => invoke(args) };
    } });
  }
  return first;
}

function methodsOf(value: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = value; o !== null && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    for (const k of Object.getOwnPropertyNames(o)) {
      if (skipMethods.has(k) || hidden.has(k) || k.startsWith("_") || k.startsWith("#")) continue;
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (d !== undefined && typeof d.value === "function") names.add(k);
    }
  }
  return [...names].sort();
}

async function main(): Promise<void> {
  const entries = await loadEntries();
  const perEntry: Record<string, number> = {};
  for (const [subpath, mod] of entries) {
    const before = index;
    for (const name of Object.keys(mod).sort()) {
      const value = (mod as Record<string, unknown>)[name];
      if (typeof value !== "function") continue;
      const f = value as (...a: unknown[]) => unknown;
      const isClass = /^class\b/.test(Function.prototype.toString.call(f));
      const params = parameterNames(f);
      const ctx: Context = { dim: 2 };
      const valid = (): unknown[] => validArgs(name, params, ctx);
      const invoke = (args: unknown[]): unknown => (isClass ? new (f as unknown as new (...a: unknown[]) => unknown)(...args) : f(...args));
      const label = `${subpath}:${name}`;
      const first = await exercise(label, name, params, valid, invoke, perPosition);
      // methods of what a valid call returns, each called on a fresh object
      // methods of our own objects only: not of arrays, ndarrays or fast-check's arbitraries
      if (first === null || (typeof first !== "object" && typeof first !== "function") || ArrayBuffer.isView(first) || Array.isArray(first) || "data" in (first as object) || first instanceof fc.Arbitrary) continue;
      const fresh = (): Record<string, unknown> => {
        try { return invoke(valid()) as Record<string, unknown>; } catch { return first as Record<string, unknown>; }
      };
      const dim = typeof (first as { dim?: unknown }).dim === "number" ? (first as { dim: number }).dim : 2;
      const targets: [string, (o: Record<string, unknown>) => (...a: unknown[]) => unknown][] =
        typeof first === "function" ? [["()", (o) => o as unknown as (...a: unknown[]) => unknown]] : [];
      if (typeof first === "object") for (const m of methodsOf(first)) targets.push([m, (o) => (o[m] as (...a: unknown[]) => unknown).bind(o)]);
      for (const [m, get] of targets) {
        const method = get(first as Record<string, unknown>);
        const mParams = parameterNames(method === first ? (first as (...a: unknown[]) => unknown) : ((first as Record<string, unknown>)[m] as (...a: unknown[]) => unknown));
        const mValid = (): unknown[] => validArgs(`${name}.${m}`, mParams, { dim });
        await exercise(`${label}#${m}`, m, mParams, mValid, (args) => get(fresh())(...args), perMethodPosition);
      }
      disposeAll(first);
    }
    perEntry[subpath] = index - before;
  }
  emit({ t: "done", calls: index, perEntry, classes: activeClasses });
  process.exit(0);
}

/** Thrown to end a run at ROBUSTNESS_LIMIT calls. */
class Stop extends Error {}

main().catch((e: unknown) => {
  if (e instanceof Stop) {
    emit({ t: "done", calls: index - 1, perEntry: {}, classes: activeClasses });
    process.exit(0);
  }
  emit({ t: "crash", reason: String(e instanceof Error ? e.stack : e) });
  process.exit(1);
});

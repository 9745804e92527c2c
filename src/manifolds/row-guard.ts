import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";

/** Where a row kernel reads and writes: pairs of (storage, offset) argument positions. */
interface RowSignature {
  /** (storage, offset) positions of the rows read. */
  inputs: readonly (readonly [number, number])[];
  /** (storage, offset) positions of the rows written. */
  outputs: readonly (readonly [number, number])[];
  /** Positions of scalar arguments that must be finite. */
  scalars: readonly number[];
  /** Whether the kernel returns a number that must be finite. */
  returns: boolean;
}

const SIGNATURES: Record<string, RowSignature> = {
  expRow: { inputs: [[0, 1], [2, 3]], outputs: [[4, 5]], scalars: [], returns: false },
  logRow: { inputs: [[0, 1], [2, 3]], outputs: [[4, 5]], scalars: [], returns: false },
  projxRow: { inputs: [[0, 1]], outputs: [[2, 3]], scalars: [], returns: false },
  projuRow: { inputs: [[0, 1], [2, 3]], outputs: [[4, 5]], scalars: [], returns: false },
  geodesicRow: { inputs: [[0, 1], [2, 3]], outputs: [[5, 6], [7, 8]], scalars: [4], returns: false },
  distSquaredRow: { inputs: [[0, 1], [2, 3]], outputs: [], scalars: [], returns: true },
};

const NAMES = ["x", "xo", "u", "uo", "out", "oo", "s", "po", "wo"] as const;

/**
 * Replaces the row kernels of a manifold instance (`expRow`, `logRow`, `projxRow`, `projuRow`,
 * `geodesicRow`, `distSquaredRow`) with checked versions: every storage is a Float64Array,
 * every offset an integer with the row `[offset, offset + dim)` inside its storage, scalars
 * and the rows read finite, and the rows written (or the number returned) finite, so an
 * overflow on large-but-finite coordinates is a {@link NonFiniteError} naming the kernel,
 * never a silent Infinity or NaN. The checks are O(dim) per row, next to the kernel's own
 * O(dim) work.
 */
export function guardRowKernels(manifold: object): void {
  const m = manifold as Record<string, unknown> & { dim: number; name: string };
  const raw: Record<string, (...a: unknown[]) => unknown> = {};
  RAW.set(manifold, raw);
  for (const [kernel, sig] of Object.entries(SIGNATURES)) {
    const f = m[kernel];
    if (typeof f !== "function") continue;
    const kernelFn = f as (...a: unknown[]) => unknown;
    raw[kernel] = kernelFn;
    const fn = `Manifold.${kernel}`;
    const rows = [...sig.inputs, ...sig.outputs];
    Object.defineProperty(m, kernel, {
      configurable: true,
      writable: true,
      enumerable: false,
      value: function checkedRow(...args: unknown[]): unknown {
        const dim = m.dim;
        for (let r = 0; r < rows.length; r++) checkRow(fn, args, (rows[r] as readonly [number, number])[0], (rows[r] as readonly [number, number])[1], dim);
        for (let k = 0; k < sig.scalars.length; k++) {
          const v = args[sig.scalars[k] as number];
          if (typeof v !== "number" || !Number.isFinite(v)) throw new NonFiniteError(fn, "s", "be a finite number", describeValue(v));
        }
        for (let r = 0; r < sig.inputs.length; r++) checkFiniteRow(fn, args, (sig.inputs[r] as readonly [number, number])[0], (sig.inputs[r] as readonly [number, number])[1], dim, "be finite");
        const result = kernelFn.apply(m, args);
        for (let r = 0; r < sig.outputs.length; r++) checkFiniteRow(fn, args, (sig.outputs[r] as readonly [number, number])[0], (sig.outputs[r] as readonly [number, number])[1], dim, OVERFLOW);
        if (sig.returns && (typeof result !== "number" || !Number.isFinite(result))) throw new NonFiniteError(fn, "result", OVERFLOW, describeValue(result));
        return result;
      },
    });
  }
}

const OVERFLOW = "be finite for finite input (overflow; rescale the input)";

/** The unchecked kernels of each guarded instance, for the batched methods (which check whole batches). */
const RAW = new WeakMap<object, Record<string, (...a: unknown[]) => unknown>>();

/**
 * The unchecked row kernel `name` of a guarded manifold: for callers that have validated whole
 * batches already and check their output once (the batched methods of {@link Manifold}).
 */
export function rawKernel<F extends (...a: never[]) => unknown>(manifold: object, name: string): F {
  return (RAW.get(manifold)?.[name] ?? (manifold as Record<string, unknown>)[name]) as F;
}

function checkRow(fn: string, args: unknown[], s: number, o: number, dim: number): void {
  const storage = args[s];
  const offset = args[o];
  const name = NAMES[s] ?? `argument ${s}`;
  if (!(storage instanceof Float64Array)) throw new ShapeError(fn, name, "be a Float64Array", describeValue(storage));
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0 || offset + dim > storage.length) {
    throw new DomainError(fn, NAMES[o] ?? `argument ${o}`, `be an integer in [0, ${storage.length - dim}] (a row of ${dim} inside storage of length ${storage.length})`, describeValue(offset));
  }
}

function checkFiniteRow(fn: string, args: unknown[], s: number, o: number, dim: number, expected: string): void {
  const storage = args[s] as Float64Array;
  const offset = args[o] as number;
  for (let j = offset; j < offset + dim; j++) {
    if (!Number.isFinite(storage[j] as number)) throw new NonFiniteError(fn, NAMES[s] ?? `argument ${s}`, expected, `${describeValue(storage[j])} at index ${j}`);
  }
}

/**
 * The error of a manifold operation (a row kernel such as `logmap` or `Manifold.logRow`, or a
 * batched method such as `projx`) re-issued as the caller's: same class and expectation, named
 * `fn`, with the argument renamed by `names` (or `fallback`). Errors that already name `fn`, and
 * anything that is not a ShapeError, DomainError or NonFiniteError, are returned unchanged.
 */
export function callerError(error: unknown, fn: string, names: Readonly<Record<string, string>>, fallback: string): unknown {
  if (!(error instanceof ShapeError || error instanceof DomainError || error instanceof NonFiniteError) || error.fn === fn) return error;
  const prefix = `${error.fn}(): ${error.argument} must `;
  const cut = error.message.indexOf(", got ", prefix.length);
  if (!error.message.startsWith(prefix) || cut < 0) return error;
  const expected = error.message.slice(prefix.length, cut), got = error.message.slice(cut + ", got ".length);
  const argument = Object.hasOwn(names, error.argument) ? (names[error.argument] as string) : fallback;
  if (error instanceof ShapeError) return new ShapeError(fn, argument, expected, got);
  if (error instanceof DomainError) return new DomainError(fn, argument, expected, got);
  return new NonFiniteError(fn, argument, expected, got);
}

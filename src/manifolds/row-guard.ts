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
  for (const [kernel, sig] of Object.entries(SIGNATURES)) {
    const raw = m[kernel];
    if (typeof raw !== "function") continue;
    const fn = `Manifold.${kernel}`;
    Object.defineProperty(m, kernel, {
      configurable: true,
      writable: true,
      enumerable: false,
      value: function checkedRow(this: unknown, ...args: unknown[]): unknown {
        const dim = m.dim;
        for (const [s, o] of [...sig.inputs, ...sig.outputs]) checkRow(fn, args, s, o, dim);
        for (const k of sig.scalars) {
          if (typeof args[k] !== "number" || !Number.isFinite(args[k])) throw new NonFiniteError(fn, "s", "be a finite number", describeValue(args[k]));
        }
        for (const [s, o] of sig.inputs) checkFiniteRow(fn, args, s, o, dim, "be finite");
        const result = (raw as (...a: unknown[]) => unknown).apply(m, args);
        for (const [s, o] of sig.outputs) checkFiniteRow(fn, args, s, o, dim, "be finite for finite input (overflow; rescale the input)");
        if (sig.returns && (typeof result !== "number" || !Number.isFinite(result))) {
          throw new NonFiniteError(fn, "result", "be finite for finite input (overflow; rescale the input)", describeValue(result));
        }
        return result;
      },
    });
  }
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

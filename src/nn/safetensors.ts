import { DomainError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";

/**
 * Element types of the safetensors format. All are recognised (their sizes are checked);
 * {@link SafetensorsFile.tensor} decodes the floating-point ones, F64, F32, F16 and BF16, all
 * exactly into float64.
 *
 * @category Neural networks
 */
export type SafetensorsDtype =
  | "F64" | "F32" | "F16" | "BF16" | "F8_E4M3" | "F8_E5M2"
  | "I64" | "I32" | "I16" | "I8" | "U64" | "U32" | "U16" | "U8" | "BOOL";

/**
 * One tensor entry of a safetensors header: element type, shape and byte range
 * `[begin, end)` relative to the start of the data section.
 *
 * @category Neural networks
 */
export interface SafetensorsEntry {
  /** Element type. */
  dtype: SafetensorsDtype;
  /** Shape (row-major; [] for a scalar). */
  shape: number[];
  /** Byte range in the data section. */
  dataOffsets: [number, number];
}

/**
 * A parsed safetensors file: its validated header, and the tensors decoded on demand.
 *
 * @category Neural networks
 */
export interface SafetensorsFile {
  /** The string-to-string `__metadata__` map ({} when absent). */
  metadata: Record<string, string>;
  /** The tensor entries by name, in header order. */
  entries: Map<string, SafetensorsEntry>;
  /**
   * A tensor's values as float64 (exact for F64, F32, F16 and BF16), row-major.
   *
   * @throws {@link DomainError} for an unknown name or a dtype that is not floating point
   */
  tensor(name: string): Float64Array;
}

/**
 * A tensor to write: its element type (`F64` keeps float64 exactly; `F32` rounds to nearest),
 * shape and row-major values.
 *
 * @category Neural networks
 */
export interface SafetensorsTensor {
  /** Element type written. */
  dtype: "F64" | "F32";
  /** Shape; the product of its entries is `data.length`. */
  shape: readonly number[];
  /** Values, row-major. */
  data: ArrayLike<number>;
}

const SIZES: Record<SafetensorsDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, F8_E4M3: 1, F8_E5M2: 1,
  I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
};
/** The header size limit of the reference implementation (huggingface/safetensors, `MAX_HEADER_SIZE`). */
const MAX_HEADER = 100_000_000;

/**
 * Parses a safetensors file (huggingface/safetensors): 8 bytes of little-endian u64 header
 * length N, N bytes of a UTF-8 JSON header `{ name: { dtype, shape, data_offsets }, ...,
 * "__metadata__"?: { string: string } }`, then the raw little-endian tensor bytes. Everything
 * is validated before any tensor is read: the header length against the file, the JSON,
 * each dtype, each shape, that every byte range holds exactly prod(shape) elements, and that
 * the ranges tile the data section exactly (no overlap, no gap, nothing past the end), so no
 * read can leave the buffer. The bytes are not copied; decoding reads through a DataView.
 *
 * @param bytes - the whole file
 * @returns the header and a decoder
 * @throws {@link DomainError} for a file that is not safetensors (too short, malformed JSON, a
 *   header length past the end, unknown dtypes, bad offsets); {@link ShapeError} when a byte
 *   range does not match its shape and dtype or the ranges overlap or leave gaps
 * @example
 * ```ts
 * const file = readSafetensors(writeSafetensors({ w: { dtype: "F32", shape: [2], data: [1, 0.5] } }));
 * file.tensor("w") // => Float64Array [1, 0.5]
 * ```
 * @category Neural networks
 */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const fn = "readSafetensors";
  if (!(bytes instanceof Uint8Array)) throw new DomainError(fn, "bytes", "be a Uint8Array", describeValue(bytes));
  if (bytes.length < 8) throw new DomainError(fn, "bytes", "be a safetensors file (at least 8 bytes)", `${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength < 2n || headerLength > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) {
    throw new DomainError(fn, "bytes", `have a header length in [2, ${Math.min(MAX_HEADER, bytes.length - 8)}] (the file has ${bytes.length} bytes)`, String(headerLength));
  }
  const n = Number(headerLength);
  let text: string;
  try { text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)); } catch {
    throw new DomainError(fn, "bytes", "have a UTF-8 header", "invalid UTF-8");
  }
  if (!text.startsWith("{")) throw new DomainError(fn, "bytes", "have a JSON object header", describeValue(text.slice(0, 20)));
  let header: unknown;
  try { header = JSON.parse(text); } catch (e) {
    throw new DomainError(fn, "header", "be valid JSON", (e as Error).message.slice(0, 80));
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) throw new DomainError(fn, "header", "be a JSON object", describeValue(header));
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  const entries = new Map<string, SafetensorsEntry>();
  for (const name of Object.keys(header)) {
    const value = (header as Record<string, unknown>)[name];
    if (name === "__metadata__") { readMetadata(fn, value, metadata); continue; }
    entries.set(name, readEntry(fn, name, value, dataLength));
  }
  checkTiling(fn, entries, dataLength);
  const tensor = (name: string): Float64Array => {
    const entry = typeof name === "string" ? entries.get(name) : undefined;
    if (entry === undefined) throw new DomainError("SafetensorsFile.tensor", "name", "name a tensor of the file", describeValue(name));
    return decode("SafetensorsFile.tensor", name, entry, new DataView(bytes.buffer, bytes.byteOffset + dataStart, dataLength));
  };
  return { metadata: { ...metadata }, entries, tensor };
}

/**
 * Writes tensors (and an optional string metadata map) as a safetensors file: header padded
 * with spaces to a multiple of 8 bytes, tensors in name order, little-endian. Reading it back
 * with {@link readSafetensors} gives the same values (F64 bit for bit; F32 rounded to nearest).
 *
 * @param tensors - name to tensor (names must not be `__metadata__`; any other string, `__proto__`
 *   included, is written as it is and read back by {@link readSafetensors})
 * @param metadata - optional string-to-string map stored as `__metadata__`
 * @returns the file's bytes
 * @throws {@link ShapeError} when a shape does not match its data; {@link DomainError} for a bad name,
 *   dtype, metadata (not an object of strings) or a data entry that is not a number
 * @example
 * ```ts
 * writeSafetensors({ b: { dtype: "F64", shape: [1], data: [2] } }).length // => 72 (8 + a 56-byte header + 8)
 * ```
 * @category Neural networks
 */
export function writeSafetensors(tensors: Record<string, SafetensorsTensor>, metadata?: Record<string, string>): Uint8Array {
  const fn = "writeSafetensors";
  if (tensors === null || typeof tensors !== "object") throw new DomainError(fn, "tensors", "be an object of tensors", describeValue(tensors));
  const names = Object.keys(tensors).sort();
  // no prototype: a tensor or metadata key "__proto__" is then an own entry, written like any other
  const header = Object.create(null) as Record<string, unknown>;
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) throw new DomainError(fn, "metadata", "be an object of strings", describeValue(metadata));
    const meta = Object.create(null) as Record<string, string>;
    for (const key of Object.keys(metadata)) {
      const v = metadata[key];
      if (typeof v !== "string") throw new DomainError(fn, `metadata.${key}`, "be a string", describeValue(v));
      meta[key] = v;
    }
    header.__metadata__ = meta;
  }
  let offset = 0;
  for (const name of names) {
    if (name === "__metadata__") throw new DomainError(fn, "tensors", "not use the reserved name __metadata__", describeValue(name));
    const t = tensors[name] as SafetensorsTensor;
    const arg = `tensors[${JSON.stringify(name)}]`;
    if (t === null || typeof t !== "object") throw new DomainError(fn, arg, "be { dtype, shape, data }", describeValue(t));
    if (t.dtype !== "F64" && t.dtype !== "F32") throw new DomainError(fn, `${arg}.dtype`, 'be "F64" or "F32"', describeValue(t.dtype));
    if (!Array.isArray(t.shape) || !t.shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
      throw new ShapeError(fn, `${arg}.shape`, "be an array of non-negative integers", describeValue(t.shape));
    }
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data === null || typeof t.data !== "object" || t.data.length !== count) {
      throw new ShapeError(fn, `${arg}.data`, `have ${count} entries (shape [${t.shape.join(", ")}])`, describeValue(t.data?.length));
    }
    for (let i = 0; i < count; i++) {
      // a string or undefined would be written as NaN; NaN and Infinity themselves are valid values
      if (typeof t.data[i] !== "number") throw new DomainError(fn, `${arg}.data[${i}]`, "be a number", describeValue(t.data[i]));
    }
    const size = count * SIZES[t.dtype];
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const name of names) {
    const t = tensors[name] as SafetensorsTensor;
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i] as number;
      if (t.dtype === "F64") { view.setFloat64(at, v, true); at += 8; } else { view.setFloat32(at, v, true); at += 4; }
    }
  }
  return out;
}

function readMetadata(fn: string, value: unknown, into: Record<string, string>): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new DomainError(fn, "header.__metadata__", "be an object of strings", describeValue(value));
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v !== "string") throw new DomainError(fn, `header.__metadata__.${key}`, "be a string", describeValue(v));
    into[key] = v;
  }
}

function readEntry(fn: string, name: string, value: unknown, dataLength: number): SafetensorsEntry {
  const arg = `header[${JSON.stringify(name)}]`;
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new DomainError(fn, arg, "be { dtype, shape, data_offsets }", describeValue(value));
  const record = value as Record<string, unknown>;
  const own = (key: string): unknown => (Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined);
  const dtype = own("dtype");
  if (typeof dtype !== "string" || !Object.prototype.hasOwnProperty.call(SIZES, dtype)) {
    throw new DomainError(fn, `${arg}.dtype`, `be one of ${Object.keys(SIZES).join(", ")}`, describeValue(dtype));
  }
  const shape = own("shape");
  if (!Array.isArray(shape) || shape.length > 64 || !shape.every((s) => typeof s === "number" && Number.isSafeInteger(s) && s >= 0)) {
    throw new ShapeError(fn, `${arg}.shape`, "be an array of at most 64 non-negative integers", describeValue(shape));
  }
  const offsets = own("data_offsets");
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => typeof o === "number" && Number.isSafeInteger(o) && o >= 0)) {
    throw new DomainError(fn, `${arg}.data_offsets`, "be [begin, end] with non-negative integers", describeValue(offsets));
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    throw new DomainError(fn, `${arg}.data_offsets`, `satisfy begin <= end <= ${dataLength} (the data section's length)`, describeValue(offsets));
  }
  const size = SIZES[dtype as SafetensorsDtype];
  let bytesNeeded = BigInt(size);
  for (const s of shape as number[]) bytesNeeded *= BigInt(s);
  if (bytesNeeded !== BigInt(end - begin)) {
    throw new ShapeError(fn, `${arg}.data_offsets`, `span ${bytesNeeded} bytes (shape [${(shape as number[]).join(", ")}] of ${dtype})`, `${end - begin} bytes`);
  }
  return { dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], dataOffsets: [begin, end] };
}

/** The byte ranges, sorted, must cover [0, dataLength) exactly once (the reference implementation's rule). */
function checkTiling(fn: string, entries: Map<string, SafetensorsEntry>, dataLength: number): void {
  const sorted = [...entries].sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1]);
  let at = 0;
  for (const [name, entry] of sorted) {
    const [begin, end] = entry.dataOffsets;
    if (begin !== at) {
      const what = begin < at ? "overlaps the previous tensor" : `leaves a gap of ${begin - at} bytes`;
      throw new ShapeError(fn, `header[${JSON.stringify(name)}].data_offsets`, `begin at byte ${at} (tensors tile the data section)`, `${begin} (${what})`);
    }
    at = end;
  }
  if (at !== dataLength) throw new ShapeError(fn, "bytes", `end where the tensors end (data section of ${at} bytes)`, `${dataLength - at} trailing bytes`);
}

function decode(fn: string, name: string, entry: SafetensorsEntry, view: DataView): Float64Array {
  const [begin, end] = entry.dataOffsets;
  const size = SIZES[entry.dtype];
  const count = (end - begin) / size;
  const out = new Float64Array(count);
  switch (entry.dtype) {
    case "F64": for (let i = 0; i < count; i++) out[i] = view.getFloat64(begin + 8 * i, true); break;
    case "F32": for (let i = 0; i < count; i++) out[i] = view.getFloat32(begin + 4 * i, true); break;
    case "F16": for (let i = 0; i < count; i++) out[i] = half(view.getUint16(begin + 2 * i, true)); break;
    case "BF16": for (let i = 0; i < count; i++) out[i] = bfloat(view.getUint16(begin + 2 * i, true)); break;
    default: throw new DomainError(fn, `${JSON.stringify(name)}.dtype`, "be F64, F32, F16 or BF16 (floating point)", entry.dtype);
  }
  return out;
}

/** IEEE 754 binary16 to float64 (exact). */
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 (the top half of a float32) to float64 (exact). */
function bfloat(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits << 16, false);
  return view.getFloat32(0, false);
}

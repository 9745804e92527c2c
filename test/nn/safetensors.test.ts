import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readSafetensors, writeSafetensors } from "../../src/nn/safetensors.js";
import { DomainError, FlowMatchingError, ShapeError } from "../../src/core/errors.js";

/** A file from a header object and raw data bytes, laid out by hand (not by our writer). */
function handMade(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function errorOf(f: () => unknown): FlowMatchingError {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(FlowMatchingError); return e as FlowMatchingError; }
  throw new Error("expected a throw");
}

describe("writeSafetensors / readSafetensors", () => {
  it("F64 round trip is bit-exact, -0, subnormals and extremes included; F32 rounds to nearest", () => {
    const values = [0, -0, 1, -1.5, Math.PI, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1 / 3, -1e-300];
    const bytes = writeSafetensors({
      a: { dtype: "F64", shape: [2, 5], data: values },
      b: { dtype: "F32", shape: [10], data: values.map((v) => (Math.abs(v) > 3e38 ? 1 : v)) },
      s: { dtype: "F64", shape: [], data: [42] },
      e: { dtype: "F32", shape: [0, 3], data: [] },
    }, { note: "hello" });
    const file = readSafetensors(bytes);
    const a = file.tensor("a");
    for (let i = 0; i < values.length; i++) expect(Object.is(a[i], values[i])).toBe(true);
    const b = file.tensor("b");
    values.forEach((v, i) => expect(Object.is(b[i], Math.fround(Math.abs(v) > 3e38 ? 1 : v))).toBe(true));
    expect(Array.from(file.tensor("s"))).toEqual([42]);
    expect(file.tensor("e").length).toBe(0);
    expect(file.entries.get("a")).toEqual({ dtype: "F64", shape: [2, 5], dataOffsets: expect.any(Array) });
    expect(file.metadata).toEqual({ note: "hello" });
    // the header is padded to a multiple of 8 bytes (as the reference writer does), so F64 data is aligned
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
  });

  it("decodes F16 and BF16 exactly, from a hand-made file with an unaligned data section", () => {
    const halves = [0x3c00, 0xc000, 0x0001, 0x7bff, 0x8000, 0x3555]; // 1, -2, 2^-24, 65504, -0, 0.333251953125
    const bf = [0x3f80, 0x4049, 0xc2f7]; // 1, 3.140625, -123.5
    const data = new Uint8Array(2 * (halves.length + bf.length));
    const view = new DataView(data.buffer);
    halves.forEach((h, i) => view.setUint16(2 * i, h, true));
    bf.forEach((h, i) => view.setUint16(2 * (halves.length + i), h, true));
    const header = { h: { dtype: "F16", shape: [6], data_offsets: [0, 12] }, g: { dtype: "BF16", shape: [3], data_offsets: [12, 18] } };
    const file = readSafetensors(handMade(header, data, `${JSON.stringify(header)} `)); // odd header length
    const h = Array.from(file.tensor("h"));
    expect(h.slice(0, 4)).toEqual([1, -2, 2 ** -24, 65504]);
    expect(Object.is(h[4], -0)).toBe(true);
    expect(h[5]).toBe(1365 / 4096);
    expect(Array.from(file.tensor("g"))).toEqual([1, 3.140625, -123.5]);
  });

  it("reads a file written by Python's safetensors.torch.save_file (committed fixture)", async () => {
    const { readFileSync } = await import("node:fs");
    const bytes = new Uint8Array(readFileSync(new URL("../onnx/fixtures/mlp-f32.safetensors", import.meta.url)));
    const file = readSafetensors(bytes);
    expect(file.entries.get("net.0.weight")?.shape).toEqual([64, 3]);
    expect(file.entries.get("net.6.bias")).toMatchObject({ dtype: "F32", shape: [2] });
    expect(file.metadata.source).toMatch(/onnx-reference.py/);
  });

  it("rejects what is not safetensors and headers that lie, with typed errors naming the problem", () => {
    const good = { w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
    const eight = new Uint8Array(8);
    expect(errorOf(() => readSafetensors(new Uint8Array(5)))).toBeInstanceOf(DomainError);
    expect(errorOf(() => readSafetensors("abc" as never)).message).toMatch(/bytes must be a Uint8Array/);
    expect(errorOf(() => readSafetensors(new TextEncoder().encode("PK\u0003\u0004 this is a zip file"))).message).toMatch(/header length/);
    const huge = handMade(good, eight);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
    expect(errorOf(() => readSafetensors(huge)).message).toMatch(/header length .* got 9223372036854775808/);
    const past = handMade(good, eight);
    new DataView(past.buffer).setBigUint64(0, BigInt(past.length), true);
    expect(errorOf(() => readSafetensors(past)).message).toMatch(/header length/);
    expect(errorOf(() => readSafetensors(handMade(null, eight, "[1, 2]"))).message).toMatch(/JSON object header/);
    expect(errorOf(() => readSafetensors(handMade(null, eight, "{\"w\": "))).message).toMatch(/header must be valid JSON/);
    expect(errorOf(() => readSafetensors(handMade(null, eight, "{\"\u00ff\":1}").map((b, i) => (i === 10 ? 0xff : b)))).message).toMatch(/UTF-8|JSON/);
    const lie = (w: unknown, data = eight) => errorOf(() => readSafetensors(handMade({ w }, data)));
    expect(lie({ dtype: "F128", shape: [2], data_offsets: [0, 8] }).message).toMatch(/dtype must be one of F64, F32/);
    expect(lie({ dtype: "F32", shape: [-2], data_offsets: [0, 8] })).toBeInstanceOf(ShapeError);
    expect(lie({ dtype: "F32", shape: [2.5], data_offsets: [0, 8] })).toBeInstanceOf(ShapeError);
    expect(lie({ dtype: "F32", shape: [3], data_offsets: [0, 8] }).message).toMatch(/span 12 bytes .* got 8 bytes/);
    expect(lie({ dtype: "F32", shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] }).message).toMatch(/span 4835703278458516698824704 bytes/);
    expect(lie({ dtype: "F32", shape: [4], data_offsets: [0, 16] }).message).toMatch(/begin <= end <= 8/);
    expect(lie({ dtype: "F32", shape: [2], data_offsets: [8, 0] }).message).toMatch(/begin <= end/);
    expect(lie({ dtype: "F32", shape: [2], data_offsets: [0] }).message).toMatch(/data_offsets must be \[begin, end\]/);
    expect(lie({ dtype: "F32", shape: [2], data_offsets: [0, 8] }, new Uint8Array(12)).message).toMatch(/4 trailing bytes/);
    expect(lie([1]).message).toMatch(/be \{ dtype, shape, data_offsets \}/);
    const two = (a: [number, number], b: [number, number]) =>
      errorOf(() => readSafetensors(handMade({ a: { dtype: "F32", shape: [1], data_offsets: a }, b: { dtype: "F32", shape: [1], data_offsets: b } }, eight)));
    expect(two([0, 4], [0, 4]).message).toMatch(/overlaps the previous tensor/);
    expect(readSafetensors(handMade({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, eight)).entries.size).toBe(2);
    const gap = errorOf(() => readSafetensors(handMade({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, eight)));
    expect(gap.message).toMatch(/gap of 4 bytes/);
    expect(errorOf(() => readSafetensors(handMade({ __metadata__: { k: 1 }, ...good }, eight))).message).toMatch(/__metadata__.k must be a string/);
    const ints = readSafetensors(handMade({ i: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, eight));
    expect(errorOf(() => ints.tensor("i")).message).toMatch(/must be F64, F32, F16 or BF16 \(floating point\), got I64/);
    expect(errorOf(() => ints.tensor("nope")).message).toMatch(/name must name a tensor/);
  });

  it("writer rejects mismatched shapes, bad dtypes and the reserved name", () => {
    expect(errorOf(() => writeSafetensors({ w: { dtype: "F32", shape: [3], data: [1, 2] } }))).toBeInstanceOf(ShapeError);
    expect(errorOf(() => writeSafetensors({ w: { dtype: "I8" as never, shape: [1], data: [1] } })).message).toMatch(/dtype must be "F64" or "F32"/);
    expect(errorOf(() => writeSafetensors({ __metadata__: { dtype: "F32", shape: [1], data: [1] } })).message).toMatch(/reserved/);
    expect(errorOf(() => writeSafetensors({}, { a: 3 as never })).message).toMatch(/metadata.a must be a string/);
  });

  it("writer rejects data entries that are not numbers (written as NaN before) and metadata that is not an object (a TypeError before)", () => {
    expect(errorOf(() => writeSafetensors({ a: { dtype: "F64", shape: [2], data: ["x", 1] as never } }))).toBeInstanceOf(DomainError);
    expect(errorOf(() => writeSafetensors({ a: { dtype: "F64", shape: [2], data: [1, undefined] as never } })).message).toMatch(/^writeSafetensors\(\): tensors\["a"\].data\[1\] must be a number, got undefined/);
    expect(errorOf(() => writeSafetensors({}, null as never)).message).toMatch(/^writeSafetensors\(\): metadata must be an object of strings, got null/);
    expect(errorOf(() => writeSafetensors({}, "k" as never))).toBeInstanceOf(DomainError);
    // NaN and Infinity are numbers, and round-trip
    const back = readSafetensors(writeSafetensors({ a: { dtype: "F64", shape: [2], data: [Number.NaN, -Infinity] } })).tensor("a");
    expect(Number.isNaN(back[0])).toBe(true);
    expect(back[1]).toBe(-Infinity);
  });

  it("a tensor or metadata key named __proto__ is written as an entry and read back (it was dropped, leaving a file the reader rejected)", () => {
    const tensors = JSON.parse('{"__proto__": {"dtype": "F64", "shape": [2], "data": [1, 2]}, "b": {"dtype": "F32", "shape": [1], "data": [0.5]}}') as Record<string, never>;
    const file = readSafetensors(writeSafetensors(tensors, JSON.parse('{"__proto__": "x", "k": "v"}') as Record<string, string>));
    expect([...file.entries.keys()]).toEqual(["__proto__", "b"]);
    expect(Array.from(file.tensor("__proto__"))).toEqual([1, 2]);
    expect(Object.getOwnPropertyDescriptor(file.metadata, "__proto__")?.value).toBe("x");
    expect(file.metadata.k).toBe("v");
    expect(Object.getPrototypeOf(file.metadata)).toBe(Object.prototype);
  });

  it("any corruption of a valid file parses or throws a FlowMatchingError, and never reads out of bounds", () => {
    const bytes = writeSafetensors({
      a: { dtype: "F64", shape: [3, 2], data: [1, 2, 3, 4, 5, 6] },
      b: { dtype: "F32", shape: [4], data: [1, 2, 3, 4] },
    });
    const headerEnd = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
    fc.assert(fc.property(
      fc.array(fc.record({ at: fc.nat({ max: headerEnd - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
      fc.nat({ max: bytes.length }),
      (edits, keep) => {
        const copy = bytes.slice(0, Math.max(keep, 1));
        for (const { at, byte } of edits) if (at < copy.length) copy[at] = byte;
        try {
          const file = readSafetensors(copy);
          for (const [name, entry] of file.entries) {
            if (entry.dtype === "F64" || entry.dtype === "F32" || entry.dtype === "F16" || entry.dtype === "BF16") file.tensor(name);
          }
        } catch (e) {
          // a RangeError from the DataView (an out-of-bounds read) or any raw error fails here
          if (!(e instanceof FlowMatchingError)) throw e;
        }
      }), { seed: 7, numRuns: 2000 });
  });

  it("random headers with arbitrary shapes and offsets over random data: parse only when every range is in bounds", () => {
    const entry = fc.record({
      dtype: fc.constantFrom("F64", "F32", "F16", "BF16", "I8", "BOOL"),
      shape: fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 3 }),
      data_offsets: fc.tuple(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 80 })),
    });
    fc.assert(fc.property(fc.dictionary(fc.constantFrom("a", "b", "c", "d"), entry), fc.integer({ min: 0, max: 80 }), (header, size) => {
      try {
        const file = readSafetensors(handMade(header, new Uint8Array(size)));
        let total = 0;
        for (const [name, e] of file.entries) {
          expect(e.dataOffsets[1]).toBeLessThanOrEqual(size);
          total += e.dataOffsets[1] - e.dataOffsets[0];
          if (e.dtype !== "I8" && e.dtype !== "BOOL") expect(file.tensor(name).length).toBe(e.shape.reduce((x, y) => x * y, 1));
        }
        expect(total).toBe(size);
      } catch (e) {
        if (!(e instanceof FlowMatchingError)) throw e;
      }
    }), { seed: 11, numRuns: 3000 });
  });
});

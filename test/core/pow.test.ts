import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { pow } from "../../src/core/pow.js";

/** x as an exact BigInt mantissa and binary exponent: x = mant * 2^exp. */
function exact(x: number): { mant: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const e = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return e === 0 ? { mant: frac, exp: -1074 } : { mant: frac | (1n << 52n), exp: e - 1075 };
}

/** |r - x^y| / x^y for positive x, r and an integer y, computed exactly in BigInt, as a double. */
function relativeErrorInteger(r: number, x: number, y: number): number {
  const a = exact(r), b = exact(x);
  // compare num = a.mant 2^a.exp with den = b.mant^y 2^(b.exp y) (y >= 0), or a.mant 2^a.exp b.mant^|y| 2^(b.exp |y|) with 1 (y < 0)
  let num: bigint, numExp: number, den: bigint, denExp: number;
  if (y >= 0) {
    num = a.mant; numExp = a.exp; den = b.mant ** BigInt(y); denExp = b.exp * y;
  } else {
    num = a.mant * b.mant ** BigInt(-y); numExp = a.exp + b.exp * -y; den = 1n; denExp = 0;
  }
  // bring both to the smaller exponent
  const e = Math.min(numExp, denExp);
  num <<= BigInt(numExp - e);
  den <<= BigInt(denExp - e);
  const diff = num > den ? num - den : den - num;
  return Number((diff << 80n) / den) / 2 ** 80;
}

const U = 2 ** -53;

describe("pow: x^y from Math.log and Math.exp, the same bits on every engine", () => {
  it("property: integer exponents are within (0.35 |y| + 4) 2^-52 of the exact power (BigInt), for x across the exponent range", () => {
    fc.assert(fc.property(
      fc.double({ min: 1, max: 2, noNaN: true }), fc.integer({ min: -40, max: 40 }), fc.integer({ min: -25, max: 25 }),
      (m, y, e) => {
        const x = m * 2 ** e;
        if (y === 0) return pow(x, y) === 1;
        const r = pow(x, y);
        expect(Number.isFinite(r) && r > 0).toBe(true);
        expect(relativeErrorInteger(r, x, y)).toBeLessThanOrEqual((0.35 * Math.abs(y) + 4) * 2 * U);
        return true;
      }), { numRuns: 2000, seed: 11 });
  });

  it("large binary exponents: the k ln 2 part is carried in double-double (x = 1.3 * 2^400, y = 2.5 and -1.5; x = 2^-1000 * 1.1, y = 0.75)", () => {
    // y k ln 2 is about 693 here: an error of one rounding of it (1.5e-13 relative) would exceed the bound 100 times
    for (const [x, y] of [[1.3 * 2 ** 400, 2.5], [1.3 * 2 ** 400, -1.5], [1.1 * 2 ** -1000, 0.75], [3 * 2 ** 300, 3]] as const) {
      const r = pow(x, y);
      const ref = Math.pow(x, y); // within 1 ulp of the exact value on every engine
      expect(Math.abs(r - ref) / ref).toBeLessThanOrEqual((0.35 * Math.abs(y) + 6) * 2 * U);
    }
    expect(relativeErrorInteger(pow(3 * 2 ** 300, 3), 3 * 2 ** 300, 3)).toBeLessThanOrEqual(6 * U);
  });

  it("property: fractional exponents agree with Math.pow within (0.35 |y| + 6) 2^-52 (Math.pow itself errs by under 1 ulp)", () => {
    fc.assert(fc.property(
      fc.double({ min: 1e-300, max: 1e300, noNaN: true }), fc.double({ min: -8, max: 8, noNaN: true }),
      (x, y) => {
        const ref = Math.pow(x, y);
        fc.pre(ref > 1e-300 && ref < 1e300);
        const r = pow(x, y);
        expect(Math.abs(r - ref) / ref).toBeLessThanOrEqual((0.35 * Math.abs(y) + 6) * 2 * U);
        return true;
      }), { numRuns: 3000, seed: 12 });
  });

  it("special cases are Math.pow's, to the bit (signed zeros, infinities, NaN, negative bases, y = 0, 1, 2, 1/2)", () => {
    const xs = [0, -0, 1, -1, 2, -2, 0.5, -0.5, Infinity, -Infinity, NaN, 1e-320, -1e-320, 1e308, -3];
    const ys = [0, -0, 1, -1, 2, -2, 3, -3, 0.5, -0.5, 1.5, Infinity, -Infinity, NaN, 2 ** 60, 2 ** 60 + 2 ** 9, 2 ** 901, -(2 ** 901), 1e308];
    for (const x of xs) for (const y of ys) {
      const ref = Math.pow(x, y);
      const r = pow(x, y);
      if (Number.isNaN(ref) || !Number.isFinite(ref) || ref === 0 || Number.isNaN(r)) expect(Object.is(r, ref), `pow(${x}, ${y})`).toBe(true);
      else expect(Math.abs(r - ref) / Math.abs(ref), `pow(${x}, ${y})`).toBeLessThanOrEqual(1e-13);
    }
    expect(pow(1, 2 ** 1000)).toBe(1);
    expect(pow(-2, 3)).toBe(-8);
    expect(pow(-2, -3)).toBe(-0.125);
    expect(pow(-0.5, 4)).toBe(0.0625);
  });

  it("same bits on every engine: a digest of 20000 powers fixed here (Node 20) is what Node 24 and Chromium compute (CI runs this file on both Nodes)", () => {
    // Math.pow gives different digests on Node 20 and Node 24 for these arguments (0.9 ** 7 and t ** 3 among them)
    const out = new Float64Array(20000);
    let s = 12345;
    const rnd = (): number => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 4294967296; };
    for (let i = 0; i < out.length; i++) {
      const x = i % 4 === 0 ? 0.9 + 0.1 * rnd() : Math.exp((rnd() - 0.5) * 200);
      const y = i % 3 === 0 ? (i % 50) - 25 : (rnd() - 0.5) * 12;
      out[i] = pow(x, y);
    }
    const bytes = new Uint8Array(out.buffer);
    let h = 0x811c9dc5;
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    expect(h.toString(16).padStart(8, "0")).toBe(DIGEST);
  });
});

/** Printed by this test on Node 20.20.2 when src/core/pow.ts was added; Node 24.22.3 computes the same. */
const DIGEST = "e73d1cc8";

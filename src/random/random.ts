import ndarray from "ndarray";
import type { Batch } from "../core/batch.js";
import { MAX_ELEMENTS, checkElements, checkFinite, checkFiniteArray, checkInteger, checkNonNegative } from "../core/check.js";
import { DomainError, NonFiniteError, ShapeError } from "../core/errors.js";
import { describeValue } from "../core/format.js";
import { TINY_TOTAL } from "../core/row-norm.js";
import { zigguratSlow, zigguratTables } from "./ziggurat.js";

/** The complete state of a {@link Random}: four 32-bit words and the cached normal draw. @category Random */
export interface RandomState {
  /** xoshiro128** state words (unsigned 32-bit integers, not all zero). */
  words: [number, number, number, number];
  /**
   * A cached normal draw returned by the next normal draw, or null. Normals are drawn one at
   * a time by the ziggurat and never cache one; a state saved by version 0.1 (polar method)
   * may hold one, and it is honoured.
   */
  spareNormal: number | null;
}

/**
 * A seeded pseudo-random generator: xoshiro128** (Blackman & Vigna 2018; 128-bit state,
 * period 2^128 - 1) seeded through splitmix32. Uses 32-bit integer arithmetic and
 * a portable logarithm and exponential (`src/random/log.ts`, `exp.ts`: basic IEEE-754 arithmetic only), so a seed gives bit-identical draws on every platform and in
 * both the ESM and CJS builds.
 *
 * Doubles in [0, 1) use 53 random bits; normals use a 256-layer ziggurat over 64 random
 * bits per try (Marsaglia & Tsang 2000 with independent layer and position bits, as NumPy's;
 * exact, not an approximation); integers below n use rejection, so they are unbiased.
 *
 * @example
 * ```ts
 * const rng = new Random(42);
 * rng.uniform() // => 0.6606157208001621 (the same on every platform)
 * ```
 * @category Random
 */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spare: number | null = null;

  /**
   * An integer seed is folded to 32 bits before splitmix32 fills the state (the high half,
   * multiplied by 0x9e3779b1, is XORed into the low half), so integer seeds reach 2^32 distinct
   * streams and distinct seeds can give the same stream: `new Random(0)` and
   * `new Random(2 ** 32 + 0x9e3779b1)` draw the same numbers. The folding is kept because
   * changing it would change every existing stream; to reach the full 2^128 states, restore a
   * saved {@link RandomState} (`new Random({ words, spareNormal: null })`).
   *
   * @param seed - an integer seed (any safe integer, including negatives), or a saved {@link RandomState}
   * @throws {@link DomainError} for a non-integer seed, a seed that is neither a number nor a state object, or an all-zero state
   */
  constructor(seed: number | RandomState) {
    if (typeof seed === "number") {
      checkInteger("Random", "seed", seed, Number.MIN_SAFE_INTEGER);
      // splitmix32 over both halves of the seed fills the state.
      let z = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x9e3779b1);
      const next = () => {
        z = (z + 0x9e3779b9) | 0;
        let r = z;
        r = Math.imul(r ^ (r >>> 16), 0x85ebca6b);
        r = Math.imul(r ^ (r >>> 13), 0xc2b2ae35);
        return (r ^ (r >>> 16)) >>> 0;
      };
      this.#a = next();
      this.#b = next();
      this.#c = next();
      this.#d = next();
      if ((this.#a | this.#b | this.#c | this.#d) === 0) this.#d = 1;
    } else {
      if (seed === null || typeof seed !== "object") {
        throw new DomainError("Random", "seed", "be an integer or a saved RandomState { words, spareNormal }", describeValue(seed));
      }
      const w = seed.words;
      if (!Array.isArray(w) || w.length !== 4 || w.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
        throw new DomainError("Random", "seed.words", "be four unsigned 32-bit integers", describeValue(w));
      }
      if (w.every((v) => v === 0)) throw new DomainError("Random", "seed.words", "not be all zero", "[0, 0, 0, 0]");
      [this.#a, this.#b, this.#c, this.#d] = w as [number, number, number, number];
      this.#spare = seed.spareNormal === null ? null : checkFinite("Random", "seed.spareNormal", seed.spareNormal);
    }
  }

  /**
   * The next raw 32-bit output, an integer in [0, 2^32).
   *
   * @example
   * ```ts
   * new Random(1).nextUint32() // => an integer in [0, 4294967296)
   * ```
   */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9) >>> 0;
    const t = this.#b << 9;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotl(this.#d, 11);
    return result;
  }

  /**
   * A uniform double in [lo, hi), from 53 random bits: lo + (hi - lo) U, U in [0, 1). Where
   * that rounds up to hi (an interval a few doubles wide, or the top draw of some intervals)
   * the result is the largest double below hi, so it always lies in [lo, hi); an interval wider
   * than the largest double (hi - lo overflows) is drawn at half scale and doubled.
   *
   * @param lo - lower end (default 0)
   * @param hi - upper end (default 1), > lo
   * @throws {@link DomainError} for a non-number bound or hi <= lo; {@link NonFiniteError} for a NaN or infinite bound
   * @example
   * ```ts
   * const u = new Random(7).uniform(); u >= 0 && u < 1 // => true
   * ```
   */
  uniform(lo = 0, hi = 1): number {
    const u = ((this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6)) / 9007199254740992;
    if (lo === 0 && hi === 1) return u;
    if (typeof lo === "number" && typeof hi === "number" && lo < hi) {
      // lo + (hi - lo) u >= lo always (rounding is monotone); a draw that rounds up to hi or a
      // width that overflows takes the slow path
      const x = lo + (hi - lo) * u;
      if (x < hi) return x;
    }
    return uniformSlow("Random.uniform", lo, hi, u);
  }

  /**
   * An unbiased integer in [0, n), by rejection of the top partial range.
   *
   * @param n - an integer in [1, 2^32]
   * @example
   * ```ts
   * new Random(3).int(6) // => an integer in 0..5
   * ```
   */
  int(n: number): number {
    checkInteger("Random.int", "n", n, 1, 2 ** 32);
    return this.#intUnchecked(n);
  }

  /**
   * A standard normal draw scaled as mean + std Z (256-layer ziggurat, exact; see the class).
   *
   * @param mean - default 0
   * @param std - default 1
   * @example
   * ```ts
   * Number.isFinite(new Random(5).normal()) // => true
   * ```
   */
  normal(mean = 0, std = 1): number {
    if (mean !== 0 || std !== 1) {
      checkFinite("Random.normal", "mean", mean);
      checkNonNegative("Random.normal", "std", std);
    }
    if (this.#spare !== null) {
      const z = this.#spare;
      this.#spare = null;
      const x = mean + std * z;
      return x - x === 0 ? x : finiteDraw(x); // x - x is 0 exactly when x is finite
    }
    const { W, K } = zigguratTables();
    for (;;) {
      // The same bits in the same order as fillNormal's inlined loop.
      const high = this.nextUint32();
      const low = this.nextUint32() | 0;
      const layer = low & 255;
      const j = high * 1048576 + (low >>> 12);
      let z = j * (W[layer] as number);
      if (j < (K[layer] as number)) z = low & 256 ? -z : z;
      else {
        z = zigguratSlow(layer, z, (low & 256) !== 0, () => this.uniform());
        if (z !== z) continue;
      }
      const x = mean + std * z;
      return x - x === 0 ? x : finiteDraw(x); // x - x is 0 exactly when x is finite
    }
  }

  /**
   * A Rademacher draw: -1 or +1 with probability 1/2 each.
   *
   * @example
   * ```ts
   * Math.abs(new Random(9).rademacher()) // => 1
   * ```
   */
  rademacher(): number {
    return this.nextUint32() >>> 31 === 1 ? 1 : -1;
  }

  /**
   * An index i drawn with probability weights[i] / sum(weights).
   *
   * @param weights - non-negative finite weights with a positive sum (any scale: weights whose
   *   sum overflows or underflows are divided by their largest first)
   * @throws {@link DomainError} for negative weights or a zero sum
   * @example
   * ```ts
   * new Random(1).categorical([0, 1, 0]) // => 1
   * ```
   */
  categorical(weights: ArrayLike<number>): number {
    const cdf = cumulative("Random.categorical", weights);
    return searchCdf(cdf, this.uniform() * (cdf[cdf.length - 1] as number));
  }

  /**
   * `n` independent categorical draws (cumulative table built once, binary search per draw).
   *
   * @param weights - as {@link Random.categorical}
   * @param n - number of draws, an integer >= 0
   * @throws {@link DomainError} as {@link Random.categorical}, or for a bad `n`
   * @example
   * ```ts
   * new Random(1).categoricalMany([1, 0], 3) // => Int32Array [0, 0, 0]
   * ```
   */
  categoricalMany(weights: ArrayLike<number>, n: number): Int32Array {
    checkInteger("Random.categoricalMany", "n", n, 0, MAX_ELEMENTS);
    const cdf = cumulative("Random.categoricalMany", weights);
    const total = cdf[cdf.length - 1] as number;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = searchCdf(cdf, this.uniform() * total);
    return out;
  }

  /**
   * A uniformly random permutation of 0..n-1 (Fisher–Yates).
   *
   * @example
   * ```ts
   * Array.from(new Random(2).permutation(4)).sort() // => [0, 1, 2, 3]
   * ```
   */
  permutation(n: number): Int32Array {
    checkInteger("Random.permutation", "n", n, 0, MAX_ELEMENTS);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.#intUnchecked(i + 1);
      const tmp = p[i] as number;
      p[i] = p[j] as number;
      p[j] = tmp;
    }
    return p;
  }

  /**
   * Fills `out` with uniform draws in [lo, hi) and returns it (the draws of {@link Random.uniform}
   * in turn). A Float32Array receives each draw rounded to float32, or the float32 at the edge of
   * [lo, hi) where rounding would leave the interval (so [0, 1) never gives 1).
   *
   * @throws {@link DomainError} for hi <= lo, or a float32 `out` with no float32 value in [lo, hi);
   *   {@link NonFiniteError} for a non-finite bound, or bounds beyond the float32 range for a Float32Array
   * @example
   * ```ts
   * new Random(1).fillUniform(new Float64Array(3)).length // => 3
   * ```
   */
  fillUniform<T extends Float64Array | Float32Array>(out: T, lo = 0, hi = 1): T {
    checkFloatArray("Random.fillUniform", out);
    checkInterval("Random.fillUniform", lo, hi);
    const float32 = out instanceof Float32Array ? float32Interval(lo, hi) : null;
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(lo, hi);
    // Rounding to float32 can leave [lo, hi) (1 - 2^-25 rounds to 1): one pass moves such draws
    // to the float32 at the edge (a separate pass keeps the fill loop as fast as before).
    if (float32 !== null) clampFloat32(out as Float32Array, float32[0], float32[1]);
    return out;
  }

  /**
   * Fills `out` with normal draws mean + std Z and returns it.
   *
   * @throws {@link NonFiniteError} for a non-finite mean or std, or draws that overflow (mean and
   *   std near the largest double, or beyond the float32 range for a Float32Array); {@link DomainError} for std < 0
   * @example
   * ```ts
   * new Random(1).fillNormal(new Float64Array(4)).length // => 4
   * ```
   */
  fillNormal<T extends Float64Array | Float32Array>(out: T, mean = 0, std = 1): T {
    checkFloatArray("Random.fillNormal", out);
    checkFinite("Random.fillNormal", "mean", mean);
    checkNonNegative("Random.fillNormal", "std", std);
    // The draws of `normal()` in turn, with the generator's state in locals and the ziggurat's
    // fast test inlined (the same sequence, so the same bits); the rare wedge and tail tests
    // (1.5% of tries) hand the state back to the fields and call the shared slow path.
    const n = out.length;
    let i = 0;
    if (n > 0 && this.#spare !== null) {
      // a saved state's cached normal can be any finite number: check it alone
      out[i++] = mean + std * this.#spare;
      this.#spare = null;
      checkFiniteFill("Random.fillNormal", out, 0, 1);
    }
    const { W, K } = zigguratTables();
    const uniform = () => this.uniform();
    let a = this.#a, b = this.#b, c = this.#c, d = this.#d;
    while (i < n) {
      // Inner loop: the fast test only, no call (a call inside it makes V8 keep the state on
      // the stack: 8 ns instead of 11 ns a draw); it stops at a draw that needs the slow path.
      let layer = -1, z = 0, low = 0;
      while (i < n) {
        const high = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
        let t = b << 9;
        c ^= a;
        d ^= b;
        b ^= c;
        a ^= d;
        c ^= t;
        d = rotl(d, 11);
        low = Math.imul(rotl(Math.imul(b, 5), 7), 9);
        t = b << 9;
        c ^= a;
        d ^= b;
        b ^= c;
        a ^= d;
        c ^= t;
        d = rotl(d, 11);
        layer = low & 255;
        const j = (high * 1048576) + (low >>> 12);
        z = j * (W[layer] as number);
        if (j >= (K[layer] as number)) break;
        out[i++] = mean + std * (low & 256 ? -z : z);
        layer = -1;
      }
      if (layer < 0) break;
      this.#a = a;
      this.#b = b;
      this.#c = c;
      this.#d = d;
      const y = zigguratSlow(layer, z, (low & 256) !== 0, uniform);
      a = this.#a;
      b = this.#b;
      c = this.#c;
      d = this.#d;
      if (y === y) out[i++] = mean + std * y;
    }
    this.#a = a;
    this.#b = b;
    this.#c = c;
    this.#d = d;
    // Ziggurat draws satisfy |Z| < 16 (the tail's largest is r - ln(2^-53) / r, about 14), so
    // only mean and std this large can overflow: one pass then, none on the hot path.
    if (Math.abs(mean) + 16 * std >= (out instanceof Float32Array ? FLOAT32_MAX : Number.MAX_VALUE)) checkFiniteFill("Random.fillNormal", out, 0, n);
    return out;
  }

  /**
   * Fills `out` with Rademacher draws (±1) and returns it.
   *
   * @example
   * ```ts
   * new Random(1).fillRademacher(new Float64Array(2)).every((v) => v * v === 1) // => true
   * ```
   */
  fillRademacher<T extends Float64Array | Float32Array>(out: T): T {
    checkFloatArray("Random.fillRademacher", out);
    for (let i = 0; i < out.length; i++) out[i] = this.rademacher();
    return out;
  }

  /**
   * A batch of shape [n, d] of standard normal draws, filled row by row.
   *
   * @example
   * ```ts
   * new Random(0).normalBatch(128, 2).shape // => [128, 2]
   * ```
   */
  normalBatch(n: number, d: number): Batch {
    checkInteger("Random.normalBatch", "n", n);
    checkInteger("Random.normalBatch", "d", d);
    checkElements("Random.normalBatch", "n * d", n, d);
    return ndarray(this.fillNormal(new Float64Array(n * d)), [n, d]);
  }

  /**
   * A batch of shape [n, d] of uniform draws in [lo, hi).
   *
   * @throws {@link DomainError} for bad n, d or hi <= lo; {@link NonFiniteError} for a non-finite bound
   * @example
   * ```ts
   * new Random(0).uniformBatch(3, 2).shape // => [3, 2]
   * ```
   */
  uniformBatch(n: number, d: number, lo = 0, hi = 1): Batch {
    checkInteger("Random.uniformBatch", "n", n);
    checkInteger("Random.uniformBatch", "d", d);
    checkElements("Random.uniformBatch", "n * d", n, d);
    checkInterval("Random.uniformBatch", lo, hi);
    return ndarray(this.fillUniform(new Float64Array(n * d), lo, hi), [n, d]);
  }

  /**
   * A batch of shape [n, d] of Rademacher draws.
   *
   * @example
   * ```ts
   * new Random(0).rademacherBatch(2, 2).shape // => [2, 2]
   * ```
   */
  rademacherBatch(n: number, d: number): Batch {
    checkInteger("Random.rademacherBatch", "n", n);
    checkInteger("Random.rademacherBatch", "d", d);
    checkElements("Random.rademacherBatch", "n * d", n, d);
    return ndarray(this.fillRademacher(new Float64Array(n * d)), [n, d]);
  }

  /**
   * Splits off an independent stream: the child continues from the current state, and
   * this generator jumps ahead 2^64 draws (xoshiro128** jump polynomial), so up to 2^64
   * forks never overlap.
   *
   * @example
   * ```ts
   * const parent = new Random(1); const child = parent.fork();
   * child.uniform() !== parent.uniform() // => true
   * ```
   */
  fork(): Random {
    const child = new Random(this.getState());
    this.#spare = null;
    this.#jump();
    return child;
  }

  /**
   * An exact copy of this generator (same future draws).
   *
   * @example
   * ```ts
   * const r = new Random(4); r.clone().uniform() === r.uniform() // => true
   * ```
   */
  clone(): Random {
    return new Random(this.getState());
  }

  /**
   * The complete state, to save and later restore with `new Random(state)`.
   *
   * @example
   * ```ts
   * new Random(1).getState().words.length // => 4
   * ```
   */
  getState(): RandomState {
    return { words: [this.#a >>> 0, this.#b >>> 0, this.#c >>> 0, this.#d >>> 0], spareNormal: this.#spare };
  }

  #intUnchecked(n: number): number {
    if (n === 2 ** 32) return this.nextUint32();
    // Reject the top 2^32 mod n values so every residue is equally likely.
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }

  #jump(): void {
    let a = 0, b = 0, c = 0, d = 0;
    for (const word of JUMP) {
      for (let bit = 0; bit < 32; bit++) {
        if ((word >>> bit) & 1) {
          a ^= this.#a;
          b ^= this.#b;
          c ^= this.#c;
          d ^= this.#d;
        }
        this.nextUint32();
      }
    }
    this.#a = a;
    this.#b = b;
    this.#c = c;
    this.#d = d;
  }
}

/**
 * A new seeded generator; shorthand for `new Random(seed)`.
 *
 * @example
 * ```ts
 * createRandom(42).uniform() === new Random(42).uniform() // => true
 * ```
 * @category Random
 */
export function createRandom(seed: number): Random {
  return new Random(seed);
}

// Jump polynomial of xoshiro128** for 2^64 steps (Blackman & Vigna, reference xoshiro128starstar.c).
const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b];

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function cumulative(fn: string, weights: ArrayLike<number>): Float64Array {
  if (weights === null || typeof weights !== "object" || typeof weights.length !== "number") {
    throw new DomainError(fn, "weights", "be an array of numbers", describeValue(weights));
  }
  checkInteger(fn, "weights.length", weights.length, 0, MAX_ELEMENTS);
  if (weights.length === 0) throw new DomainError(fn, "weights", "be non-empty", "[]");
  checkFiniteArray(fn, "weights", weights);
  const cdf = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    if (w < 0) throw new DomainError(fn, `weights[${i}]`, "be >= 0", describeValue(w));
    total += w;
    cdf[i] = total;
  }
  if (!(total > 0)) throw new DomainError(fn, "weights", "have a positive sum", describeValue(total));
  // A sum that overflows (weights near the largest double) or is so small that u * total loses
  // bits (subnormal weights) would bias the draw: divide by the largest weight first. Ordinary
  // weights never take this branch, so their draws keep their bits.
  if (!(total >= TINY_TOTAL && total <= Number.MAX_VALUE)) {
    let max = 0;
    for (let i = 0; i < weights.length; i++) max = Math.max(max, weights[i] as number);
    total = 0;
    for (let i = 0; i < weights.length; i++) {
      total += (weights[i] as number) / max;
      cdf[i] = total;
    }
  }
  return cdf;
}

/** Largest finite float32, 2^128 - 2^104. */
const FLOAT32_MAX = 3.4028234663852886e38;

function searchCdf(cdf: Float64Array, u: number): number {
  // smallest i with cdf[i] > u; zero-weight entries are never chosen
  let lo = 0, hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cdf[mid] as number) > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Rejects an output buffer that is not a Float64Array or Float32Array. */
function checkFloatArray(fn: string, out: unknown): void {
  if (!(out instanceof Float64Array || out instanceof Float32Array)) throw new ShapeError(fn, "out", "be a Float64Array or Float32Array", describeValue(out));
}

/** Checks the bounds of a uniform draw: finite numbers with lo < hi. */
function checkInterval(fn: string, lo: unknown, hi: unknown): void {
  checkFinite(fn, "lo", lo);
  const h = checkFinite(fn, "hi", hi);
  if (!((lo as number) < h)) throw new DomainError(fn, "hi", `be > lo = ${describeValue(lo)} (a non-empty interval [lo, hi))`, describeValue(hi));
}

/**
 * The uniform draw lo + (hi - lo) u where the fast path did not return: checks the bounds
 * (non-numbers, NaN, infinities, hi <= lo); a draw that rounded up to hi becomes the largest
 * double below hi; an interval wider than the largest double is drawn at half scale (lo / 2 and
 * hi / 2 are exact there, both bounds being huge, and doubling the draw is exact).
 */
function uniformSlow(fn: string, lo: unknown, hi: unknown, u: number): number {
  checkInterval(fn, lo, hi);
  const a = lo as number, b = hi as number;
  const x = b - a <= Number.MAX_VALUE ? a + (b - a) * u : 2 * (a / 2 + (b / 2 - a / 2) * u);
  return x < b ? x : nextDown(b);
}

const BITS64 = new Float64Array(1);
const WORD64 = new BigUint64Array(BITS64.buffer);

/** The largest double below x (x finite and not -Number.MAX_VALUE). */
function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  BITS64[0] = x;
  WORD64[0] = x > 0 ? (WORD64[0] as bigint) - 1n : (WORD64[0] as bigint) + 1n;
  return BITS64[0] as number;
}

const BITS32 = new Float32Array(1);
const WORD32 = new Uint32Array(BITS32.buffer);

/** The float32 next to f (a finite float32) towards +Infinity (up) or -Infinity (down). */
function nextFloat32(f: number, up: boolean): number {
  if (f === 0) return up ? 2 ** -149 : -(2 ** -149);
  BITS32[0] = f;
  WORD32[0] = (f > 0) === up ? (WORD32[0] as number) + 1 : (WORD32[0] as number) - 1;
  return BITS32[0] as number;
}

/**
 * The smallest and the largest float32 in [lo, hi), for uniform draws into a Float32Array.
 * Throws where the interval reaches beyond the float32 range (draws would overflow to
 * ±Infinity) or holds no float32 at all.
 */
function float32Interval(lo: number, hi: number): [number, number] {
  const fn = "Random.fillUniform";
  if (!(lo >= -FLOAT32_MAX && hi <= FLOAT32_MAX)) {
    throw new NonFiniteError(fn, "lo, hi", `lie within the float32 range [-${FLOAT32_MAX}, ${FLOAT32_MAX}] for a Float32Array out (overflow)`, `[${lo}, ${hi})`);
  }
  const low = Math.fround(lo), high = Math.fround(hi);
  const bottom = low >= lo ? low : nextFloat32(low, true);
  const top = high < hi ? high : nextFloat32(high, false);
  if (!(bottom <= top)) throw new DomainError(fn, "hi", `leave a float32 value in [lo, hi) for a Float32Array out (lo = ${lo})`, describeValue(hi));
  return [bottom, top];
}

/** Moves float32 draws above `top` (they rounded to hi) to top and below `bottom` to bottom. */
function clampFloat32(out: Float32Array, bottom: number, top: number): void {
  for (let i = 0; i < out.length; i++) {
    const v = out[i] as number;
    if (v > top || v < bottom) out[i] = v > top ? top : bottom;
  }
}

/** Throws a NonFiniteError at the first non-finite entry of out[from, to): overflowed draws. */
function checkFiniteFill(fn: string, out: Float64Array | Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const v = out[i] as number;
    if (v - v !== 0) {
      const where = out instanceof Float32Array ? " within the float32 range of out" : "";
      throw new NonFiniteError(fn, "mean + std z", `be finite${where} (overflow; rescale mean and std)`, `${describeValue(v)} at index ${i}`);
    }
  }
}

/** A normal draw mean + std z that overflowed (|mean| or std near the largest double). */
function finiteDraw(x: number): number {
  if (!Number.isFinite(x)) throw new NonFiniteError("Random.normal", "mean + std z", "be finite (overflow; rescale mean and std)", describeValue(x));
  return x;
}

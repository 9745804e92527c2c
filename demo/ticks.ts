/** Axis ticks of the demo's loss chart (no DOM: unit-tested in test/demo/ticks.test.ts). */

/**
 * About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 times a power of ten),
 * from the first multiple of the step at or below lo to the first at or above hi (within 1e-9
 * of a step, so that 12.6 / 0.1 = 125.99999999999999 still starts at 12.6).
 */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const first = Math.floor(lo / step + 1e-9), last = Math.ceil(hi / step - 1e-9);
  return Array.from({ length: last - first + 1 }, (_, k) => Number(((first + k) * step).toPrecision(12)));
}

/** Decimals that show every tick distinctly (0 for integers). */
export function decimals(ticks: readonly number[]): number {
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : 1;
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

import { defineBenchmarks } from "./harness.js";
import { Random } from "../src/random/random.js";
import { portableLog } from "../src/random/log.js";

const n = 1_000_000;
let polarCpuMs = Number.NaN;

/** Median CPU time (user + system, ms) of 11 calls: steadier than wall time on a shared machine (Node only). */
function cpuMs(run: () => unknown): number {
  const times: number[] = [];
  for (let k = 0; k < 11; k++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  return times.sort((a, b) => a - b)[5] as number;
}

export default defineBenchmarks([
  {
    name: "uniform 1e6",
    setup: () => ({ rng: new Random(1), out: new Float64Array(n) }),
    run: ({ rng, out }: { rng: Random; out: Float64Array }) => rng.fillUniform(out),
    metrics: (_s, ms) => ({ nsPerDraw: (ms * 1e6) / n }),
  },
  {
    // The sampler of 0.1 (Marsaglia's polar method over the same xoshiro128** stream, its
    // inlined loop copied here), the baseline of the ziggurat row below in the same run (wall
    // medians, and CPU-time medians, which other processes on a shared machine disturb less).
    name: "normal 1e6 polar (0.1 sampler)",
    setup: () => ({ state: Int32Array.from(new Random(1).getState().words), out: new Float64Array(n) }),
    run: ({ state, out }: { state: Int32Array; out: Float64Array }) => polarFill(state, out),
    repeats: 15,
    metrics: ({ state, out }: { state: Int32Array; out: Float64Array }, ms) => {
      polarCpuMs = cpuMs(() => polarFill(state, out));
      return { nsPerDraw: (ms * 1e6) / n, cpuNsPerDraw: (polarCpuMs * 1e6) / n };
    },
  },
  {
    name: "normal 1e6 ziggurat (fillNormal)",
    setup: () => ({ rng: new Random(1), out: new Float64Array(n) }),
    run: ({ rng, out }: { rng: Random; out: Float64Array }) => rng.fillNormal(out),
    repeats: 15,
    metrics: ({ rng, out }: { rng: Random; out: Float64Array }, ms) => {
      const cpu = cpuMs(() => rng.fillNormal(out));
      return { nsPerDraw: (ms * 1e6) / n, cpuNsPerDraw: (cpu * 1e6) / n, cpuSpeedupVsPolar: polarCpuMs / cpu };
    },
  },
]);

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** 0.1's fillNormal: pairs of 53-bit uniforms on the square, accepted inside the unit disc. */
function polarFill(state: Int32Array, out: Float64Array): Float64Array {
  let a = state[0] as number, b = state[1] as number, c = state[2] as number, d = state[3] as number;
  const draws = [0, 0, 0, 0];
  let i = 0;
  const count = out.length;
  while (i < count) {
    for (let q = 0; q < 4; q++) {
      const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      draws[q] = result;
    }
    const u = 2 * ((((draws[0] as number) >>> 5) * 67108864 + ((draws[1] as number) >>> 6)) / 9007199254740992) - 1;
    const v = 2 * ((((draws[2] as number) >>> 5) * 67108864 + ((draws[3] as number) >>> 6)) / 9007199254740992) - 1;
    const s = u * u + v * v;
    if (s >= 1 || s === 0) continue;
    const f = Math.sqrt((-2 * portableLog(s)) / s);
    out[i++] = u * f;
    if (i < count) out[i++] = v * f;
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
  return out;
}

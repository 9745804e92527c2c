import { defineBenchmarks } from "./harness.js";
import { Random } from "../src/random/random.js";

const n = 1_000_000;

export default defineBenchmarks([
  {
    name: "uniform 1e6",
    setup: () => ({ rng: new Random(1), out: new Float64Array(n) }),
    run: ({ rng, out }: { rng: Random; out: Float64Array }) => rng.fillUniform(out),
    metrics: (_s, ms) => ({ nsPerDraw: (ms * 1e6) / n }),
  },
  {
    name: "normal 1e6",
    setup: () => ({ rng: new Random(1), out: new Float64Array(n) }),
    run: ({ rng, out }: { rng: Random; out: Float64Array }) => rng.fillNormal(out),
    metrics: (_s, ms) => ({ nsPerDraw: (ms * 1e6) / n }),
  },
]);

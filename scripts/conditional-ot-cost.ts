// Mean pair cost ||x0_i - x1_i||^2 of condition-aware exact OT (pairs within labels) against
// independent pairing and unconstrained exact OT, for noise -> a labelled 4-Gaussian mixture
// (means (+-3, 0), (0, +-3), std 0.5), labels of x0 a shuffle of those of x1; medians over
// 20 seeds. Run: npx tsx scripts/conditional-ot-cost.ts [n]
import { Random, conditionalOTCoupling, exactOTCoupling, fromRows, independentCoupling, type Batch } from "../src/index.js";

const n = Number(process.argv[2] ?? 256);
const means = [[-3, 0], [3, 0], [0, 3], [0, -3]];
const meanCost = (a: Batch, b: Batch): number => {
  let s = 0;
  for (let k = 0; k < a.data.length; k++) s += ((a.data[k] as number) - (b.data[k] as number)) ** 2;
  return s / (a.shape[0] as number);
};
const rows: { within: number; independent: number; global: number; crossLabel: number }[] = [];
for (let seed = 0; seed < 20; seed++) {
  const rng = new Random(seed);
  const labels = Array.from({ length: n }, (_, i) => i % 4);
  const x1 = fromRows(labels.map((l) => [(means[l]?.[0] as number) + 0.5 * rng.normal(), (means[l]?.[1] as number) + 0.5 * rng.normal()]));
  const x0 = rng.normalBatch(n, 2);
  const labels0 = Array.from(rng.permutation(n), (i) => labels[i] as number);
  const within = conditionalOTCoupling().pair(x0, x1, { labels0, labels1: labels });
  const independent = independentCoupling().pair(x0, x1, rng);
  const global = exactOTCoupling().pair(x0, x1, rng);
  let crossLabel = 0;
  for (let i = 0; i < n; i++) if (labels[global.indices1[i] as number] !== labels0[i]) crossLabel++;
  rows.push({ within: meanCost(within.x0, within.x1), independent: meanCost(independent.x0, independent.x1), global: meanCost(global.x0, global.x1), crossLabel: crossLabel / n });
}
const median = (v: number[]): number => { const s = [...v].sort((a, b) => a - b); return ((s[9] as number) + (s[10] as number)) / 2; };
const pick = (k: keyof (typeof rows)[number]): number => median(rows.map((r) => r[k]));
console.log(JSON.stringify({ n, seeds: 20, meanPairCost: { independent: pick("independent"), withinLabels: pick("within"), globalExactOT: pick("global") }, globalOTCrossLabelFraction: pick("crossLabel") }));

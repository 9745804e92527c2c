import { describe, expect, it } from "vitest";
import { engineInfo } from "../../src/engine/info.js";
import { mlp } from "../../src/nn/index.js";
import { Random } from "../../src/random/index.js";

// the browser cases (a Worker of a cross-origin-isolated page, a page's main thread, a page that is
// not isolated) are in browser-workers.test.ts and browser.test.ts
describe("engineInfo in Node", () => {
  it("reports worker_threads and the default thread count of the engines", () => {
    const info = engineInfo();
    expect(info.workers).toBe("node");
    expect(info.reason).toBe(`threads: ${info.threads} (Node worker_threads)`);
    const before = info.workerRanges;
    const x = new Random(5).normalBatch(1024, 2);
    const net = mlp({ dim: 2, hidden: [16], seed: 6 });
    net.threads = 2;
    net.evaluate(x, 0.5);
    expect(engineInfo().workerRanges).toBeGreaterThan(before);
    net.threads = 1;
    const after = engineInfo().workerRanges;
    net.evaluate(x, 0.5);
    expect(engineInfo().workerRanges).toBe(after);
  });
});

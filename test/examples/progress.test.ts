import { afterEach, describe, expect, it, vi } from "vitest";
import { createProgress, trainingProgress, withSolveProgress } from "../../examples/progress.js";
import { Random, mlp, sample } from "../../src/index.js";

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 200, write: (s: string) => { chunks.push(s); return true; } } as unknown as NodeJS.WriteStream };
}

afterEach(() => { vi.unstubAllEnvs(); });

describe("createProgress (examples/progress.ts)", () => {
  it("writes one plain line per quarter and a final line when the stream is not a terminal", () => {
    const { chunks, stream } = fakeStream(false);
    const bar = createProgress("work", 100, { stream });
    for (let i = 1; i <= 100; i++) bar.update(i, `i ${i}`);
    bar.finish();
    expect(chunks.map((c) => /(\d+)%/.exec(c)?.[1])).toEqual(["25", "50", "75", "100"]);
    expect(chunks.every((c) => c.endsWith("\n") && !c.includes("\r") && !c.includes("\x1b"))).toBe(true);
    expect(chunks[0]).toMatch(/^work \[#{5}\.{15}\]  25%  25\/100  .*ETA \d+:\d\d  i 25\n$/);
    expect(chunks[3]).toMatch(/100%  100\/100  in \d+:\d\d\n$/);
  });

  it("redraws one line in place in a terminal, at most every 100 ms, and ends it with a newline", () => {
    const { chunks, stream } = fakeStream(true);
    const bar = createProgress("work", 1000, { stream });
    for (let i = 1; i <= 1000; i++) bar.update(i);
    bar.finish();
    expect(chunks.length).toBeLessThan(50); // 1000 updates in a tight loop (well under a second): throttled to one draw per 100 ms
    expect(chunks.every((c) => c.startsWith("\r") && c.includes("\x1b[K"))).toBe(true);
    expect(chunks.at(-1)).toMatch(/100%  1000\/1000  in \d+:\d\d\x1b\[K\n$/);
  });

  it("writes nothing with PROGRESS=off, terminal or not", () => {
    vi.stubEnv("PROGRESS", "off");
    for (const tty of [true, false]) {
      const { chunks, stream } = fakeStream(tty);
      const bar = createProgress("work", 4, { stream });
      for (let i = 1; i <= 4; i++) bar.update(i);
      bar.finish();
      expect(chunks).toEqual([]);
    }
  });

  it("trainingProgress finishes on the last step with its loss", () => {
    const spy = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const onStep = trainingProgress("fit", 2);
      onStep({ step: 1, loss: 2, gradNorm: 1, lr: 1e-3, elapsedMs: 1 });
      onStep({ step: 2, loss: 1.5, gradNorm: 1, lr: 1e-3, elapsedMs: 2 });
      expect(String(spy.mock.calls.at(-1)?.[0])).toMatch(/fit .*100%  2\/2  in 0:\d\d  loss 1\.500/);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("withSolveProgress", () => {
  it("leaves the field's values, JVPs and divergences bit for bit unchanged", () => {
    const spy = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const net = mlp({ dim: 2, hidden: [8], seed: 3 });
      const x = new Random(1).normalBatch(5, 2), v = new Random(2).normalBatch(5, 2);
      const { field, done } = withSolveProgress(net, "solve");
      expect(Array.from(field.evaluate(x, 0.3).data)).toEqual(Array.from(net.evaluate(x, 0.3).data));
      expect(Array.from(field.jvp!(x, 0.3, v).data)).toEqual(Array.from(net.jvp(x, 0.3, v).data));
      expect(Array.from(field.divergence!(x, 0.3))).toEqual(Array.from(net.divergence(x, 0.3)));
      expect(Array.from(sample(field, x).y.data)).toEqual(Array.from(sample(net, x).y.data));
      done();
    } finally {
      spy.mockRestore();
    }
  });
});

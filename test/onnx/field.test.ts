import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { onnxVelocityField } from "../../src/onnx/index.js";
import type { OnnxSessionLike, OnnxTensorLike } from "../../src/onnx/index.js";
import { fromRows, zeros } from "../../src/core/batch.js";
import { DomainError, FlowMatchingError, NonFiniteError, ShapeError } from "../../src/core/errors.js";
import { mlpFromSafetensors } from "../../src/nn/torch-layout.js";
import { Random } from "../../src/random/random.js";
import { readFileSync } from "node:fs";
import { fixtureUrl, maxAbsDiff, reference, session, torchMlp } from "./helpers.js";

const points = fromRows(reference.points);
const times = Float64Array.from(reference.times);

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<FlowMatchingError> {
  try { await (typeof p === "function" ? p() : p); } catch (e) { expect(e).toBeInstanceOf(FlowMatchingError); return e as FlowMatchingError; }
  throw new Error("expected a rejection");
}

describe("onnxVelocityField over onnxruntime-node", () => {
  it("velocities of the exported graph equal PyTorch's at the fixture points to 1e-5 (float32 graph vs float64 reference)", async () => {
    const field = onnxVelocityField(await session("velocity.onnx"));
    expect(field.dim).toBe(2);
    expect(field.jvpSource).toBe("finite-difference");
    const u = await field.evaluateAsync(points, times);
    expect(maxAbsDiff(u.data, reference.velocities.flat())).toBeLessThan(1e-5);
    // and PyTorch's own float32 evaluation to float32 rounding of a few layers
    expect(maxAbsDiff(u.data, reference.velocities_f32.flat())).toBeLessThan(2e-6);
    expect(field.statistics).toEqual({ runs: 1, rows: 16 });
    // out is filled and returned; a plain-number t serves every row
    const out = zeros(16, 2);
    expect(await field.evaluateAsync(points, 0.25, out)).toBe(out);
    const net = torchMlp();
    expect(maxAbsDiff(out.data, net.evaluate(points, 0.25).data)).toBeLessThan(1e-5);
  });

  it("torchcfm's (t, x) graph with a scalar t: names and convention found from the metadata", async () => {
    const field = onnxVelocityField(await session("velocity-tx.onnx"));
    const net = torchMlp();
    for (const t of [0, 0.5, 1]) expect(maxAbsDiff((await field.evaluateAsync(points, t)).data, net.evaluate(points, t).data)).toBeLessThan(1e-5);
    const e = await rejection(field.evaluateAsync(points, times));
    expect(e).toBeInstanceOf(DomainError);
    expect(e.message).toMatch(/t must be one time for every row \(the graph's "t" is a scalar\)/);
  });

  it("a graph's JVP output gives JVPs and exact divergences equal to the float64 model's, each in one run of the whole batch", async () => {
    const field = onnxVelocityField(await session("velocity-jvp.onnx"));
    expect(field.jvpSource).toBe("graph");
    const net = torchMlp();
    const v = new Random(3).normalBatch(16, 2);
    const jv = await field.jvpAsync(points, times, v);
    expect(maxAbsDiff(jv.data, net.jvp(points, times, v).data)).toBeLessThan(2e-5);
    const div = await field.divergenceAsync(points, times);
    expect(maxAbsDiff(div, net.divergence(points, times))).toBeLessThan(2e-5);
    expect(field.statistics).toEqual({ runs: 2, rows: 16 + 32 });
    expect(maxAbsDiff((await field.evaluateAsync(points, times)).data, reference.velocities.flat())).toBeLessThan(1e-5);
  });

  it("without a JVP output, central differences give JVPs within 5e-3 and divergences within 1e-2 of the exact ones (relative)", async () => {
    const field = onnxVelocityField(await session("velocity.onnx"));
    const net = torchMlp();
    const rng = new Random(5);
    const v = rng.normalBatch(16, 2);
    const jv = await field.jvpAsync(points, times, v);
    const exact = net.jvp(points, times, v);
    // error model (docs): float32 output rounding / 2h, plus O(h) secants across SELU kinks; measured 1.5e-3 at h = 2^-13
    const scale = Math.max(...Array.from(exact.data, Math.abs));
    expect(maxAbsDiff(jv.data, exact.data) / scale).toBeLessThan(5e-3);
    const div = await field.divergenceAsync(points, times);
    const exactDiv = net.divergence(points, times);
    expect(maxAbsDiff(div, exactDiv) / Math.max(1, ...Array.from(exactDiv, Math.abs))).toBeLessThan(1e-2);
    expect(field.statistics.runs).toBe(2);
    expect(field.statistics.rows).toBe(32 + 64);
    // an empty batch needs no run
    expect((await field.evaluateAsync(zeros(0, 2), 0.5)).shape).toEqual([0, 2]);
    expect((await field.divergenceAsync(zeros(0, 2), 0.5)).length).toBe(0);
    expect(field.statistics.runs).toBe(2);
    // a zero tangent gives a zero JVP exactly
    expect(Array.from((await field.jvpAsync(points, times, zeros(16, 2))).data).every((a) => a === 0)).toBe(true);
  });

  it("a class label input (flow_matching's extras) per row or broadcast, equal to PyTorch and to our Mlp in its layout", async () => {
    const labelSession = await session("velocity-label.onnx");
    const perRow = onnxVelocityField(labelSession, { condition: { name: "label", values: reference.labels } });
    expect(maxAbsDiff((await perRow.evaluateAsync(points, times)).data, reference.label_velocities.flat())).toBeLessThan(1e-5);
    const two = onnxVelocityField(labelSession, { condition: { name: "label", values: [2] } });
    expect(maxAbsDiff((await two.evaluateAsync(points, times)).data, reference.label_velocities_2.flat())).toBeLessThan(1e-5);
    // the same weights as safetensors: our conditional Mlp's input is [x, t, one-hot(label, classes + 1)]
    const net = mlpFromSafetensors(new Uint8Array(readFileSync(fixtureUrl("mlp-label-f64.safetensors"))), { activation: "silu", classes: 3 });
    expect(maxAbsDiff(net.evaluateLabeled(points, times, reference.labels).data, reference.label_velocities.flat())).toBeLessThan(1e-12);
    const e = await rejection(perRow.evaluateAsync(fromRows([[0, 0]]), 0.5));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/condition.values must have 1 .* or n \* 1 = 1 entries .* got 16/);
    const d = await rejection(() => onnxVelocityField(labelSession));
    expect(d.message).toMatch(/the session also has "label"/);
  });

  it("names, shapes and conventions that do not match the graph are typed errors at construction", async () => {
    const s = await session("velocity.onnx");
    const jvp = await session("velocity-jvp.onnx");
    const check = (f: () => unknown, type: typeof DomainError | typeof ShapeError, pattern: RegExp) => {
      let caught: unknown;
      try { f(); } catch (e) { caught = e; }
      expect(caught).toBeInstanceOf(type);
      expect((caught as Error).message).toMatch(pattern);
    };
    check(() => onnxVelocityField(s, { inputs: { x: "pos" } }), DomainError, /options.inputs.x must name an input of the session \("x", "t"\), got "pos"/);
    check(() => onnxVelocityField(s, { inputs: { t: "time" } }), DomainError, /options.inputs.t must name an input/);
    check(() => onnxVelocityField(s, { outputs: { velocity: "u" } }), DomainError, /options.outputs.velocity must name an output of the session \("velocity"\)/);
    check(() => onnxVelocityField(s, { outputs: { jvp: "jvp" } }), DomainError, /options.outputs.jvp must name an output/);
    check(() => onnxVelocityField(s, { dim: 3 }), ShapeError, /input "x" must have shape \[n, 3\].*got \[n, 2\]/);
    check(() => onnxVelocityField(s, { time: "scalar" }), ShapeError, /options.time must match the rank 1 of the graph's t input "t" \(batch\)/);
    check(() => onnxVelocityField(s, { time: "concat" }), DomainError, /the session also has "t"/);
    check(() => onnxVelocityField(s, { time: "concat", dim: 2 }), DomainError, /the session also has "t"/);
    check(() => onnxVelocityField(s, { time: "sideways" as never }), DomainError, /options.time must be/);
    check(() => onnxVelocityField(jvp, { inputs: { v: "w" } }), DomainError, /options.inputs.v must name an input \(the JVP's tangent\)/);
    check(() => onnxVelocityField(s, { condition: { name: "t", values: [] } }), DomainError, /condition.values must be a non-empty array/);
    check(() => onnxVelocityField(s, { condition: { name: "label", values: [1] } }), DomainError, /condition.name must name an input/);
    check(() => onnxVelocityField({} as never), DomainError, /session must be an onnxruntime InferenceSession/);
    check(() => onnxVelocityField(s, { finiteDifferenceStep: 0 }), DomainError, /finiteDifferenceStep must be > 0|finiteDifferenceStep/);
    const field = onnxVelocityField(s);
    expect((await rejection(field.evaluateAsync(fromRows([[1, 2, 3]]), 0.5))).message).toMatch(/x must have shape \[n, 2\], got \[1, 3\]/);
    expect((await rejection(field.evaluateAsync(points, 1.5)))).toBeInstanceOf(DomainError);
    expect((await rejection(field.jvpAsync(points, 0.5, zeros(3, 2))))).toBeInstanceOf(ShapeError);
    expect((await rejection(field.divergenceAsync(points, 0.5, new Float64Array(3))))).toBeInstanceOf(ShapeError);
  });

  it("a graph that returns the wrong shape, NaN, or fails inside onnxruntime is a typed rejection", async () => {
    const fake = (make: (feeds: Record<string, OnnxTensorLike>) => OnnxTensorLike | Error): OnnxSessionLike => ({
      inputNames: ["x", "t"], outputNames: ["velocity"],
      run: async (feeds) => { const r = make(feeds); if (r instanceof Error) throw r; return { velocity: r }; },
    });
    const n = (feeds: Record<string, OnnxTensorLike>) => (feeds.x as OnnxTensorLike).dims[0] as number;
    const wide = onnxVelocityField(fake((f) => ({ type: "float32", dims: [n(f), 3], data: new Float32Array(3 * n(f)) })), { dim: 2 });
    expect((await rejection(wide.evaluateAsync(points, 0.5))).message).toMatch(/output "velocity" must have shape \[16, 2\] \(rows, dim\), got \[16, 3\]/);
    const nan = onnxVelocityField(fake((f) => ({ type: "float32", dims: [n(f), 2], data: new Float32Array(2 * n(f)).fill(Number.NaN) })), { dim: 2 });
    expect(await rejection(nan.evaluateAsync(points, 0.5))).toBeInstanceOf(NonFiniteError);
    const ints = onnxVelocityField(fake((f) => ({ type: "int32", dims: [n(f), 2], data: new Int32Array(2 * n(f)) })), { dim: 2 });
    expect((await rejection(ints.evaluateAsync(points, 0.5))).message).toMatch(/be a float32 or float64 tensor/);
    const broken = onnxVelocityField(fake(() => new Error("Unexpected input data type")), { dim: 2 });
    const e = await rejection(broken.evaluateAsync(points, 0.5));
    expect(e).toBeInstanceOf(DomainError);
    expect(e.message).toMatch(/session must run the graph .* got the error "Unexpected input data type"/);
    // the field recovers after a rejection: the next call runs
    const ok = onnxVelocityField(await session("velocity.onnx"));
    await rejection(ok.evaluateAsync(points, 2));
    expect((await ok.evaluateAsync(points, times)).shape).toEqual([16, 2]);
  });

  it("torchcfm's raw MLP (t as x's last column), a [n, 1] time column, float64 graphs and vector conditions feed exactly what the graph expects", async () => {
    const net = torchMlp();
    const seen: Record<string, OnnxTensorLike>[] = [];
    // a stand-in session computing the float64 Mlp from the columns it is fed
    const concatSession = (type: "float32" | "float64"): OnnxSessionLike => ({
      inputNames: ["input"], outputNames: ["out"],
      inputMetadata: [{ name: "input", isTensor: true, type, shape: ["n", 3] }],
      outputMetadata: [{ name: "out", isTensor: true, type, shape: ["n", 2] }],
      run: async (feeds) => {
        seen.push(feeds);
        const input = feeds.input as OnnxTensorLike;
        const data = input.data as Float64Array | Float32Array;
        const n = input.dims[0] as number;
        const x = ndarray(Float64Array.from({ length: 2 * n }, (_, i) => data[3 * Math.floor(i / 2) + (i % 2)] as number), [n, 2]);
        const t = Float64Array.from({ length: n }, (_, r) => data[3 * r + 2] as number);
        const u = net.evaluate(x, t).data;
        return { out: { type, dims: [n, 2], data: type === "float64" ? u : Float32Array.from(u) } };
      },
    });
    const f64 = onnxVelocityField(concatSession("float64"), { inputs: { x: "input" } });
    expect(f64.dim).toBe(2);
    const u = await f64.evaluateAsync(points, times);
    // float64 graph: every value passes through unrounded
    expect(Array.from(u.data)).toEqual(Array.from(net.evaluate(points, times).data));
    expect((seen[0]?.input as OnnxTensorLike).dims).toEqual([16, 3]);
    expect((seen[0]?.input as OnnxTensorLike).data).toBeInstanceOf(Float64Array);
    const jv = await f64.jvpAsync(points, times, points);
    expect((seen[1]?.input as OnnxTensorLike).dims).toEqual([32, 3]);
    expect(maxAbsDiff(jv.data, net.jvp(points, times, points).data)).toBeLessThan(1e-5);
    const f32 = onnxVelocityField(concatSession("float32"), { inputs: { x: "input" }, time: "concat" });
    expect(maxAbsDiff((await f32.evaluateAsync(points, 0.5)).data, net.evaluate(points, 0.5).data)).toBeLessThan(1e-6);
    // a [n, 1] time column and a [n, 3] float condition (one row for all), recorded
    const columnSession: OnnxSessionLike = {
      inputNames: ["x", "t", "c"], outputNames: ["velocity"],
      inputMetadata: [
        { name: "x", isTensor: true, type: "float32", shape: ["n", 2] }, { name: "t", isTensor: true, type: "float32", shape: ["n", 1] },
        { name: "c", isTensor: true, type: "float32", shape: ["n", 3] },
      ],
      run: async (feeds) => { seen.push(feeds); const n = (feeds.x as OnnxTensorLike).dims[0] as number; return { velocity: { type: "float32", dims: [n, 2], data: new Float32Array(2 * n) } }; },
    };
    const column = onnxVelocityField(columnSession, { condition: { name: "c", values: [1, 2, 3], columns: 3 } });
    await column.evaluateAsync(fromRows([[1, 2], [3, 4]]), Float64Array.of(0.25, 0.75));
    const last = seen[seen.length - 1] as Record<string, OnnxTensorLike>;
    expect(last.t?.dims).toEqual([2, 1]);
    expect(Array.from(last.t?.data as Float32Array)).toEqual([0.25, 0.75]);
    expect(last.c?.dims).toEqual([2, 3]);
    expect(Array.from(last.c?.data as Float32Array)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(() => onnxVelocityField(columnSession, { condition: { name: "c", values: [1, 2, 3] } })).toThrow(/input "c" must have rank 1/);
    expect(() => onnxVelocityField(columnSession, { condition: { name: "c", values: [1, 2], columns: 3 } })).toThrow(/multiple of 3 entries/);
    expect(() => onnxVelocityField(columnSession, { condition: { name: "c", values: [1, Number.NaN, 3], columns: 3 } })).toThrow(/values\[1\] must be a finite number/);
  });

  it("overlapping calls are run one after the other (shared buffers) and each gets its own batch's answer", async () => {
    const field = onnxVelocityField(await session("velocity.onnx"));
    const rng = new Random(9);
    const batches = [rng.normalBatch(5, 2), rng.normalBatch(300, 2), rng.normalBatch(1, 2)];
    const together = await Promise.all(batches.map((b) => field.evaluateAsync(b, 0.5)));
    for (let i = 0; i < batches.length; i++) {
      const alone = await field.evaluateAsync(batches[i] as ReturnType<Random["normalBatch"]>, 0.5);
      expect(Array.from((together[i] as typeof alone).data)).toEqual(Array.from(alone.data));
    }
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mlp } from "../../src/nn/index.js";
import type { Activation } from "../../src/nn/spec.js";
import { mlpFromSafetensors, mlpToSafetensors } from "../../src/nn/torch-layout.js";
import { readSafetensors, writeSafetensors } from "../../src/nn/safetensors.js";
import { DomainError, FlowMatchingError, ShapeError } from "../../src/core/errors.js";
import { fromRows } from "../../src/core/batch.js";
import { Random } from "../../src/random/random.js";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../onnx/fixtures/${name}`, import.meta.url)));
const reference = JSON.parse(readFileSync(new URL("../onnx/fixtures/reference.json", import.meta.url), "utf8")) as {
  points: number[][]; times: number[]; velocities: number[][];
};

function errorOf(f: () => unknown): FlowMatchingError {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(FlowMatchingError); return e as FlowMatchingError; }
  throw new Error("expected a throw");
}

describe("mlpToSafetensors / mlpFromSafetensors", () => {
  it("Mlp -> float64 file -> Mlp is bit-exact in every parameter and output (any activation, time embedding, classes)", () => {
    const activations: Activation[] = ["silu", "selu", "tanh", "relu", "gelu"];
    fc.assert(fc.property(
      fc.constantFrom(...activations), fc.boolean(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.nat(1000),
      (activation, fourier, classes, dim, seed) => {
        const net = mlp({ dim, hidden: [5, 3], activation, time: fourier ? { fourier: 3, scale: 2 } : "concat", classes, seed });
        const back = mlpFromSafetensors(mlpToSafetensors(net));
        expect(back.parameters).toEqual(net.parameters);
        for (let i = 0; i < net.parameterCount; i++) expect(Object.is(back.parameters[i], net.parameters[i])).toBe(true);
        expect(back.toSpec()).toEqual(net.toSpec());
        const x = new Random(seed).normalBatch(3, dim);
        expect(Array.from(back.evaluate(x, 0.4).data)).toEqual(Array.from(net.evaluate(x, 0.4).data));
      }), { seed: 5, numRuns: 40 });
  });

  it("a float32 file holds the parameters rounded to nearest, and reading then writing it again changes no bit", () => {
    const net = mlp({ dim: 2, hidden: [16, 16], activation: "selu", seed: 9 });
    const once = mlpFromSafetensors(mlpToSafetensors(net, { dtype: "float32" }));
    net.parameters.forEach((p, i) => expect(once.parameters[i]).toBe(Math.fround(p)));
    const twice = mlpFromSafetensors(mlpToSafetensors(once, { dtype: "float32" }));
    expect(twice.parameters).toEqual(once.parameters);
    expect(readSafetensors(mlpToSafetensors(net, { dtype: "float32", prefix: "main." })).entries.get("main.2.weight")?.dtype).toBe("F32");
  });

  it("PyTorch's float64 state dict gives the reference velocities to 1e-12 (torch-exported weights, committed fixture)", () => {
    const net = mlpFromSafetensors(fixture("mlp-f64.safetensors"), { activation: "selu" });
    expect(net.widths).toEqual([64, 64, 64, 2]);
    const v = net.evaluate(fromRows(reference.points), Float64Array.from(reference.times));
    reference.velocities.forEach((row, i) => row.forEach((u, j) => expect(Math.abs((v.data[2 * i + j] as number) - u)).toBeLessThan(1e-12)));
    // the model was trained in float32, so its float32 state dict holds exactly the same numbers
    expect(mlpFromSafetensors(fixture("mlp-f32.safetensors"), { activation: "selu" }).parameters).toEqual(net.parameters);
  });

  it("settings come from the metadata or the options; missing or conflicting ones are typed errors", () => {
    const plain = fixture("mlp-f64.safetensors");
    expect(errorOf(() => mlpFromSafetensors(plain)).message).toMatch(/options.activation must be given/);
    expect(errorOf(() => mlpFromSafetensors(plain, { activation: "swish" as never })).message).toMatch(/must be one of silu/);
    expect(errorOf(() => mlpFromSafetensors(plain, { activation: "selu", time: { fourier: [1] } }))).toBeInstanceOf(ShapeError);
    expect(errorOf(() => mlpFromSafetensors(plain, { activation: "selu", classes: 2 })).message).toMatch(/dim \+ time features \+ classes \+ 1 = 6 input columns/);
    expect(errorOf(() => mlpFromSafetensors(plain, { activation: "selu", prefix: "main." })).message).toMatch(/hold only main.<i>.weight/);
    const ours = mlpToSafetensors(mlp({ dim: 2, hidden: [4], activation: "tanh", time: { fourier: 2 } }));
    expect(errorOf(() => mlpFromSafetensors(ours, { activation: "silu" })).message).toMatch(/options.activation must match the file's metadata activation "tanh"/);
    expect(errorOf(() => mlpFromSafetensors(ours, { time: "concat" })).message).toMatch(/options.time must match/);
    expect(errorOf(() => mlpFromSafetensors(ours, { time: { fourier: [1, 2] } })).message).toMatch(/equal the file's time.frequencies/);
    expect(mlpFromSafetensors(ours).time.kind).toBe("fourier");
  });

  it("files with other layers, missing biases or ambiguous prefixes are rejected, never half-loaded", () => {
    const w = (shape: number[]) => ({ dtype: "F64" as const, shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)) });
    const norm = writeSafetensors({ "net.0.weight": w([4, 3]), "net.0.bias": w([4]), "net.1.running_mean": w([4]), "net.2.weight": w([2, 4]), "net.2.bias": w([2]) });
    expect(errorOf(() => mlpFromSafetensors(norm, { activation: "relu" })).message).toMatch(/hold only net.<i>.weight .* got "net.1.running_mean"/);
    const noBias = writeSafetensors({ "net.0.weight": w([4, 3]), "net.0.bias": w([4]), "net.2.weight": w([2, 4]) });
    expect(errorOf(() => mlpFromSafetensors(noBias, { activation: "relu" })).message).toMatch(/hold both net.2.weight and net.2.bias/);
    const twoNets = writeSafetensors({ "a.0.weight": w([2, 3]), "a.0.bias": w([2]), "b.0.weight": w([2, 3]), "b.0.bias": w([2]) });
    expect(errorOf(() => mlpFromSafetensors(twoNets, { activation: "relu" })).message).toMatch(/options.prefix must be given/);
    expect(errorOf(() => mlpFromSafetensors(twoNets, { activation: "relu", prefix: "b." })).message).toMatch(/hold only b.<i>.weight .* got "a.0.bias"/);
    const badShape = writeSafetensors({ "0.weight": w([4, 3]), "0.bias": w([3]), "2.weight": w([2, 4]), "2.bias": w([2]) });
    expect(errorOf(() => mlpFromSafetensors(badShape, { activation: "relu" })).message).toMatch(/\[outputs, inputs\] weight with a \[outputs\] bias/);
    const chain = writeSafetensors({ "0.weight": w([4, 3]), "0.bias": w([4]), "2.weight": w([2, 5]), "2.bias": w([2]) });
    expect(errorOf(() => mlpFromSafetensors(chain, { activation: "relu" }))).toBeInstanceOf(ShapeError);
    // "net.02" would name layer 2 a second time, and one of the two would be ignored
    const filled = (shape: number[], v: number) => ({ dtype: "F64" as const, shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(v) });
    const twice = writeSafetensors({ "net.0.weight": w([3, 3]), "net.0.bias": w([3]), "net.2.weight": w([2, 3]), "net.2.bias": w([2]), "net.02.weight": filled([2, 3], 7), "net.02.bias": filled([2], 7) });
    expect(errorOf(() => mlpFromSafetensors(twice, { activation: "silu" })).message).toMatch(/hold only net.<i>.weight and net.<i>.bias tensors of Linear layers \(i a decimal index without leading zeros\), got "net.02.bias"/);
    const padded = writeSafetensors({ "net.00.weight": w([2, 3]), "net.00.bias": w([2]) });
    expect(errorOf(() => mlpFromSafetensors(padded, { activation: "silu" }))).toBeInstanceOf(DomainError);
    const ints = writeSafetensors({ "0.weight": w([2, 3]) });
    const bytes = new Uint8Array(ints);
    expect(errorOf(() => mlpFromSafetensors(bytes.subarray(0, 20), { activation: "relu" }))).toBeInstanceOf(DomainError);
    expect(errorOf(() => mlpToSafetensors(mlp({ dim: 1, hidden: [2] }), { dtype: "float16" as never })).message).toMatch(/options.dtype/);
  });
});

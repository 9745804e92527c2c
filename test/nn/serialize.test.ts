import { describe, expect, it } from "vitest";
import { mlp, Mlp, mlpSpecFromJSON, mlpSpecToJSON } from "../../src/nn/index.js";
import { Random } from "../../src/random/random.js";

describe("MLP serialization", () => {
  it("toJSON -> JSON text -> fromJSON is a bit-exact round trip of every parameter and output", () => {
    const net = mlp({ dim: 3, hidden: [7, 5], activation: "gelu", time: { fourier: 4, scale: 3 }, classes: 2, seed: 11 });
    for (let i = 0; i < net.parameterCount; i++) net.parameters[i] = (net.parameters[i] as number) * Math.PI + 1e-300 * i;
    const text = JSON.stringify(net);
    const back = Mlp.fromJSON(text);
    expect(Array.from(back.parameters)).toEqual(Array.from(net.parameters));
    expect(back.classes).toBe(2);
    expect(back.activation).toBe("gelu");
    const x = new Random(0).normalBatch(4, 3);
    expect(Array.from(back.evaluateLabeled(x, 0.7, 1).data)).toEqual(Array.from(net.evaluateLabeled(x, 0.7, 1).data));
    expect(Array.from(Mlp.fromJSON(JSON.parse(text)).parameters)).toEqual(Array.from(net.parameters));
  });

  it("rejects malformed, inconsistent, non-finite, oversized and wrongly versioned JSON with typed errors", () => {
    const good = mlp({ dim: 2, hidden: [3] }).toJSON();
    const mutate = (f: (j: any) => void) => { const j = JSON.parse(JSON.stringify(good)); f(j); return j; };
    expect(() => mlpSpecFromJSON("{not json")).toThrow(/json must be valid JSON/);
    expect(() => mlpSpecFromJSON(null)).toThrow(/json must be an object/);
    expect(() => mlpSpecFromJSON([])).toThrow(/json must be an object/);
    expect(() => mlpSpecFromJSON(mutate((j) => { j.format = "x"; }))).toThrow(/format/);
    expect(() => mlpSpecFromJSON(mutate((j) => { j.version = 2; }))).toThrow(/version must be 1/);
    expect(() => mlpSpecFromJSON(mutate((j) => { j.dim = 2.5; }))).toThrow(/dim must be an integer/);
    expect(() => mlpSpecFromJSON(mutate((j) => { j.activation = "swish"; }))).toThrow(/activation must be one of/);
    expect(() => mlpSpecFromJSON(mutate((j) => { j.activation = 3; }))).toThrow(/activation must be a string/);
    expect(() => mlpSpecFromJSON(mutate((j) => { j.time = { kind: "sine" }; }))).toThrow(/time.kind/);
    expect(() => mlpSpecFromJSON(mutate((j) => { j.layers[0].weight.pop(); }))).toThrow(/weight must have length 9/);
    expect(() => mlpSpecFromJSON(mutate((j) => { j.layers[0].weight[1] = "1"; }))).toThrow(/weight\[1\] must be a number/);
    expect(() => mlpSpecFromJSON(mutate((j) => { j.layers[0].bias[0] = null; }))).toThrow(/bias\[0\] must be a number/);
    expect(() => mlpSpecFromJSON(mutate((j) => { j.layers[0].inputs = 4; j.layers[0].weight.push(0, 0, 0); }))).toThrow(/inputs must be 3/);
    expect(() => mlpSpecFromJSON(mutate((j) => { j.layers[1].outputs = 3; }))).toThrow(/outputs must be dim = 2|weight must have length/);
    expect(() => mlpSpecFromJSON(mutate((j) => { j.layers = []; }))).toThrow(/layers must be an array/);
    expect(() => mlpSpecFromJSON(mutate((j) => { j.layers[0].outputs = 1e5; j.layers[0].inputs = 1e4; }))).toThrow(/at most/);
    expect(() => mlpSpecFromJSON('{"format":"flow-matching/mlp","version":1,"dim":2,"classes":0,"activation":"silu","time":{"kind":"concat"},"layers":[{"inputs":3,"outputs":2,"weight":[1e999,0,0,0,0,0],"bias":[0,0]}]}')).toThrow(/finite/);
    expect(() => mlpSpecToJSON({ ...good, layers: [] } as never)).toThrow();
  });

  it("ignores prototype-polluting keys: __proto__ in JSON text neither pollutes Object.prototype nor supplies fields", () => {
    const good = JSON.stringify(mlp({ dim: 1, hidden: [2] }).toJSON());
    const evil = good.replace('{"format"', '{"__proto__":{"polluted":true,"dim":5},"format"');
    const spec = mlpSpecFromJSON(evil);
    expect(spec.dim).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const noDim = JSON.parse(good.replace('"dim":1,', '"__proto__":{"dim":1},'));
    expect(() => mlpSpecFromJSON(noDim)).toThrow(/dim must be an integer/);
  });
});

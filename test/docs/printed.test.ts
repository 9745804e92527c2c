import { describe, expect, it } from "vitest";
import { expectedOutputs, formatLogLine, matchesExpected } from "./printed.js";

describe("formatLogLine writes values as the guides show them", () => {
  it("writes strings bare at the top level and quoted inside containers, typed arrays as lists", () => {
    expect(formatLogLine(["a", 1, true, null, undefined])).toBe("a 1 true null undefined");
    expect(formatLogLine([[1000, 2], new Float64Array([0.5, -1])])).toBe("[1000, 2] [0.5, -1]");
    expect(formatLogLine([{ backend: "cpu-f32", threads: [1, 2] }, ["x"]])).toBe('{ backend: "cpu-f32", threads: [1, 2] } ["x"]');
    expect(formatLogLine([new RangeError("bad")])).toBe("RangeError: bad");
  });
});

describe("matchesExpected", () => {
  it("needs the whole line to match, up to runs of whitespace", () => {
    expect(matchesExpected("[1000, 2]", "[1000,  2]")).toBe(true);
    expect(matchesExpected("[1000, 2]", "[1000, 3]")).toBe(false);
    expect(matchesExpected("true false", "true")).toBe(false);
  });
  it("treats ... as a wildcard and every other character literally", () => {
    expect(matchesExpected("0.7071067811865476 1", "0.7071... 1")).toBe(true);
    expect(matchesExpected("0.8071067811865476 1", "0.7071... 1")).toBe(false);
    expect(matchesExpected("a+b", "a+b")).toBe(true);
    expect(matchesExpected("aab", "a+b")).toBe(false);
  });
});

describe("expectedOutputs", () => {
  it("reads the // prints: comments with their lines, and not the // => ones", () => {
    expect(expectedOutputs("let x = 1;\nconsole.log(x); // prints: 1 \nconsole.log(2); // => 2")).toEqual([{ text: "1", line: 1 }]);
  });
});

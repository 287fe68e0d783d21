import { describe, expect, it } from "vitest";
import { DEFAULT, NONE, colorPoints, parseHex } from "./colors";

describe("colorPoints", () => {
  const ids = Int32Array.from([10, 20, 30, 40]);
  it("colours each group and greys the rest", () => {
    const { rgba, legend } = colorPoints(ids, [
      { key: "a", label: "A", color: "#ff0000", ids: [20, 99] },
      { key: "b", label: "B", color: null, ids: [30, 20] },
    ]);
    expect([...rgba.slice(4, 8)]).toEqual([255, 0, 0, 230]);
    expect([...rgba.slice(0, 4)]).toEqual(NONE);
    expect(legend.map((l) => [l.key, l.count, [...l.points]])).toEqual([["a", 1, [1]], ["b", 2, [2, 1]]]);
    expect(legend[1]!.color).toBe("#f28e2b");
  });
  it("uses one colour for all when there are no groups", () => {
    const { rgba, legend } = colorPoints(ids, []);
    expect([...rgba.slice(12, 16)]).toEqual(DEFAULT);
    expect(legend).toEqual([]);
  });
  it("reads hex colours", () => {
    expect(parseHex("#0a0B0c")).toEqual([10, 11, 12]);
    expect(parseHex("nope")).toEqual([128, 128, 128]);
  });
});

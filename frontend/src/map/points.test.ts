import { describe, expect, it } from "vitest";
import { samePoints, toPoints } from "./points";

describe("map points", () => {
  it("interleave x and y", () => {
    const points = toPoints([7, 9], [2.5, -1], [48.5, 35]);
    expect(Array.from(points.ids)).toEqual([7, 9]);
    expect(Array.from(points.xy)).toEqual([2.5, 48.5, -1, 35]);
  });
  it("tell when nothing moved", () => {
    const a = toPoints([1, 2], [0, 1], [0, 1]);
    expect(samePoints(a, toPoints([1, 2], [0, 1], [0, 1]))).toBe(true);
    expect(samePoints(a, toPoints([1, 2], [0, 1], [0, 2]))).toBe(false);
    expect(samePoints(a, toPoints([1, 3], [0, 1], [0, 1]))).toBe(false);
    expect(samePoints(null, a)).toBe(false);
  });
});

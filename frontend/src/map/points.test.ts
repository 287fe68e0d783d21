import { describe, expect, it } from "vitest";
import { pointsFromBytes, samePoints, toPoints } from "./points";

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

describe("pointsFromBytes", () => {
  it("reads ids then (x, y) pairs, little-endian, as the server writes them", () => {
    const buffer = new ArrayBuffer(3 * 12);
    const view = new DataView(buffer);
    [7, -1, 2_000_000_000].forEach((id, i) => view.setInt32(4 * i, id, true));
    [0.5, -0.25, 1, -1, 0.125, 0].forEach((v, k) => view.setFloat32(12 + 4 * k, v, true));
    const points = pointsFromBytes(buffer);
    expect([...points.ids]).toEqual([7, -1, 2_000_000_000]);
    expect([...points.xy]).toEqual([0.5, -0.25, 1, -1, 0.125, 0]);
    expect(pointsFromBytes(new ArrayBuffer(0)).ids.length).toBe(0);
  });
  it("refuses bytes cut short", () => {
    expect(() => pointsFromBytes(new ArrayBuffer(13))).toThrow(/cut short \(13 bytes\)/);
  });
});

import { describe, expect, it } from "vitest";
import { boundsOf } from "./camera";
import { buildIndex, cellRuns, insidePolygon, nearest, queryBox, queryPolygon, runsToDraw, thinIndex } from "./spatial";

function randomPoints(n: number, seed = 1): Float32Array {
  let state = seed;
  const random = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const xy = new Float32Array(2 * n);
  for (let i = 0; i < 2 * n; i++) xy[i] = random() * 10 - 5;
  return xy;
}

const xy = randomPoints(5000);
const index = buildIndex(xy, boundsOf(xy));

describe("buildIndex", () => {
  it("holds every point once", () => {
    expect([...index.order].sort((a, b) => a - b)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(index.starts[index.starts.length - 1]).toBe(5000);
  });
});

describe("queryBox", () => {
  it("matches a brute-force scan", () => {
    const box = { minX: -1.3, minY: 0.2, maxX: 2.1, maxY: 3.7 };
    const expected: number[] = [];
    for (let i = 0; i < 5000; i++) {
      if (xy[2 * i]! >= box.minX && xy[2 * i]! <= box.maxX && xy[2 * i + 1]! >= box.minY && xy[2 * i + 1]! <= box.maxY) expected.push(i);
    }
    expect(queryBox(index, xy, box).points.sort((a, b) => a - b)).toEqual(expected);
  });
  it("stops at the limit", () => {
    const result = queryBox(index, xy, { minX: -5, minY: -5, maxX: 5, maxY: 5 }, 10);
    expect(result.points.length).toBe(10);
    expect(result.more).toBe(true);
  });
});

describe("cellRuns", () => {
  const inside = (box: { minX: number; minY: number; maxX: number; maxY: number }, i: number) =>
    xy[2 * i]! >= box.minX && xy[2 * i]! <= box.maxX && xy[2 * i + 1]! >= box.minY && xy[2 * i + 1]! <= box.maxY;
  const expand = (runs: Uint32Array) => {
    const points: number[] = [];
    for (let k = 0; k < runs.length; k += 2) for (let s = runs[k]!; s < runs[k]! + runs[k + 1]!; s++) points.push(index.order[s]!);
    return points;
  };
  it("holds the points of the box in queryBox's order, and only those of the cells around it", () => {
    for (const box of [
      { minX: -1.3, minY: 0.2, maxX: 2.1, maxY: 3.7 },
      { minX: -9, minY: -9, maxX: 9, maxY: 9 },
      { minX: 4.99, minY: -5, maxX: 6, maxY: -4.9 },
    ]) {
      const { runs, count } = cellRuns(index, box);
      const points = expand(runs);
      expect(points.length).toBe(count);
      expect(new Set(points).size).toBe(count);
      expect(points.filter((i) => inside(box, i))).toEqual(queryBox(index, xy, box).points);
      const cellWidth = 10 / index.columns + 1e-3;
      const near = { minX: box.minX - cellWidth, minY: box.minY - cellWidth, maxX: box.maxX + cellWidth, maxY: box.maxY + cellWidth };
      expect(points.every((i) => inside(near, i))).toBe(true);
    }
  });
  it("needs one run per row of cells at most, whatever the number of points", () => {
    const box = { minX: -2, minY: -2, maxX: 2, maxY: 2 };
    const big = randomPoints(200_000, 7);
    const bigIndex = buildIndex(big, boundsOf(big));
    expect(cellRuns(bigIndex, box).runs.length / 2).toBeLessThanOrEqual(bigIndex.rows);
    expect(cellRuns(index, { minX: 6, minY: 6, maxX: 7, maxY: 7 }).count).toBe(0);
  });
});

describe("nearest", () => {
  it("matches a brute-force search", () => {
    for (const [x, y] of [[0, 0], [4.9, -4.9], [1.234, 2.345]] as const) {
      let best = -1;
      let bestD = Infinity;
      for (let i = 0; i < 5000; i++) {
        const d = (xy[2 * i]! - x) ** 2 + (xy[2 * i + 1]! - y) ** 2;
        if (d < bestD) [best, bestD] = [i, d];
      }
      expect(nearest(index, xy, x, y, 0.5)).toBe(best);
    }
  });
  it("finds nothing beyond the radius", () => {
    const lone = new Float32Array([0, 0, 10, 10]);
    expect(nearest(buildIndex(lone, boundsOf(lone)), lone, 5, 5, 1)).toBe(-1);
  });
});

describe("polygons", () => {
  it("tells inside from outside, concave shapes included", () => {
    const l = [0, 0, 4, 0, 4, 1, 1, 1, 1, 4, 0, 4]; // an L
    expect(insidePolygon(l, 0.5, 0.5)).toBe(true);
    expect(insidePolygon(l, 0.5, 3.5)).toBe(true);
    expect(insidePolygon(l, 3, 3)).toBe(false);
    expect(insidePolygon(l, -1, 0.5)).toBe(false);
  });
  it("selects the points inside a lasso, as a scan would", () => {
    const triangle = [-4, -4, 4, -4, 0, 4];
    const expected: number[] = [];
    for (let i = 0; i < 5000; i++) if (insidePolygon(triangle, xy[2 * i]!, xy[2 * i + 1]!)) expected.push(i);
    expect(queryPolygon(index, xy, triangle).sort((a, b) => a - b)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(1000);
  });
  it("needs three corners", () => {
    expect(queryPolygon(index, xy, [0, 0, 1, 1])).toEqual([]);
  });
});

describe("thinIndex", () => {
  const big = randomPoints(40_000, 3);
  const bigIndex = buildIndex(big, boundsOf(big));
  const thin = thinIndex(bigIndex, 8_000);
  it("keeps about the points asked for, each of them a point of the index, in its cell", () => {
    expect(Math.abs(thin.order.length - 8_000)).toBeLessThanOrEqual(1);
    const all = new Set(bigIndex.order);
    expect(new Set(thin.order).size).toBe(thin.order.length);
    expect([...thin.order].every((i) => all.has(i))).toBe(true);
    for (const cell of [0, 17, 2_000, bigIndex.columns * bigIndex.rows - 1]) {
      const mine = new Set(bigIndex.order.subarray(bigIndex.starts[cell]!, bigIndex.starts[cell + 1]!));
      for (let s = thin.starts[cell]!; s < thin.starts[cell + 1]!; s++) expect(mine.has(thin.order[s]!)).toBe(true);
    }
  });
  it("is spread like all the points: every part of the map keeps its share", () => {
    for (const box of [
      { minX: -5, minY: -5, maxX: 0, maxY: 0 },
      { minX: 1, minY: -2, maxX: 3, maxY: 4 },
    ]) {
      const share = cellRuns(thin, box).count / cellRuns(bigIndex, box).count;
      expect(share).toBeGreaterThan(0.19);
      expect(share).toBeLessThan(0.21);
    }
  });
  it("is the index itself when it keeps every point", () => {
    expect(thinIndex(index, 5000)).toBe(index);
  });
});

describe("runsToDraw", () => {
  const big = randomPoints(40_000, 5);
  const bigIndex = buildIndex(big, boundsOf(big));
  const thin = thinIndex(bigIndex, 4_000);
  const count = (runs: Uint32Array | null) => {
    let total = 0;
    for (let k = 0; runs && k < runs.length; k += 2) total += runs[k + 1]!;
    return total;
  };
  const wide = { minX: -3, minY: -3, maxX: 3, maxY: 3 };
  const small = { minX: 0, minY: 0, maxX: 0.5, maxY: 0.5 };
  it("draws every point once the map is still", () => {
    expect(runsToDraw(bigIndex, thin, wide, false)).toEqual({ runs: cellRuns(bigIndex, wide).runs, thin: false });
    expect(runsToDraw(bigIndex, thin, { minX: -9, minY: -9, maxX: 9, maxY: 9 }, false)).toEqual({ runs: null, thin: false });
  });
  it("draws the thinned points while moving over more points than they hold", () => {
    const drawn = runsToDraw(bigIndex, thin, wide, true);
    expect(drawn.thin).toBe(true);
    expect(count(drawn.runs)).toBe(cellRuns(thin, wide).count);
    expect(runsToDraw(bigIndex, thin, { minX: -9, minY: -9, maxX: 9, maxY: 9 }, true)).toEqual({ runs: null, thin: true });
  });
  it("draws every point while moving over fewer points than that", () => {
    const drawn = runsToDraw(bigIndex, thin, small, true);
    expect(drawn.thin).toBe(false);
    expect(count(drawn.runs)).toBe(cellRuns(bigIndex, small).count);
  });
});

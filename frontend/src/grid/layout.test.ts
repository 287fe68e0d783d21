import { describe, expect, it } from "vitest";
import { buildLayout, columnsFor, rowAt, rowOfImage, sliceRange, visibleRange, windowRange, windowRows } from "./layout";
import type { Section } from "./sections";

const metrics = { width: 500, cell: 90, gap: 10, header: 40, headers: true };

function section(key: string, count: number, children: Section[] = []): Section {
  return { key, kind: "group", label: key, depth: 0, count, total: count, source: null, children };
}

describe("columnsFor", () => {
  it("fits whole cells with gaps between them", () => {
    expect(columnsFor(500, 90, 10)).toBe(5);
    expect(columnsFor(489, 90, 10)).toBe(4);
    expect(columnsFor(10, 90, 10)).toBe(1);
  });
});

describe("buildLayout", () => {
  it("lays a header then rows of images per section", () => {
    const layout = buildLayout([section("a", 12), section("b", 5)], () => true, metrics);
    expect(layout.columns).toBe(5);
    expect(layout.rows.map((r) => r.kind)).toEqual(["header", "images", "images", "images", "header", "images"]);
    const lengths = layout.rows.filter((r) => r.kind === "images").map((r) => (r.kind === "images" ? r.length : 0));
    expect(lengths).toEqual([5, 5, 2, 5]);
    expect(layout.offsets[layout.rows.length]).toBe(40 * 2 + 100 * 4);
  });
  it("shows only the header of a collapsed section, children included", () => {
    const tree = [section("a", 3, [section("a1", 4)]), section("b", 2)];
    const layout = buildLayout(tree, (s) => s.key !== "a", metrics);
    expect(layout.rows.map((r) => r.section.key)).toEqual(["a", "b", "b"]);
  });
  it("nests children after the section's own images", () => {
    const tree = [section("a", 3, [section("a1", 4)])];
    const layout = buildLayout(tree, () => true, metrics);
    expect(layout.rows.map((r) => `${r.kind}:${r.section.key}`)).toEqual(["header:a", "images:a", "header:a1", "images:a1"]);
  });
  it("omits headers for a single ungrouped view", () => {
    const layout = buildLayout([section("all", 100_000)], () => false, { ...metrics, headers: false });
    expect(layout.rows.length).toBe(20_000);
    expect(layout.offsets[20_000]).toBe(2_000_000);
  });
});

describe("rowAt and visibleRange", () => {
  const layout = buildLayout([section("all", 1000)], () => true, { ...metrics, headers: false });
  it("finds the row under a y coordinate", () => {
    expect(rowAt(layout.offsets, 0)).toBe(0);
    expect(rowAt(layout.offsets, 99.9)).toBe(0);
    expect(rowAt(layout.offsets, 100)).toBe(1);
    expect(rowAt(layout.offsets, 1e9)).toBe(199);
    expect(rowAt(layout.offsets, -5)).toBe(0);
  });
  it("covers the viewport plus overscan", () => {
    expect(visibleRange(layout, 1000, 300, 2)).toEqual([8, 16]);
    expect(visibleRange(layout, 0, 300, 2)).toEqual([0, 6]);
    expect(visibleRange(layout, 19_800, 300, 2)).toEqual([196, 200]);
  });
  it("is empty for an empty layout", () => {
    const empty = buildLayout([], () => true, metrics);
    expect(visibleRange(empty, 0, 500)).toEqual([0, 0]);
  });
  it("matches a linear scan on random offsets", () => {
    const tree = Array.from({ length: 40 }, (_, i) => section(`s${i}`, (i * 7) % 13));
    const big = buildLayout(tree, (s) => Number(s.key.slice(1)) % 3 !== 0, metrics);
    for (let y = 0; y < big.offsets[big.rows.length]!; y += 37) {
      let expected = 0;
      for (let i = 0; i < big.rows.length; i++) if (big.offsets[i]! <= y) expected = i;
      expect(rowAt(big.offsets, y)).toBe(expected);
    }
  });
});

describe("windowRange", () => {
  const grid = { width: 1384, cell: 128, gap: 6, header: 40, headers: true };

  it("covers the rows in view and the overscan wherever the grid is scrolled, headers included", () => {
    const layout = buildLayout([section("a", 10_000), section("b", 37), section("c", 5_000)], () => true, grid);
    const count = windowRows(900, 40, 4);
    const total = layout.offsets[layout.rows.length]!;
    for (let top = 0; top <= total - 900; top += 97) {
      const [first, last] = windowRange(layout, top, 900, count, 4);
      const [needFirst, needLast] = visibleRange(layout, top, 900, 4);
      expect(first).toBeLessThanOrEqual(needFirst);
      expect(last).toBeGreaterThanOrEqual(needLast);
      // one length all the way (the last screen too), except at the top: no more than in view
      if (first > 0) expect(last - first).toBe(count);
      else expect([first, last]).toEqual([needFirst, needLast]);
    }
  });

  it("hands the slots of the rows leaving the window to the rows entering it (elements reused)", () => {
    const layout = buildLayout([section("a", 100_000)], () => true, { ...grid, headers: false });
    const count = windowRows(900, 134, 4);
    const slots = (top: number) => {
      const [first, last] = windowRange(layout, top, 900, count, 4);
      return new Map(Array.from({ length: last - first }, (_, i) => [(first + i) % count, first + i]));
    };
    const before = slots(50_000);
    const after = slots(50_000 + 400); // a fling's frame: three rows further
    expect(before.size).toBe(count);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort()); // no slot created or dropped
    const moved = [...after].filter(([slot, row]) => before.get(slot) !== row);
    expect(moved).toHaveLength(3);
  });

  it("shows every row of a grid shorter than the window", () => {
    const layout = buildLayout([section("a", 12)], () => true, metrics);
    expect(windowRange(layout, 0, 900, 50, 4)).toEqual([0, layout.rows.length]);
  });
});

describe("positions", () => {
  const tree = [section("a", 7), section("b", 3), section("c", 6)];
  const layout = buildLayout(tree, () => true, metrics);
  it("finds the row of an image", () => {
    expect(rowOfImage(layout, "a", 0)).toBe(1);
    expect(rowOfImage(layout, "a", 6)).toBe(2);
    expect(rowOfImage(layout, "c", 5)).toBe(7);
    expect(rowOfImage(layout, "zz", 0)).toBe(-1);
  });
  it("slices a range across sections, in either direction", () => {
    const forward = sliceRange(layout, { section: "a", index: 5 }, { section: "c", index: 1 });
    expect(forward.map((s) => [s.section.key, s.start, s.end])).toEqual([["a", 5, 7], ["b", 0, 3], ["c", 0, 2]]);
    const backward = sliceRange(layout, { section: "c", index: 1 }, { section: "a", index: 5 });
    expect(backward).toEqual(forward);
  });
  it("slices within one section", () => {
    const inside = sliceRange(layout, { section: "b", index: 2 }, { section: "b", index: 0 });
    expect(inside.map((s) => [s.section.key, s.start, s.end])).toEqual([["b", 0, 3]]);
  });
  it("is empty when a position is hidden", () => {
    const collapsed = buildLayout(tree, (s) => s.key !== "b", metrics);
    expect(sliceRange(collapsed, { section: "b", index: 0 }, { section: "c", index: 0 })).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { moveCursor } from "./keyboard";
import { buildLayout } from "./layout";
import type { Section } from "./sections";

const section = (key: string, count: number): Section => ({ key, kind: "group", label: key, depth: 0, count, total: count, source: null, children: [] });
// 3 columns: a = [0 1 2][3 4], b = [0 1 2][3]
const layout = buildLayout([section("a", 5), section("b", 4)], () => true, { width: 300, cell: 90, gap: 10, header: 40, headers: true });
const at = (s: string, index: number) => ({ section: s, index });

describe("moveCursor", () => {
  it("starts at the first image", () => {
    expect(moveCursor(layout, null, "ArrowDown")).toEqual(at("a", 0));
  });
  it("moves left and right across rows and sections", () => {
    expect(moveCursor(layout, at("a", 2), "ArrowRight")).toEqual(at("a", 3));
    expect(moveCursor(layout, at("a", 4), "ArrowRight")).toEqual(at("b", 0));
    expect(moveCursor(layout, at("b", 0), "ArrowLeft")).toEqual(at("a", 4));
    expect(moveCursor(layout, at("a", 0), "ArrowLeft")).toEqual(at("a", 0));
  });
  it("moves up and down by rows, keeping the column when it can", () => {
    expect(moveCursor(layout, at("a", 1), "ArrowDown")).toEqual(at("a", 4));
    expect(moveCursor(layout, at("a", 2), "ArrowDown")).toEqual(at("a", 4));
    expect(moveCursor(layout, at("a", 4), "ArrowDown")).toEqual(at("b", 1));
    expect(moveCursor(layout, at("b", 3), "ArrowDown")).toEqual(at("b", 3));
    expect(moveCursor(layout, at("b", 2), "ArrowUp")).toEqual(at("a", 4));
  });
  it("jumps to the ends", () => {
    expect(moveCursor(layout, at("b", 1), "Home")).toEqual(at("a", 0));
    expect(moveCursor(layout, at("a", 1), "End")).toEqual(at("b", 3));
  });
  it("ignores other keys", () => {
    expect(moveCursor(layout, at("a", 1), "x")).toBeNull();
  });
});

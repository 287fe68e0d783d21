import { describe, expect, it } from "vitest";
import type { PropertyOut } from "../api/types";
import { aboveThreshold, copyChange, initialThreshold } from "./similar";

const items = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, score: 1 - i * 0.03 }));
const tags: PropertyOut = { id: 1, name: "style", type: "multi_tags", mode: "image", read_only: false, tags: [{ id: 7, property_id: 1, name: "geometric", color: "#000000", parents: [] }] };

describe("similar images", () => {
  it("keeps the images above the threshold", () => {
    expect(aboveThreshold(items, 0.9).map((i) => i.id)).toEqual([1, 2, 3, 4]);
  });
  it("starts the slider near the tenth best score", () => {
    expect(initialThreshold(items)).toBeCloseTo(0.73);
    expect(initialThreshold([])).toBe(0.5);
  });
  it("copies tags by name and scalars as they are", () => {
    expect(copyChange(tags, [7])).toEqual({ kind: "tags", names: ["geometric"], mode: "add" });
    expect(copyChange({ ...tags, type: "tag" }, [7])).toEqual({ kind: "tags", names: ["geometric"], mode: "replace" });
    expect(copyChange({ ...tags, type: "number", tags: [] }, 3)).toEqual({ kind: "scalar", value: 3 });
    expect(copyChange(tags, undefined)).toBeNull();
  });
});

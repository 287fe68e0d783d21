import { describe, expect, it } from "vitest";
import { keepSplit, proposeKeep, proposeKeepWithReason, similarityOf } from "./keepOne";

describe("similarityOf", () => {
  it("turns the group score back into the mean similarity", () => {
    expect(similarityOf(0)).toBe(1);
    expect(similarityOf(3)).toBeCloseTo(0.97);
    expect(similarityOf(150)).toBe(0);
    expect(similarityOf(null)).toBeNull();
  });
});

describe("proposeKeep", () => {
  it("keeps the largest picture", () => {
    const t = "2026-01-01";
    expect(proposeKeep([{ id: 1, width: 100, height: 100, created_at: t }, { id: 2, width: 200, height: 150, created_at: t }, { id: 3, width: 150, height: 190, created_at: t }])).toBe(2);
    expect(proposeKeep([])).toBeNull();
  });
  it("says why, and keeps the one imported first among equal sizes", () => {
    expect(proposeKeepWithReason([{ id: 1, width: 10, height: 10, created_at: "2026-01-01" }, { id: 2, width: 20, height: 10, created_at: "2026-01-02" }])).toEqual({ id: 2, reason: "Largest picture (20×10)." });
    const tie = proposeKeepWithReason([{ id: 4, width: 10, height: 10, created_at: "2026-01-03" }, { id: 5, width: 10, height: 10, created_at: "2026-01-02" }]);
    expect(tie).toEqual({ id: 5, reason: "Same size as another copy; imported first." });
  });
  it("keeps the least compressed copy among equal sizes, then the one imported first", () => {
    const base = { width: 10, height: 10 };
    const lighter = { ...base, id: 6, created_at: "2026-01-01", file_size: 900 };
    const heavier = { ...base, id: 7, created_at: "2026-01-02", file_size: 1_234_567 };
    expect(proposeKeepWithReason([lighter, heavier])).toEqual({ id: 7, reason: "Same size as another copy; the largest file, so the least compressed (1.2 MB)." });
    expect(proposeKeepWithReason([heavier, { ...heavier, id: 8, created_at: "2026-01-01" }])).toEqual({ id: 8, reason: "Same size as another copy; imported first." });
    expect(proposeKeep([{ ...base, id: 9, created_at: "2026-01-01", file_size: null }, lighter])).toBe(6);
    expect(proposeKeep([{ ...lighter, id: 10, width: 11 }, heavier])).toBe(10); // pixels come first
  });
});

describe("keepSplit", () => {
  it("marks every image but the kept one", () => {
    expect(keepSplit([{ ids: [1, 2, 3], keep: 2 }, { ids: [4, 5], keep: 5 }])).toEqual({ keep: [2, 5], duplicate: [1, 3, 4] });
  });
  it("never marks an image kept elsewhere as a duplicate", () => {
    expect(keepSplit([{ ids: [1, 2], keep: 1 }, { ids: [1, 3], keep: 3 }])).toEqual({ keep: [1, 3], duplicate: [2] });
  });
});

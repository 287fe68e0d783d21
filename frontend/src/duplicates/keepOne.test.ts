import { describe, expect, it } from "vitest";
import { keepSplit, proposeKeep, similarityOf } from "./keepOne";

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
    expect(proposeKeep([{ id: 1, width: 100, height: 100 }, { id: 2, width: 200, height: 150 }, { id: 3, width: 150, height: 200 }])).toBe(2);
    expect(proposeKeep([])).toBeNull();
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

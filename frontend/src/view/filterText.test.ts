import { describe, expect, it } from "vitest";
import type { PropertyOut } from "../api/types";
import { compactFilter, conditionText, filterChips, opsFor } from "./filterText";

const properties: PropertyOut[] = [
  { id: 1, name: "period", type: "tag", mode: "image", read_only: false, tags: [{ id: 7, property_id: 1, name: "archaic", color: "#000000", parents: [] }] },
  { id: 2, name: "height", type: "number", mode: "image", read_only: false },
  { id: 3, name: "checked", type: "checkbox", mode: "image", read_only: false },
];

describe("conditionText", () => {
  it("names tags and values", () => {
    expect(conditionText({ property: 1, op: "any", tags: [7] }, properties)).toBe("period is archaic");
    expect(conditionText({ property: 2, op: "ge", value: 30 }, properties)).toBe("height ≥ 30");
    expect(conditionText({ property: 3, op: "eq", value: true }, properties)).toBe("checked = yes");
    expect(conditionText({ property: 2, op: "empty" }, properties)).toBe("height is empty");
    expect(conditionText({ property: 99, op: "eq", value: "x" }, properties)).toBe("99 = x");
  });
});

describe("opsFor", () => {
  it("offers the operators of the property's type", () => {
    expect(opsFor(properties[0])).toContain("any");
    expect(opsFor(properties[1])).toContain("lt");
    expect(opsFor(properties[1])).not.toContain("contains");
    expect(opsFor(properties[2])).toEqual(["eq", "empty", "not_empty"]);
  });
});

describe("filterChips", () => {
  const filter = {
    folder_ids: [4, 5],
    path_contains: "amphora",
    conditions: [{ property: 1, op: "any" as const, tags: [7] }, { property: 2, op: "gt" as const, value: 3 }],
  };
  const folders = [{ id: 4, path: "/data/vases/", added_at: "", imported_at: null, images: 3 }];
  const chips = filterChips(filter, properties, folders);

  it("has a chip per part", () => {
    expect(chips.map((c) => c.label)).toEqual(["folder: vases", "folder: #5", "path contains “amphora”", "period is archaic", "height > 3"]);
  });
  it("removes exactly its own part", () => {
    expect(chips[0]!.remove(filter).folder_ids).toEqual([5]);
    expect(chips[3]!.remove(filter).conditions).toEqual([{ property: 2, op: "gt", value: 3 }]);
    expect(compactFilter(chips[2]!.remove(filter)).path_contains).toBeUndefined();
  });
});

describe("compactFilter", () => {
  it("drops empty parts", () => {
    expect(compactFilter({ folder_ids: [], conditions: [], path_contains: "", status: null })).toEqual({});
  });
});

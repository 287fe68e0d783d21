import { describe, expect, it } from "vitest";
import type { Section } from "../grid/sections";
import { acceptSteps, changesOf, savedTagOf, targetOf } from "./accept";

const base: Section = { key: "k", kind: "group", label: "x", depth: 0, count: 1, total: 1, source: null, children: [] };
const levels = [{ ref: 3, kind: "tags" as const }, { ref: 5, kind: "scalar" as const }];

describe("targetOf", () => {
  it("names clusters by group and grid groups by their keys", () => {
    expect(targetOf({ ...base, groupId: 12 })).toBe("group:12");
    expect(targetOf({ ...base, path: [7, "red"] }, levels)).toBe('grid:3=7/5="red"');
    expect(targetOf({ ...base, path: [7] }, levels)).toBe("tag:7");
    expect(targetOf({ ...base, path: [null] }, levels)).toBe("grid:3=null");
  });
});

describe("acceptSteps", () => {
  it("gives every level's value, the parent groups' included", () => {
    expect(acceptSteps({ ...base, path: [7, "red"] }, levels)).toEqual([
      { kind: "tag", property: 3, tag: 7 },
      { kind: "value", property: 5, value: "red" },
    ]);
  });
  it("clears a property for the group without a value", () => {
    expect(acceptSteps({ ...base, path: [7, null] }, levels)).toEqual([
      { kind: "tag", property: 3, tag: 7 },
      { kind: "clear", property: 5 },
    ]);
  });
  it("refuses folders with a reason", () => {
    expect(typeof acceptSteps({ ...base, path: [2] }, [{ ref: "folder", kind: "folder" }])).toBe("string");
  });
  it("makes the image a member of an unsaved cluster, and tags it for a saved one", () => {
    expect(acceptSteps({ ...base, groupId: 4 }, [])).toEqual([{ kind: "member", group: 4 }]);
    expect(acceptSteps({ ...base, groupId: 4 }, [], 9)).toEqual([]);
  });
});

describe("changesOf", () => {
  it("turns value steps into one batch of changes", () => {
    const types = (property: number) => (property === 3 ? "multi_tags" : "text");
    expect(
      changesOf(
        [
          { kind: "tag", property: 3, tag: 7 },
          { kind: "value", property: 5, value: "red" },
          { kind: "clear", property: 6 },
        ],
        types,
      ),
    ).toEqual([
      { property: 3, op: "add-tags", value: [7] },
      { property: 5, op: "set", value: "red" },
      { property: 6, op: "clear" },
    ]);
    expect(changesOf([{ kind: "tag", property: 2, tag: 1 }], () => "tag")).toEqual([
      { property: 2, op: "set", value: [1] },
    ]);
  });
});

describe("savedTagOf", () => {
  it("finds the cluster's tag by its label", () => {
    const saved = { id: 1, name: "Clustering", type: "tag", mode: "image", read_only: false, tags: [{ id: 9, property_id: 1, name: "Cluster 2", color: "#000000", parents: [] }] };
    expect(savedTagOf({ ...base, label: "Cluster 2" }, saved)).toBe(9);
    expect(savedTagOf({ ...base, label: "Cluster 3" }, saved)).toBeUndefined();
  });
});

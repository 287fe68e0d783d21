import { describe, expect, it } from "vitest";
import type { TagOut } from "../api/types";
import { descendantsOf, possibleParents, proposedSurvivor, tagRows } from "./tagTree";

const tag = (id: number, name: string, parents: number[] = [], count = 0): TagOut => ({ id, property_id: 1, name, color: "#000000", parents, count });

// animals ─ cats ─ lions     plants
//         └ dogs            (lions also under "big")  big
const tags = [
  tag(1, "animals", [], 1),
  tag(2, "cats", [1], 3),
  tag(3, "dogs", [1], 5),
  tag(4, "lions", [2, 6], 2),
  tag(5, "plants", [], 4),
  tag(6, "big", [], 0),
];

describe("tagRows", () => {
  it("lists the tree in name order with depths", () => {
    const rows = tagRows(tags);
    expect(rows.map((r) => `${"  ".repeat(r.depth)}${r.tag.name}`)).toEqual([
      "animals", "  cats", "    lions", "  dogs", "big", "  lions", "plants",
    ]);
  });
  it("gives each occurrence of a tag its own key", () => {
    const keys = tagRows(tags).map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain("1/2/4");
    expect(keys).toContain("6/4");
  });
  it("sums counts below a tag, each tag once", () => {
    const rows = tagRows(tags);
    expect(rows.find((r) => r.key === "1")!.total).toBe(1 + 3 + 5 + 2);
    expect(rows.find((r) => r.key === "6")!.total).toBe(2);
  });
  it("hides what is below a collapsed row", () => {
    const rows = tagRows(tags, new Set(["1"]));
    expect(rows.map((r) => r.tag.name)).toEqual(["animals", "big", "lions", "plants"]);
    expect(rows[0]!.hasChildren).toBe(true);
  });
  it("filters by name, keeping ancestors", () => {
    const rows = tagRows(tags, new Set(["1"]), "LION");
    expect(rows.map((r) => r.key)).toEqual(["1", "1/2", "1/2/4", "6", "6/4"]);
  });
  it("sorts names naturally", () => {
    const rows = tagRows([tag(1, "Cluster 10"), tag(2, "Cluster 2"), tag(3, "cluster 1")]);
    expect(rows.map((r) => r.tag.name)).toEqual(["cluster 1", "Cluster 2", "Cluster 10"]);
  });
  it("ignores parents that are not in the list", () => {
    expect(tagRows([tag(9, "orphan", [42])]).map((r) => r.depth)).toEqual([0]);
  });
});

describe("parents", () => {
  it("finds descendants through several levels", () => {
    expect([...descendantsOf(tags, 1)].sort()).toEqual([2, 3, 4]);
    expect(descendantsOf(tags, 4).size).toBe(0);
  });
  it("never proposes a parent that would make a cycle", () => {
    expect(possibleParents(tags, 1).map((t) => t.id).sort()).toEqual([5, 6]);
    expect(possibleParents(tags, 4).map((t) => t.id).sort()).toEqual([1, 2, 3, 5, 6]);
  });
});

describe("proposedSurvivor", () => {
  it("keeps the tag with the most images", () => {
    expect(proposedSurvivor(tags, [2, 3, 4])).toBe(3);
    expect(proposedSurvivor(tags, [])).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import type { GroupingOut } from "../api/types";
import { allSection, groupLabel, groupingSections, narrowFilter, nestByDepth } from "./groupTree";
import { switchLocale } from "../i18n";
import { walk } from "./sections";

const tags = { ref: 3, kind: "tags" as const };
const text = { ref: 5, kind: "scalar" as const };
const folder = { ref: "folder" as const, kind: "folder" as const };

describe("narrowFilter", () => {
  it("adds one condition per level key", () => {
    const filter = narrowFilter({ path_contains: "x" }, [tags, text], [7, "blue"]);
    expect(filter.path_contains).toBe("x");
    expect(filter.conditions).toEqual([
      { property: 3, op: "any", tags: [7], descendants: false },
      { property: 5, op: "eq", value: "blue" },
    ]);
  });
  it("uses 'empty' for the group without a value", () => {
    expect(narrowFilter({}, [text], [null]).conditions).toEqual([{ property: 5, op: "empty" }]);
  });
  it("narrows folders by id and keeps the view's conditions", () => {
    const base = { conditions: [{ property: 9, op: "not_empty" as const }] };
    const filter = narrowFilter(base, [folder], [4]);
    expect(filter.folder_ids).toEqual([4]);
    expect(filter.conditions).toEqual(base.conditions);
    expect(base.conditions.length).toBe(1);
  });
});

describe("nestByDepth", () => {
  it("nests items under the last shallower one", () => {
    const items = [{ n: "a", depth: 0 }, { n: "a1", depth: 1 }, { n: "a1x", depth: 2 }, { n: "a2", depth: 1 }, { n: "b", depth: 0 }];
    const roots = nestByDepth(items);
    expect(roots.map((r) => r.item.n)).toEqual(["a", "b"]);
    expect(roots[0]!.children.map((c) => c.item.n)).toEqual(["a1", "a2"]);
    expect(roots[0]!.children[0]!.children.map((c) => c.item.n)).toEqual(["a1x"]);
  });
});

describe("groupingSections", () => {
  const grouping: GroupingOut = {
    total: 10,
    levels: ["Clustering", "colour"],
    truncated: 0,
    groups: [
      { key: 1, label: "Cluster 1", count: 2, total: 6, depth: 0, parents: [], color: "#ff0000",
        children: [{ key: "red", label: "red", count: 2 }] },
      { key: 2, label: "Cluster 1.1", count: 4, total: 4, depth: 1, parents: [1],
        children: [{ key: "red", label: "red", count: 1 }, { key: null, label: "(no value)", count: 3 }] },
      { key: null, label: "(no value)", count: 4, total: 4, depth: 0, children: [{ key: null, label: "(no value)", count: 4 }] },
    ],
  };
  const sections = groupingSections(grouping, [tags, text], { status: "ok" }, { key: "path" });

  it("nests tag children and next levels", () => {
    expect(sections.map((s) => s.label)).toEqual(["Cluster 1", "(no value)"]);
    const first = sections[0]!;
    expect(first.total).toBe(6);
    expect(first.count).toBe(0); // its images are shown by the next level
    expect(first.children.map((c) => c.label)).toEqual(["red", "Cluster 1.1"]);
    expect(first.children[1]!.children.map((c) => c.label)).toEqual(["red", "(no value)"]);
    expect(first.children[1]!.depth).toBe(1);
  });
  it("gives leaves a source narrowed to their path", () => {
    const leaf = sections[0]!.children[1]!.children[1]!;
    expect(leaf.count).toBe(3);
    expect(leaf.path).toEqual([2, null]);
    expect(leaf.source?.sort).toEqual({ key: "path" });
    expect(leaf.source?.filter.status).toBe("ok");
    expect(leaf.source?.filter.conditions).toEqual([
      { property: 3, op: "any", tags: [2], descendants: false },
      { property: 5, op: "empty" },
    ]);
  });
  it("has unique keys", () => {
    const keys = [...walk(sections)].map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
  it("lists a single level's images directly", () => {
    const one = groupingSections({ total: 3, levels: ["c"], truncated: 0, groups: [{ key: "a", label: "a", count: 3 }] }, [text], {}, {});
    expect(one[0]!.count).toBe(3);
    expect(one[0]!.source).not.toBeNull();
  });
});

describe("allSection", () => {
  it("lists every image of the view", () => {
    const all = allSection(42, { status: "ok" }, { key: "id" });
    expect(all.count).toBe(42);
    expect(all.source?.filter).toEqual({ status: "ok" });
  });
});

describe("groupLabel", () => {
  it("names the empty group and a checkbox's values in the current language", () => {
    const empty = { key: null, label: "(no value)", count: 1 };
    const ticked = { key: true, label: "true", count: 2 };
    const named = { key: 4, label: "Archaic", count: 3 };
    expect([empty, ticked, named].map(groupLabel)).toEqual(["(no value)", "yes", "Archaic"]);
    switchLocale("fr");
    try {
      expect([empty, ticked, named].map(groupLabel)).toEqual(["(sans valeur)", "oui", "Archaic"]);
    } finally {
      switchLocale("en");
    }
  });
});

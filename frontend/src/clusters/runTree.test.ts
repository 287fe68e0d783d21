import { describe, expect, it } from "vitest";
import type { RunLike } from "./runTree";
import { describeRun, groupWords, orderGroups, runGroupLabel, runSections } from "./runTree";
import { switchLocale } from "../i18n";

const group = (id: number, rank: number, score: number | null, size: number, kind = "cluster", child_run_ids: number[] = []) => ({
  id, rank, kind, name: null as string | null, number: String(rank + 1), score, size, child_run_ids,
});

const root: RunLike = {
  id: 1, algorithm: "kmeans", params: { k: 3 }, n_images: 30,
  groups: [group(10, 0, 40, 12, "cluster", [2]), group(11, 1, 12, 10), group(12, 2, null, 3, "outliers"), group(13, 3, 25, 5)],
};
const nested: RunLike = { id: 2, algorithm: "auto", params: {}, n_images: 12, groups: [group(20, 0, 30, 7), group(21, 1, 8, 5)] };
const runs = new Map([[1, root], [2, nested]]);

describe("orderGroups", () => {
  it("puts the most coherent first and outliers last", () => {
    expect(orderGroups(root.groups).map((g) => g.id)).toEqual([11, 13, 10, 12]);
  });
  it("breaks ties by rank and puts unscored groups after scored ones", () => {
    const tied = [group(1, 1, 5, 1), group(2, 0, 5, 1), group(3, 2, null, 1)];
    expect(orderGroups(tied).map((g) => g.id)).toEqual([2, 1, 3]);
  });
});

describe("runGroupLabel", () => {
  it("names an unnamed group by its kind and number in the interface's language", () => {
    const cases = [{ kind: "cluster", name: null, number: "2.1" }, { kind: "outliers", name: null, number: "3" }, { kind: "unassigned", name: null, number: "4" }];
    expect(cases.map(runGroupLabel)).toEqual(["Cluster 2.1", "Outliers 3", "Unassigned 4"]);
    switchLocale("fr");
    try {
      expect(cases.map(runGroupLabel)).toEqual(["Cluster 2.1", "Atypiques 3", "Non attribuées 4"]);
    } finally {
      switchLocale("en");
    }
  });
  it("keeps the name the user gave", () => {
    switchLocale("fr");
    try {
      expect(runGroupLabel({ kind: "outliers", name: "Vases", number: "3" })).toBe("Vases");
    } finally {
      switchLocale("en");
    }
  });
});

describe("groupWords", () => {
  it("gives the server the names the interface shows, with the number left for it to fill", () => {
    const fill = (template: string, number: string) => template.replace("{number}", number);
    const words = () => groupWords();
    for (const locale of ["en", "fr"] as const) {
      switchLocale(locale);
      try {
        const { cluster, outliers, unassigned } = words();
        expect([fill(cluster, "2.1"), fill(outliers, "3"), fill(unassigned, "4")]).toEqual([
          runGroupLabel({ kind: "cluster", name: null, number: "2.1" }),
          runGroupLabel({ kind: "outliers", name: null, number: "3" }),
          runGroupLabel({ kind: "unassigned", name: null, number: "4" }),
        ]);
      } finally {
        switchLocale("en");
      }
    }
    switchLocale("fr");
    try {
      expect(words().outliers).toBe("Atypiques {number}");
    } finally {
      switchLocale("en");
    }
  });
});

describe("runSections", () => {
  const sections = runSections(root, runs);

  it("makes a line per cluster with its count and score", () => {
    expect(sections.map((s) => [s.groupId, s.total, s.score])).toEqual([[11, 10, 12], [13, 5, 25], [10, 12, 40], [12, 3, null]]);
    expect(sections[3]!.kind).toBe("outliers");
  });
  it("lists members typical → odd", () => {
    expect(sections[0]!.source).toEqual({ filter: { group_id: 11 }, sort: { key: "rank" } });
  });
  it("shows sub-clusters instead of the images of a cluster clustered again", () => {
    const parent = sections[2]!;
    expect(parent.count).toBe(0);
    expect(parent.source).toBeNull();
    expect(parent.childRunId).toBe(2);
    expect(parent.children.map((c) => [c.groupId, c.depth])).toEqual([[21, 1], [20, 1]]);
  });
  it("hides closed lines", () => {
    expect(runSections(root, runs, new Set([13, 21])).map((s) => s.groupId)).toEqual([11, 10, 12]);
    expect(runSections(root, runs, new Set([21]))[2]!.children.map((c) => c.groupId)).toEqual([20]);
  });
  it("shows images when the nested run is not loaded", () => {
    const alone = runSections(root, new Map([[1, root]]));
    expect(alone[2]!.count).toBe(12);
  });
});

describe("describeRun", () => {
  it("says the algorithm and the number of clusters", () => {
    expect(describeRun(root)).toBe("k-means · 3 clusters · 30 images");
  });
});

import { describe, expect, it } from "vitest";
import { FACTORY, loadDefaults, normalise, problems, saveDefaults, summary, toRequest } from "./params";

const memory = () => {
  const map = new Map<string, string>();
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
};

describe("problems", () => {
  it("accepts the factory defaults", () => {
    expect(problems(FACTORY)).toEqual([]);
  });
  it("checks the number of clusters", () => {
    expect(problems({ ...FACTORY, algorithm: "kmeans", k: 0 })).toHaveLength(1);
    expect(problems({ ...FACTORY, algorithm: "kmeans", k: 2.5 })).toHaveLength(1);
    expect(problems({ ...FACTORY, algorithm: "kmeans", k: 2 })).toEqual([]);
    expect(problems({ ...FACTORY, algorithm: "auto", k: -2 })).toHaveLength(1);
  });
  it("accepts -1 with k-means selected, as the dialog says: it chooses automatic", () => {
    const typed = { ...FACTORY, algorithm: "kmeans" as const, k: -1 };
    expect(problems(typed)).toEqual([]);
    expect(toRequest(typed)).toEqual({ algorithm: "auto", k: -1 });
  });
  it("checks the threshold and the property", () => {
    expect(problems({ ...FACTORY, algorithm: "duplicates", threshold: 0 })).toHaveLength(1);
    expect(problems({ ...FACTORY, algorithm: "duplicates", threshold: 1.5 })).toHaveLength(1);
    expect(problems({ ...FACTORY, algorithm: "tags" })).toHaveLength(1);
    expect(problems({ ...FACTORY, algorithm: "tags", property: 3 })).toEqual([]);
  });
});

describe("normalise and toRequest", () => {
  it("reads -1 as automatic and a number as k-means", () => {
    expect(normalise({ ...FACTORY, algorithm: "kmeans", k: -1 }).algorithm).toBe("auto");
    expect(normalise({ ...FACTORY, algorithm: "auto", k: 2 }).algorithm).toBe("kmeans");
    expect(toRequest({ ...FACTORY, algorithm: "auto", k: 4 })).toEqual({ algorithm: "kmeans", k: 4 });
    expect(toRequest(FACTORY)).toEqual({ algorithm: "auto", k: -1 });
  });
  it("sends only what the algorithm uses", () => {
    expect(toRequest({ ...FACTORY, algorithm: "duplicates", threshold: 0.9 })).toEqual({ algorithm: "duplicates", threshold: 0.9 });
    expect(toRequest({ ...FACTORY, algorithm: "tags", property: 2 })).toEqual({ algorithm: "tags", property: 2 });
  });
  it("summarises", () => {
    expect(summary({ ...FACTORY, algorithm: "kmeans", k: 3 })).toBe("k-means, 3 clusters");
  });
});

describe("defaults", () => {
  it("remembers what was set as default", () => {
    const storage = memory();
    expect(loadDefaults(storage)).toEqual(FACTORY);
    saveDefaults({ ...FACTORY, algorithm: "kmeans", k: 12 }, storage);
    expect(loadDefaults(storage)).toEqual({ ...FACTORY, algorithm: "kmeans", k: 12 });
  });
  it("falls back to the factory defaults on junk", () => {
    const storage = memory();
    storage.setItem("corpuscope.clusterDefaults", "{oops");
    expect(loadDefaults(storage)).toEqual(FACTORY);
    storage.setItem("corpuscope.clusterDefaults", JSON.stringify({ algorithm: "magic" }));
    expect(loadDefaults(storage)).toEqual(FACTORY);
    storage.setItem("corpuscope.clusterDefaults", JSON.stringify({ algorithm: "kmeans", k: -5 }));
    expect(loadDefaults(storage)).toEqual(FACTORY);
  });
});

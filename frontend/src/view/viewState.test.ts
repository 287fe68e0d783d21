import { describe, expect, it } from "vitest";
import type { ViewState } from "./viewState";
import { defaultState, formatHash, fromQuery, loadLastView, parseHash, saveLastView, toQuery } from "./viewState";

const rich: ViewState = {
  view: "grid",
  filter: { folder_ids: [2], path_contains: "vase", conditions: [{ property: 3, op: "any", tags: [7, 8] }] },
  sort: { key: "property", property: 4, descending: true },
  groupBy: [3, "folder"],
  run: 12,
  size: 192,
};

describe("query string", () => {
  it("round-trips a full state", () => {
    expect(fromQuery("grid", toQuery(rich))).toEqual(rich);
  });
  it("is empty for the default state", () => {
    expect(toQuery(defaultState())).toBe("");
    expect(fromQuery("grid", "")).toEqual(defaultState());
  });
  it("ignores junk instead of failing", () => {
    const state = fromQuery("nonsense", "sort=drop&group=1,x,folder&run=abc&size=7&filter=%7Bbad");
    expect(state.view).toBe("grid");
    expect(state.sort).toEqual({ key: "id" });
    expect(state.groupBy).toEqual([1, "folder"]);
    expect(state.run).toBeNull();
    expect(state.size).toBe(128);
    expect(state.filter).toEqual({});
  });
  it("drops a property sort without its property", () => {
    expect(fromQuery("grid", "sort=property").sort).toEqual({ key: "id" });
  });
  it("keeps at most four grouping levels", () => {
    expect(fromQuery("grid", "group=1,2,3,4,5").groupBy).toEqual([1, 2, 3, 4]);
  });
  it("never stores image id lists or clustering groups in the address", () => {
    const query = toQuery({ ...defaultState(), filter: { image_ids: [1, 2, 3], group_id: 4 } });
    expect(query).toBe("");
  });
});

describe("hash routes", () => {
  it("round-trips a project route", () => {
    const hash = formatHash({ project: "abc123", state: { ...rich, view: "map" } });
    expect(hash.startsWith("#/p/abc123/map?")).toBe(true);
    expect(parseHash(hash)).toEqual({ project: "abc123", state: { ...rich, view: "map" } });
  });
  it("reads the chooser for anything else", () => {
    expect(parseHash("").project).toBeNull();
    expect(parseHash("#/").project).toBeNull();
    expect(parseHash("#/p/").project).toBeNull();
  });
  it("defaults to the grid", () => {
    expect(parseHash("#/p/abc").state.view).toBe("grid");
  });
});

describe("last view per project", () => {
  it("survives through storage", () => {
    const memory = new Map<string, string>();
    const storage = { getItem: (k: string) => memory.get(k) ?? null, setItem: (k: string, v: string) => void memory.set(k, v) };
    saveLastView(storage, "p1", rich);
    expect(loadLastView(storage, "p1")).toEqual(rich);
    expect(loadLastView(storage, "p2")).toBeNull();
  });
  it("tolerates a storage that throws", () => {
    const broken = { getItem: () => { throw new Error("no"); }, setItem: () => { throw new Error("no"); } };
    expect(() => saveLastView(broken, "p", rich)).not.toThrow();
    expect(loadLastView(broken, "p")).toBeNull();
  });
});

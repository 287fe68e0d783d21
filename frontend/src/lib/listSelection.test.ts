import { describe, expect, it } from "vitest";
import { clickList, emptyList } from "./listSelection";

const order = ["a", "b", "c", "d", "e"];
const plain = { shift: false, toggle: false };
const ctrl = { shift: false, toggle: true };
const shift = { shift: true, toggle: false };

describe("clickList", () => {
  it("selects one, toggles with ctrl, ranges with shift", () => {
    let state = clickList(emptyList<string>(), order, "b", plain);
    expect([...state.keys]).toEqual(["b"]);
    state = clickList(state, order, "d", shift);
    expect([...state.keys].sort()).toEqual(["b", "c", "d"]);
    state = clickList(state, order, "a", shift); // range again from the same anchor
    expect([...state.keys].sort()).toEqual(["a", "b"]);
    state = clickList(state, order, "e", ctrl);
    expect([...state.keys].sort()).toEqual(["a", "b", "e"]);
    expect(state.anchor).toBe("e");
    state = clickList(state, order, "a", ctrl);
    expect([...state.keys].sort()).toEqual(["b", "e"]);
  });
  it("adds a range to the selection with shift+ctrl", () => {
    let state = clickList(emptyList<string>(), order, "a", plain);
    state = clickList(state, order, "c", ctrl);
    state = clickList(state, order, "e", { shift: true, toggle: true });
    expect([...state.keys].sort()).toEqual(["a", "c", "d", "e"]);
  });
  it("falls back to a plain click when the anchor is gone", () => {
    const state = clickList({ keys: new Set(["z"]), anchor: "z" }, order, "c", shift);
    expect([...state.keys]).toEqual(["c"]);
  });
});

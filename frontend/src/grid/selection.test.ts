import { describe, expect, it } from "vitest";
import { EMPTY, applyRange, click, selectAll, without } from "./selection";

const none = { shift: false, toggle: false };
const ctrl = { shift: false, toggle: true };
const shift = { shift: true, toggle: false };
const at = (index: number, section = "s") => ({ section, index });

function done(result: ReturnType<typeof click>) {
  if (result.kind !== "done") throw new Error("expected a finished selection");
  return result.selection;
}

describe("click", () => {
  it("selects one image and sets the anchor", () => {
    const selection = done(click(EMPTY, at(3), 13, none));
    expect([...selection.ids]).toEqual([13]);
    expect(selection.anchor).toEqual(at(3));
  });
  it("replaces the selection on a plain click", () => {
    const first = done(click(EMPTY, at(3), 13, none));
    const second = done(click(first, at(5), 15, none));
    expect([...second.ids]).toEqual([15]);
  });
  it("toggles with ctrl and moves the anchor", () => {
    let selection = done(click(EMPTY, at(1), 11, none));
    selection = done(click(selection, at(4), 14, ctrl));
    expect([...selection.ids].sort()).toEqual([11, 14]);
    selection = done(click(selection, at(1), 11, ctrl));
    expect([...selection.ids]).toEqual([14]);
    expect(selection.anchor).toEqual(at(1));
  });
  it("asks for a range on shift-click from the anchor", () => {
    const first = done(click(EMPTY, at(2), 12, none));
    const result = click(first, at(6), 16, shift);
    expect(result.kind).toBe("range");
    if (result.kind !== "range") return;
    expect(result.from).toEqual(at(2));
    expect(result.to).toEqual(at(6));
    expect(result.keep.size).toBe(0);
    const selection = applyRange(first, result.keep, [12, 13, 14, 15, 16]);
    expect(selection.ids.size).toBe(5);
    expect(selection.anchor).toEqual(at(2));
  });
  it("keeps the earlier selection on shift+ctrl", () => {
    let selection = done(click(EMPTY, at(0), 10, none));
    selection = done(click(selection, at(8), 18, ctrl));
    const result = click(selection, at(9), 19, { shift: true, toggle: true });
    if (result.kind !== "range") throw new Error("range expected");
    const final = applyRange(selection, result.keep, [18, 19]);
    expect([...final.ids].sort()).toEqual([10, 18, 19]);
  });
  it("treats shift without an anchor as a plain click", () => {
    const selection = done(click(EMPTY, at(4), 14, shift));
    expect([...selection.ids]).toEqual([14]);
  });
  it("never changes the state it was given", () => {
    const first = done(click(EMPTY, at(1), 11, none));
    click(first, at(2), 12, ctrl);
    expect([...first.ids]).toEqual([11]);
    expect(EMPTY.ids.size).toBe(0);
  });
});

describe("helpers", () => {
  it("selects all and removes", () => {
    const all = selectAll([1, 2, 3]);
    expect(all.ids.size).toBe(3);
    expect([...without(all, [2]).ids]).toEqual([1, 3]);
  });
});

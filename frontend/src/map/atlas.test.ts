import { describe, expect, it } from "vitest";
import { AtlasSlots } from "./atlas";

describe("AtlasSlots", () => {
  it("gives each id a cell and keeps it", () => {
    const atlas = new AtlasSlots(3);
    atlas.frame();
    const a = atlas.claim(10)!;
    expect(a.fresh).toBe(true);
    expect(atlas.claim(10)).toEqual({ slot: a.slot, fresh: false });
    expect(atlas.get(10)).toBe(a.slot);
  });
  it("evicts the cell used longest ago, never one in use this frame", () => {
    const atlas = new AtlasSlots(2);
    atlas.frame();
    const first = atlas.claim(1)!.slot;
    atlas.frame();
    atlas.claim(2);
    atlas.frame();
    atlas.get(2);
    const third = atlas.claim(3)!;
    expect(third.slot).toBe(first); // id 1 was used longest ago
    expect(atlas.get(1)).toBeUndefined();
    expect(atlas.claim(4)).toBeNull(); // 2 and 3 are both in use in this frame
  });
  it("releases cells", () => {
    const atlas = new AtlasSlots(1);
    atlas.frame();
    atlas.claim(1);
    atlas.release(1);
    expect(atlas.size).toBe(0);
    expect(atlas.claim(2)?.fresh).toBe(true);
  });
});

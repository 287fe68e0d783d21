import { describe, expect, it } from "vitest";
import { RecentIds, ScrollPace, thumbnailFor } from "./scrollPace";

const HEIGHT = 900;

/** Scroll by ``step`` px every ``frame`` ms, ``count`` times; the pace after each move. */
function scroll(pace: ScrollPace, from: number, step: number, frame: number, count: number, start = 0): boolean[] {
  const seen: boolean[] = [];
  for (let i = 0; i <= count; i++) seen.push(pace.move(from + i * step, HEIGHT, start + i * frame));
  return seen;
}

describe("ScrollPace", () => {
  it("calls a fling fast, however slow the frames", () => {
    for (const frame of [8, 16.7, 25, 100]) {
      const seen = scroll(new ScrollPace(), 0, 400, frame, 20);
      expect(seen.slice(1).every(Boolean)).toBe(true);
    }
  });

  it("calls reading pace slow, and a jump after a pause (a key press, a click) too", () => {
    const pace = new ScrollPace();
    expect(scroll(pace, 0, 40, 16.7, 60).some(Boolean)).toBe(false);
    expect(pace.move(60 * 40 + HEIGHT, HEIGHT, 60 * 16.7 + 2000)).toBe(false); // page down after 2 s
  });

  it("stays fast while a fling slows down to half the line, then lets thumbnails load", () => {
    const pace = new ScrollPace({ fast: 4, slow: 0.5, settle: 150 });
    scroll(pace, 0, 400, 16, 10);
    const top = 4000;
    // 3 screens/s: below the line to become fast, above the line to stay fast
    expect(pace.move(top + 43, HEIGHT, 160 + 16)).toBe(true);
    expect(pace.move(top + 43 + 20, HEIGHT, 160 + 32)).toBe(false); // 1.4 screens/s
  });

  it("stops being fast when told the scroll stopped", () => {
    const pace = new ScrollPace();
    scroll(pace, 0, 400, 16, 5);
    expect(pace.fast).toBe(true);
    pace.stop();
    expect(pace.fast).toBe(false);
  });
});

describe("thumbnailFor", () => {
  it("asks for no thumbnail while fast, except those asked for before", () => {
    const recent = new RecentIds(3);
    expect(thumbnailFor(1, "/t/1", false, recent)).toBe("/t/1");
    expect(thumbnailFor(2, "/t/2", true, recent)).toBeNull();
    expect(thumbnailFor(1, "/t/1", true, recent)).toBe("/t/1"); // already loaded: kept
    expect(thumbnailFor(2, "/t/2", false, recent)).toBe("/t/2");
  });

  it("forgets the oldest ids past its capacity", () => {
    const recent = new RecentIds(2);
    for (const id of [1, 2, 3]) recent.add(id);
    expect([recent.has(1), recent.has(2), recent.has(3)]).toEqual([false, true, true]);
    recent.add(2); // used again: now the newest
    recent.add(4);
    expect([recent.has(2), recent.has(3), recent.has(4)]).toEqual([true, false, true]);
  });

  it("requests no thumbnail for the rows a fling passes, then those in view once it stops", () => {
    // the grid's decision, frame by frame: 10 columns of 128-px cells, a fling of 400 px/frame
    const cell = 128 + 6;
    const pace = new ScrollPace();
    const recent = new RecentIds();
    const requested = new Set<number>();
    const show = (top: number, fast: boolean) => {
      for (let row = Math.floor(top / cell); row * cell < top + HEIGHT; row++) {
        for (let column = 0; column < 10; column++) {
          const id = row * 10 + column;
          const src = thumbnailFor(id, `/t/${id}`, fast, recent);
          if (src) requested.add(id);
        }
      }
    };
    show(0, pace.move(0, HEIGHT, 0));
    const before = requested.size;
    let top = 0;
    for (let frame = 1; frame <= 100; frame++) {
      top += 400;
      show(top, pace.move(top, HEIGHT, frame * 16.7));
    }
    expect(requested.size).toBe(before); // 300 rows flown past, none fetched
    pace.stop();
    show(top, pace.fast);
    const inView = Math.ceil(HEIGHT / cell) * 10;
    expect(requested.size - before).toBeGreaterThanOrEqual(inView - 10);
    expect(requested.size - before).toBeLessThanOrEqual(inView + 10);
  });
});

import { describe, expect, it } from "vitest";
import { boundsOf, fit, interpolate, padBounds, pan, toScreen, toWorld, visibleBounds, zoomAt } from "./camera";

const view = { width: 800, height: 600 };
const camera = { x: 1, y: 2, scale: 100 };

describe("camera", () => {
  it("maps world to screen and back", () => {
    expect(toScreen(camera, view, 1, 2)).toEqual([400, 300]);
    expect(toScreen(camera, view, 2, 2)).toEqual([500, 300]);
    expect(toScreen(camera, view, 1, 3)).toEqual([400, 200]); // y grows upwards
    const [wx, wy] = toWorld(camera, view, 123, 456);
    const [sx, sy] = toScreen(camera, view, wx, wy);
    expect(sx).toBeCloseTo(123);
    expect(sy).toBeCloseTo(456);
  });
  it("zooms around the cursor", () => {
    const before = toWorld(camera, view, 650, 120);
    const zoomed = zoomAt(camera, view, 650, 120, 2.5, [1, 1e6]);
    const after = toWorld(zoomed, view, 650, 120);
    expect(zoomed.scale).toBe(250);
    expect(after[0]).toBeCloseTo(before[0]);
    expect(after[1]).toBeCloseTo(before[1]);
  });
  it("clamps the zoom", () => {
    expect(zoomAt(camera, view, 0, 0, 1000, [1, 500]).scale).toBe(500);
  });
  it("pans with the drag", () => {
    const moved = pan(camera, 100, -50);
    expect(toScreen(moved, view, 1, 2)).toEqual([500, 250]);
  });
  it("fits bounds with a margin", () => {
    const fitted = fit({ minX: 0, minY: 0, maxX: 10, maxY: 5 }, view, 0);
    expect(fitted.scale).toBe(80);
    const shown = visibleBounds(fitted, view);
    expect(shown.minX).toBeCloseTo(0);
    expect(shown.maxX).toBeCloseTo(10);
    expect(shown.minY).toBeLessThanOrEqual(0);
  });
  it("finds bounds of all points or of some", () => {
    const xy = new Float32Array([0, 0, 5, -1, 2, 3]);
    expect(boundsOf(xy)).toEqual({ minX: 0, minY: -1, maxX: 5, maxY: 3 });
    expect(boundsOf(xy, [0, 2])).toEqual({ minX: 0, minY: 0, maxX: 2, maxY: 3 });
    expect(boundsOf(new Float32Array())).toEqual({ minX: -1, minY: -1, maxX: 1, maxY: 1 });
  });
  it("interpolates ends exactly and zooms geometrically", () => {
    const a = { x: 0, y: 0, scale: 1 };
    const b = { x: 10, y: 10, scale: 100 };
    expect(interpolate(a, b, 0)).toEqual(a);
    expect(interpolate(a, b, 1).scale).toBeCloseTo(100);
    expect(interpolate(a, b, 0.5).scale).toBeCloseTo(10);
  });
  it("pads small bounds to a least span around their centre", () => {
    expect(padBounds({ minX: 2, minY: 48, maxX: 2, maxY: 48 }, 4)).toEqual({ minX: 0, minY: 46, maxX: 4, maxY: 50 });
    const wide = { minX: -10, minY: 0, maxX: 30, maxY: 1 };
    expect(padBounds(wide, 4)).toEqual({ minX: -10, minY: -1.5, maxX: 30, maxY: 2.5 });
  });
});

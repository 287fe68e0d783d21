import { describe, expect, it } from "vitest";
import { visibleBounds } from "./camera";
import { covers, layerFor, needsRedraw } from "./layerPlan";

const view = { width: 800, height: 600 };
const camera = { x: 0, y: 0, scale: 100 };

describe("layer plan", () => {
  const layer = layerFor(camera, view, 0.5);
  it("covers the view with a margin", () => {
    expect(layer.rect).toEqual({ minX: -8, maxX: 8, minY: -6, maxY: 6 });
    expect(covers(layer.rect, visibleBounds(camera, view))).toBe(true);
  });
  it("keeps the layer while panning inside the margin", () => {
    const moved = { ...camera, x: 3.9 };
    expect(needsRedraw(layer, visibleBounds(moved, view), 100, false)).toBe(false);
    const far = { ...camera, x: 4.1 };
    expect(needsRedraw(layer, visibleBounds(far, view), 100, false)).toBe(true);
  });
  it("redraws when the scale strays, and once settled at another scale", () => {
    const zoomed = { ...camera, scale: 130 };
    expect(needsRedraw(layer, visibleBounds(zoomed, view), 130, false)).toBe(false);
    expect(needsRedraw(layer, visibleBounds(zoomed, view), 130, true)).toBe(true);
    expect(needsRedraw(layer, visibleBounds(camera, view), 100, true)).toBe(false);
    expect(needsRedraw(layer, visibleBounds({ ...camera, scale: 250 }, view), 250, false)).toBe(false);
    expect(needsRedraw(layer, visibleBounds({ ...camera, scale: 310 }, view), 310, false)).toBe(true);
    expect(needsRedraw(layer, visibleBounds({ ...camera, scale: 70 }, view), 70, false)).toBe(false); // still inside the margin
    expect(needsRedraw(layer, visibleBounds({ ...camera, scale: 40 }, view), 40, false)).toBe(true); // zoomed out past it
    expect(needsRedraw(null, visibleBounds(camera, view), 100, false)).toBe(true);
  });
});

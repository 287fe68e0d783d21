/**
 * When the map's canvas must be drawn again: never while what it holds still covers the view at
 * a usable scale (panning and zooming then only move it), always once the motion settles at
 * another scale (so points end sharp).
 */

import type { Bounds, Camera } from "./camera";

export interface Layer {
  /** The world rectangle the drawing covers. */
  rect: Bounds;
  scale: number;
}

/** The layer to draw for ``camera``: the view's world rectangle widened by ``margin`` of its size. */
export function layerFor(camera: Camera, view: { width: number; height: number }, margin: number): Layer {
  const halfWidth = (view.width * (0.5 + margin)) / camera.scale;
  const halfHeight = (view.height * (0.5 + margin)) / camera.scale;
  return {
    rect: { minX: camera.x - halfWidth, maxX: camera.x + halfWidth, minY: camera.y - halfHeight, maxY: camera.y + halfHeight },
    scale: camera.scale,
  };
}

export function covers(outer: Bounds, inner: Bounds): boolean {
  return outer.minX <= inner.minX && outer.minY <= inner.minY && outer.maxX >= inner.maxX && outer.maxY >= inner.maxY;
}

export function needsRedraw(layer: Layer | null, visible: Bounds, scale: number, settled: boolean): boolean {
  if (!layer) return true;
  const ratio = scale / layer.scale;
  if (settled && Math.abs(ratio - 1) > 1e-6) return true;
  // zooming in keeps covering the view: stretch the drawing up to 3x (blurry for an instant)
  if (ratio > 3) return true;
  return !covers(layer.rect, visible);
}

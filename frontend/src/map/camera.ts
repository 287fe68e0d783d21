/**
 * The map's camera: world coordinates (the projection's x, y) to screen pixels and back.
 * ``scale`` is pixels per world unit; ``x``, ``y`` the world point at the centre of the view.
 */

export interface Camera {
  x: number;
  y: number;
  scale: number;
}

export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface Viewport {
  width: number;
  height: number;
}

export function toScreen(camera: Camera, view: Viewport, wx: number, wy: number): [number, number] {
  return [(wx - camera.x) * camera.scale + view.width / 2, (camera.y - wy) * camera.scale + view.height / 2];
}

export function toWorld(camera: Camera, view: Viewport, sx: number, sy: number): [number, number] {
  return [(sx - view.width / 2) / camera.scale + camera.x, camera.y - (sy - view.height / 2) / camera.scale];
}

/** Zoom by ``factor`` keeping the world point under the screen point (sx, sy) in place. */
export function zoomAt(camera: Camera, view: Viewport, sx: number, sy: number, factor: number, limits: [number, number]): Camera {
  const scale = Math.min(limits[1], Math.max(limits[0], camera.scale * factor));
  const [wx, wy] = toWorld(camera, view, sx, sy);
  return {
    scale,
    x: wx - (sx - view.width / 2) / scale,
    y: wy + (sy - view.height / 2) / scale,
  };
}

export function pan(camera: Camera, dx: number, dy: number): Camera {
  return { ...camera, x: camera.x - dx / camera.scale, y: camera.y + dy / camera.scale };
}

/** The camera showing ``bounds`` whole, with ``margin`` pixels around. */
export function fit(bounds: Bounds, view: Viewport, margin = 24): Camera {
  const width = Math.max(bounds.maxX - bounds.minX, 1e-9);
  const height = Math.max(bounds.maxY - bounds.minY, 1e-9);
  const scale = Math.min((view.width - 2 * margin) / width, (view.height - 2 * margin) / height);
  return { x: (bounds.minX + bounds.maxX) / 2, y: (bounds.minY + bounds.maxY) / 2, scale: Math.max(scale, 1e-9) };
}

/** The world rectangle the camera shows. */
export function visibleBounds(camera: Camera, view: Viewport): Bounds {
  const [minX, maxY] = toWorld(camera, view, 0, 0);
  const [maxX, minY] = toWorld(camera, view, view.width, view.height);
  return { minX, minY, maxX, maxY };
}

export function boundsOf(xy: Float32Array, indices?: ArrayLike<number>): Bounds {
  const bounds = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  const count = indices ? indices.length : xy.length / 2;
  for (let k = 0; k < count; k++) {
    const i = indices ? indices[k]! : k;
    const x = xy[2 * i]!;
    const y = xy[2 * i + 1]!;
    if (x < bounds.minX) bounds.minX = x;
    if (x > bounds.maxX) bounds.maxX = x;
    if (y < bounds.minY) bounds.minY = y;
    if (y > bounds.maxY) bounds.maxY = y;
  }
  if (!Number.isFinite(bounds.minX)) return { minX: -1, minY: -1, maxX: 1, maxY: 1 };
  return bounds;
}

/** ``bounds`` widened around its centre to at least ``span`` world units each way (a single
 *  place, or photographs all taken in one street, still show their surroundings). */
export function padBounds(bounds: Bounds, span: number): Bounds {
  const grow = (low: number, high: number): [number, number] => {
    const missing = Math.max(0, span - (high - low)) / 2;
    return [low - missing, high + missing];
  };
  const [minX, maxX] = grow(bounds.minX, bounds.maxX);
  const [minY, maxY] = grow(bounds.minY, bounds.maxY);
  return { minX, minY, maxX, maxY };
}

/** A step of an animation from ``a`` to ``b`` (t in 0..1), zooming in log space. */
export function interpolate(a: Camera, b: Camera, t: number): Camera {
  const e = t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2;
  return {
    x: a.x + (b.x - a.x) * e,
    y: a.y + (b.y - a.y) * e,
    scale: Math.exp(Math.log(a.scale) + (Math.log(b.scale) - Math.log(a.scale)) * e),
  };
}

/**
 * A uniform grid over the map's points for hover (nearest point), rectangles (what is in view)
 * and lasso selection (points inside a polygon) without scanning 100,000 points each time.
 */

import type { Bounds } from "./camera";

export interface GridIndex {
  bounds: Bounds;
  columns: number;
  rows: number;
  /** ``starts[c]..starts[c + 1]`` are the slots of cell c in ``order``. */
  starts: Uint32Array;
  order: Uint32Array;
}

export function buildIndex(xy: Float32Array, bounds: Bounds): GridIndex {
  const n = xy.length / 2;
  const side = Math.max(1, Math.ceil(Math.sqrt(n / 4)));
  const columns = side;
  const rows = side;
  const cellOf = new Uint32Array(n);
  const counts = new Uint32Array(columns * rows + 1);
  const width = bounds.maxX - bounds.minX || 1;
  const height = bounds.maxY - bounds.minY || 1;
  for (let i = 0; i < n; i++) {
    const c = Math.min(columns - 1, Math.max(0, Math.floor(((xy[2 * i]! - bounds.minX) / width) * columns)));
    const r = Math.min(rows - 1, Math.max(0, Math.floor(((xy[2 * i + 1]! - bounds.minY) / height) * rows)));
    const cell = r * columns + c;
    cellOf[i] = cell;
    counts[cell + 1]!++;
  }
  const starts = new Uint32Array(columns * rows + 1);
  for (let c = 0; c < columns * rows; c++) starts[c + 1] = starts[c]! + counts[c + 1]!;
  const fill = starts.slice(0, columns * rows);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[fill[cellOf[i]!]!++] = i;
  return { bounds, columns, rows, starts, order };
}

/**
 * A thinner index over the same cells: about ``keep`` of the points, each cell keeping the same
 * share of its own (the remainders carried from cell to cell, so sparse places keep one point in
 * so many cells instead of none or all). It is spread like all the points and coloured like them;
 * the map draws it while moving, when drawing every point would cost more than a frame.
 * ``keep`` at or above the number of points: the index itself.
 */
export function thinIndex(index: GridIndex, keep: number): GridIndex {
  const n = index.order.length;
  if (keep >= n) return index;
  const share = Math.max(0, keep) / n;
  const cells = index.starts.length - 1;
  const starts = new Uint32Array(cells + 1);
  let carry = 0;
  for (let c = 0; c < cells; c++) {
    const wanted = (index.starts[c + 1]! - index.starts[c]!) * share + carry;
    const taken = Math.floor(wanted);
    carry = wanted - taken;
    starts[c + 1] = starts[c]! + taken;
  }
  const order = new Uint32Array(starts[cells]!);
  for (let c = 0; c < cells; c++) order.set(index.order.subarray(index.starts[c]!, index.starts[c]! + starts[c + 1]! - starts[c]!), starts[c]!);
  return { ...index, starts, order };
}

function cellRange(index: GridIndex, box: Bounds): [number, number, number, number] {
  const { bounds, columns, rows } = index;
  const width = bounds.maxX - bounds.minX || 1;
  const height = bounds.maxY - bounds.minY || 1;
  const c0 = Math.max(0, Math.floor(((box.minX - bounds.minX) / width) * columns));
  const c1 = Math.min(columns - 1, Math.floor(((box.maxX - bounds.minX) / width) * columns));
  const r0 = Math.max(0, Math.floor(((box.minY - bounds.minY) / height) * rows));
  const r1 = Math.min(rows - 1, Math.floor(((box.maxY - bounds.minY) / height) * rows));
  return [c0, c1, r0, r1];
}

/** Points inside ``box``, at most ``limit`` (then ``more`` is true). */
export function queryBox(index: GridIndex, xy: Float32Array, box: Bounds, limit = Infinity): { points: number[]; more: boolean } {
  const [c0, c1, r0, r1] = cellRange(index, box);
  const points: number[] = [];
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * index.columns + c;
      for (let k = index.starts[cell]!; k < index.starts[cell + 1]!; k++) {
        const i = index.order[k]!;
        const x = xy[2 * i]!;
        const y = xy[2 * i + 1]!;
        if (x >= box.minX && x <= box.maxX && y >= box.minY && y <= box.maxY) {
          if (points.length >= limit) return { points, more: true };
          points.push(i);
        }
      }
    }
  }
  return { points, more: false };
}

/**
 * The points of the cells that meet ``box``, as runs ``[start, count, start, count, ...]`` of
 * slots in ``index.order``: one run per row of cells (a row's cells are contiguous there), in
 * the order queryBox visits them. Whole cells, so a few points just outside ``box`` come too;
 * found without looking at a single point (the map draws them straight from ``order``).
 */
export function cellRuns(index: GridIndex, box: Bounds): { runs: Uint32Array; count: number } {
  const [c0, c1, r0, r1] = cellRange(index, box);
  if (c0 > c1 || r0 > r1) return { runs: new Uint32Array(0), count: 0 };
  const runs = new Uint32Array(2 * (r1 - r0 + 1));
  let used = 0;
  let count = 0;
  for (let r = r0; r <= r1; r++) {
    const start = index.starts[r * index.columns + c0]!;
    const end = index.starts[r * index.columns + c1 + 1]!;
    if (end === start) continue;
    runs[used++] = start;
    runs[used++] = end - start;
    count += end - start;
  }
  return { runs: runs.subarray(0, used), count };
}

/**
 * What the map draws around ``rect``: runs of ``index``'s order, or of ``thinned``'s
 * (``thinIndex``) while ``moving`` when the cells around ``rect`` hold more points than the
 * thinned index does in all. ``runs`` null: most of that order is there, draw all of it.
 */
export function runsToDraw(index: GridIndex, thinned: GridIndex, rect: Bounds, moving: boolean): { runs: Uint32Array | null; thin: boolean } {
  const found = cellRuns(index, rect);
  const thin = moving && thinned !== index && found.count > thinned.order.length;
  const { runs, count } = thin ? cellRuns(thinned, rect) : found;
  const order = thin ? thinned.order : index.order;
  return { runs: count > order.length * 0.6 ? null : runs, thin };
}

/** The point nearest (x, y) within ``radius`` world units, or -1. */
export function nearest(index: GridIndex, xy: Float32Array, x: number, y: number, radius: number): number {
  const box = { minX: x - radius, minY: y - radius, maxX: x + radius, maxY: y + radius };
  let best = -1;
  let bestDistance = radius * radius;
  for (const i of queryBox(index, xy, box).points) {
    const d = (xy[2 * i]! - x) ** 2 + (xy[2 * i + 1]! - y) ** 2;
    if (d <= bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return best;
}

/** Even-odd rule: is (x, y) inside the polygon [x0, y0, x1, y1, ...]? */
export function insidePolygon(polygon: ArrayLike<number>, x: number, y: number): boolean {
  let inside = false;
  const n = polygon.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = polygon[2 * i]!;
    const yi = polygon[2 * i + 1]!;
    const xj = polygon[2 * j]!;
    const yj = polygon[2 * j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Points inside a polygon given in world coordinates. */
export function queryPolygon(index: GridIndex, xy: Float32Array, polygon: ArrayLike<number>): number[] {
  if (polygon.length < 6) return [];
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 0; k < polygon.length; k += 2) {
    xs.push(polygon[k]!);
    ys.push(polygon[k + 1]!);
  }
  const box = { minX: Math.min(...xs), minY: Math.min(...ys), maxX: Math.max(...xs), maxY: Math.max(...ys) };
  return queryBox(index, xy, box).points.filter((i) => insidePolygon(polygon, xy[2 * i]!, xy[2 * i + 1]!));
}

/** Points of a map layout as the canvas takes them: ids, and x, y interleaved. */

import { m } from "../i18n";

export interface PointArrays {
  ids: Int32Array;
  /** ``[x0, y0, x1, y1, ...]`` */
  xy: Float32Array;
}

export function toPoints(ids: number[], xs: number[], ys: number[]): PointArrays {
  const xy = new Float32Array(2 * ids.length);
  for (let i = 0; i < ids.length; i++) {
    xy[2 * i] = xs[i]!;
    xy[2 * i + 1] = ys[i]!;
  }
  return { ids: Int32Array.from(ids), xy };
}

/** The points of ``GET /map`` as bytes: n image ids (int32), then n (x, y) pairs (float32),
 *  little-endian, as the server stores them. */
export function pointsFromBytes(buffer: ArrayBuffer): PointArrays {
  if (buffer.byteLength % 12 !== 0) throw new Error(m.map_points_cut_short({ bytes: buffer.byteLength }));
  const n = buffer.byteLength / 12;
  const view = new DataView(buffer);
  const ids = new Int32Array(n);
  const xy = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) ids[i] = view.getInt32(4 * i, true);
  for (let k = 0; k < 2 * n; k++) xy[k] = view.getFloat32(4 * n + 4 * k, true);
  return { ids, xy };
}

/** Whether ``b`` holds exactly the points of ``a`` (nothing to redraw). */
export function samePoints(a: PointArrays | null, b: PointArrays): boolean {
  return !!a && a.ids.length === b.ids.length && a.ids.every((id, i) => id === b.ids[i]) && a.xy.every((v, i) => v === b.xy[i]);
}

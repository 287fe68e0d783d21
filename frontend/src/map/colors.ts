/**
 * Point colours of the map: one colour per group (a property's values or a run's clusters),
 * grey for images in no group. Tag colours are used when the tags have them.
 */

export interface ColorGroup {
  key: string;
  label: string;
  color: string | null;
  ids: ArrayLike<number>;
}

export interface LegendEntry {
  key: string;
  label: string;
  color: string;
  count: number;
  /** Indices of the group's points in the map's arrays (to zoom to it). */
  points: Uint32Array;
}

export const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#86bcb6", "#d37295", "#8cd17d", "#b6992d", "#499894", "#f1ce63", "#a0cbe8", "#ffbe7d", "#d4a6c8", "#fabfd2", "#79706e"];
export const NONE: [number, number, number, number] = [150, 156, 166, 170];
export const DEFAULT: [number, number, number, number] = [47, 98, 196, 210];

export function parseHex(hex: string): [number, number, number] {
  const match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) return [128, 128, 128];
  return [parseInt(match[1]!, 16), parseInt(match[2]!, 16), parseInt(match[3]!, 16)];
}

/** ``rgba (4n)`` for the map's ``ids`` and the legend; a point in several groups takes the first. */
export function colorPoints(ids: Int32Array, groups: ColorGroup[]): { rgba: Uint8Array; legend: LegendEntry[] } {
  const position = new Map<number, number>();
  ids.forEach((id, i) => position.set(id, i));
  const rgba = new Uint8Array(ids.length * 4);
  const colored = new Uint8Array(ids.length);
  const legend: LegendEntry[] = [];
  groups.forEach((group, g) => {
    const color = group.color ?? PALETTE[g % PALETTE.length]!;
    const [r, gr, b] = parseHex(color);
    const points: number[] = [];
    for (let k = 0; k < group.ids.length; k++) {
      const i = position.get(group.ids[k]!);
      if (i === undefined) continue;
      points.push(i);
      if (colored[i]) continue;
      colored[i] = 1;
      rgba.set([r, gr, b, 230], 4 * i);
    }
    legend.push({ key: group.key, label: group.label, color, count: points.length, points: Uint32Array.from(points) });
  });
  const fallback = groups.length ? NONE : DEFAULT;
  for (let i = 0; i < ids.length; i++) if (!colored[i]) rgba.set(fallback, 4 * i);
  return { rgba, legend };
}

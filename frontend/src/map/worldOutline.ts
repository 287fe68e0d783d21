/**
 * The plain world outline under the places layout: the coastlines and borders of Natural Earth
 * (1:50m), from the world-atlas package, bundled at build time (no map tiles, nothing fetched
 * from the network) and loaded only when the layout is shown. Map coordinates of this layout:
 * x = longitude, y = latitude, in degrees.
 */

import type { GeometryCollection, Topology } from "topojson-specification";

/** Line strings (``[[lon, lat], ...]``) as segments for ``gl.LINES``: ``[x0, y0, x1, y1, ...]``.
 *  A step across the antimeridian (from 180° to -180°) is left out, not drawn across the world. */
export function outlineSegments(lines: number[][][]): Float32Array {
  const segments: number[] = [];
  for (const line of lines) {
    for (let i = 1; i < line.length; i++) {
      const [x0, y0] = line[i - 1]!;
      const [x1, y1] = line[i]!;
      if (Math.abs(x1! - x0!) > 180) continue;
      segments.push(x0!, y0!, x1!, y1!);
    }
  }
  return Float32Array.from(segments);
}

let cached: Promise<Float32Array> | null = null;

/** Coastlines and borders as segments (loaded once). */
export function loadWorldOutline(): Promise<Float32Array> {
  cached ??= Promise.all([import("topojson-client"), import("world-atlas/countries-50m.json")]).then(([client, atlas]) => {
    const topology = atlas.default as unknown as Topology<{ countries: GeometryCollection }>;
    return outlineSegments(client.mesh(topology, topology.objects.countries).coordinates);
  });
  return cached;
}

/** The whole world, for zooming out. */
export const WORLD = { minX: -180, minY: -90, maxX: 180, maxY: 90 };

import { mesh } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import { describe, expect, it } from "vitest";
import atlas from "world-atlas/countries-50m.json";
import { outlineSegments } from "./worldOutline";

describe("the world outline", () => {
  it("turns line strings into segments", () => {
    const segments = outlineSegments([
      [[0, 0], [1, 0], [1, 1]],
      [[5, 5]],
      [[-170, -80], [10, 80]],
    ]);
    expect(Array.from(segments)).toEqual([0, 0, 1, 0, 1, 0, 1, 1, -170, -80, 10, 80]);
  });
  it("never draws a line across the world at the antimeridian", () => {
    const segments = outlineSegments([[[179.5, 65], [-179.5, 65.2], [-179, 65.4]]]);
    expect(Array.from(segments)).toEqual([-179.5, 65.2, -179, 65.4].map(Math.fround));
  });
  it("covers the world in degrees from the bundled atlas", { timeout: 30_000 }, () => {
    const topology = atlas as unknown as Topology<{ countries: GeometryCollection }>;
    const segments = outlineSegments(mesh(topology, topology.objects.countries).coordinates);
    expect(segments.length).toBeGreaterThan(10_000);
    let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let i = 0; i < segments.length; i += 2) {
      minX = Math.min(minX, segments[i]!);
      maxX = Math.max(maxX, segments[i]!);
      minY = Math.min(minY, segments[i + 1]!);
      maxY = Math.max(maxY, segments[i + 1]!);
    }
    expect(minX).toBeGreaterThanOrEqual(-180);
    expect(maxX).toBeLessThanOrEqual(180);
    expect(minY).toBeGreaterThanOrEqual(-90);
    expect(maxY).toBeLessThanOrEqual(84); // the Arctic coast; no land further north
    expect(maxX - minX).toBeGreaterThan(350);
    let widest = 0;
    for (let i = 0; i < segments.length; i += 4) widest = Math.max(widest, Math.abs(segments[i + 2]! - segments[i]!));
    expect(widest).toBeLessThan(180);
  });
});

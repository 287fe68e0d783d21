/**
 * The grid as rows of fixed heights: a header row per visible section, then its images in rows
 * of ``columns`` cells. Offsets are prefix sums so finding the rows in view is a binary search,
 * which keeps scrolling cheap at 100,000 images (12,500 rows at 8 columns).
 */

import type { Section } from "./sections";

export interface HeaderRow {
  kind: "header";
  section: Section;
}

export interface ImageRow {
  kind: "images";
  section: Section;
  /** Index of the first image of this row within the section's own images. */
  start: number;
  /** Images in this row (``columns`` except for a section's last row). */
  length: number;
}

export type Row = HeaderRow | ImageRow;

export interface Layout {
  rows: Row[];
  /** ``offsets[i]`` is the top of row i; ``offsets[rows.length]`` the total height. */
  offsets: Float64Array;
  columns: number;
}

export interface Metrics {
  width: number;
  cell: number;
  gap: number;
  header: number;
  /** When false, there is a single section and its header is not drawn. */
  headers: boolean;
}

export function columnsFor(width: number, cell: number, gap: number): number {
  return Math.max(1, Math.floor((width + gap) / (cell + gap)));
}

export function buildLayout(sections: Section[], expanded: (section: Section) => boolean, metrics: Metrics): Layout {
  const columns = columnsFor(metrics.width, metrics.cell, metrics.gap);
  const rows: Row[] = [];
  const visit = (section: Section) => {
    if (metrics.headers) rows.push({ kind: "header", section });
    if (metrics.headers && !expanded(section)) return;
    for (let start = 0; start < section.count; start += columns) {
      rows.push({ kind: "images", section, start, length: Math.min(columns, section.count - start) });
    }
    for (const child of section.children) visit(child);
  };
  for (const section of sections) visit(section);
  const offsets = new Float64Array(rows.length + 1);
  const imageHeight = metrics.cell + metrics.gap;
  for (let i = 0; i < rows.length; i++) {
    offsets[i + 1] = offsets[i]! + (rows[i]!.kind === "header" ? metrics.header : imageHeight);
  }
  return { rows, offsets, columns };
}

/** Index of the row containing ``y`` (clamped to the rows). */
export function rowAt(offsets: Float64Array, y: number): number {
  const last = offsets.length - 2;
  if (last < 0) return 0;
  let low = 0;
  let high = last;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (offsets[mid]! <= y) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Rows ``[first, last)`` intersecting ``[top, top + height)`` widened by ``overscan`` rows. */
export function visibleRange(layout: Layout, top: number, height: number, overscan = 3): [number, number] {
  const count = layout.rows.length;
  if (count === 0) return [0, 0];
  const first = Math.max(0, rowAt(layout.offsets, top) - overscan);
  const last = Math.min(count, rowAt(layout.offsets, top + height) + 1 + overscan);
  return [first, last];
}

/**
 * How many rows the grid keeps in its window: a screen of the shortest rows plus ``overscan``
 * rows either side. The window keeps this length while it scrolls, and row ``index`` takes slot
 * ``index % count``: a row leaving the window hands its elements to the row entering it,
 * updated in place instead of created again.
 */
export function windowRows(height: number, shortestRow: number, overscan: number): number {
  return Math.ceil(Math.max(height, 1) / Math.max(shortestRow, 1)) + 1 + 2 * overscan;
}

/**
 * The window of ``count`` rows (see ``windowRows``) for a grid ``height`` px tall scrolled to
 * ``top``. At the very top it holds only the rows in view and the overscan below them, as
 * ``visibleRange`` does: the first screen asks for no more thumbnails than it shows.
 */
export function windowRange(layout: Layout, top: number, height: number, count: number, overscan: number): [number, number] {
  const rows = layout.rows.length;
  const first = Math.max(0, Math.min(rowAt(layout.offsets, top) - overscan, rows - count));
  if (first === 0) return visibleRange(layout, top, height, overscan);
  return [first, Math.min(rows, first + count)];
}

/** The row holding image ``index`` of ``section`` (for keyboard moves and scrolling into view). */
export function rowOfImage(layout: Layout, sectionKey: string, index: number): number {
  for (let i = 0; i < layout.rows.length; i++) {
    const row = layout.rows[i]!;
    if (row.kind === "images" && row.section.key === sectionKey && index >= row.start && index < row.start + row.length) {
      return i;
    }
  }
  return -1;
}

/** A position in the grid: an image index within a section's own images. */
export interface Position {
  section: string;
  index: number;
}

/** Sections in display order that show images, with their counts (for ranges across sections). */
export function imageSlices(layout: Layout): { section: Section; count: number }[] {
  const seen = new Set<string>();
  const slices: { section: Section; count: number }[] = [];
  for (const row of layout.rows) {
    if (row.kind !== "images" || seen.has(row.section.key)) continue;
    seen.add(row.section.key);
    slices.push({ section: row.section, count: row.section.count });
  }
  return slices;
}

/**
 * The parts of each section between two positions (inclusive, in display order):
 * ``[{section, start, end}]`` with ``end`` exclusive. Empty when a position is not shown.
 */
export function sliceRange(
  layout: Layout,
  from: Position,
  to: Position,
): { section: Section; start: number; end: number }[] {
  const slices = imageSlices(layout);
  const a = slices.findIndex((s) => s.section.key === from.section);
  const b = slices.findIndex((s) => s.section.key === to.section);
  if (a < 0 || b < 0) return [];
  let [p, q] = [from, to];
  let [i, j] = [a, b];
  if (a > b || (a === b && from.index > to.index)) {
    [p, q] = [to, from];
    [i, j] = [b, a];
  }
  const out: { section: Section; start: number; end: number }[] = [];
  for (let k = i; k <= j; k++) {
    const slice = slices[k]!;
    const start = k === i ? p.index : 0;
    const end = k === j ? q.index + 1 : slice.count;
    if (end > start) out.push({ section: slice.section, start, end });
  }
  return out;
}

/**
 * What the grid shows: a tree of sections (groups of a grouping, clusters of a run, or one
 * section for the whole view). A section lists its own images (fetched page by page from its
 * ``source``) followed by its child sections; only expanded sections show what is inside.
 */

import type { FilterIn, SortIn } from "../api/types";

/** How to fetch a section's images: an image query (filter + sort), paged by offset. */
export interface Source {
  filter: FilterIn;
  sort: SortIn;
}

export type SectionKind = "all" | "group" | "cluster" | "run" | "outliers";

export interface Section {
  /** Unique and stable across reloads (used for expansion state and caches). */
  key: string;
  kind: SectionKind;
  label: string;
  depth: number;
  /** Images listed directly in this section (0 when its children hold them all). */
  count: number;
  /** Images in the section and below it, shown on its header. */
  total: number;
  source: Source | null;
  children: Section[];
  color?: string | null;
  score?: number | null;
  /** Clustering group id, for clusters; run id for runs. */
  groupId?: number;
  runId?: number;
  /** Group keys from the outermost grouping level, for groups of a grouping. */
  path?: (string | number | boolean | null)[];
  /** For a cluster clustered again: the nested run shown instead of its images. */
  childRunId?: number;
  /** Labels of the enclosing groups, outermost first (for titles like "striped › good"). */
  trail?: string[];
  /** Extra information shown on the header (algorithm, suggested names...). */
  note?: string;
}

/** Stable JSON for cache keys (object keys sorted). */
export function stableKey(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(stableKey).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableKey(v)}`).join(",")}}`;
}

export function sourceKey(source: Source): string {
  return stableKey(source);
}

/** Every section, depth first (parents before their children). */
export function* walk(sections: Section[]): Generator<Section> {
  for (const section of sections) {
    yield section;
    yield* walk(section.children);
  }
}

export function findSection(sections: Section[], key: string): Section | undefined {
  for (const section of walk(sections)) if (section.key === key) return section;
  return undefined;
}

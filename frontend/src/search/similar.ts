/** Similar images in the modal: the ones above the slider, and copying a value onto them. */

import type { PropertyOut, ScoredImage, Value } from "../api/types";
import type { Change } from "../grid/applyValue";

export function aboveThreshold(items: ScoredImage[], threshold: number): ScoredImage[] {
  return items.filter((item) => item.score >= threshold);
}

/** The change that gives other images this image's value of ``property`` (null: it has none). */
export function copyChange(property: PropertyOut, value: Value | undefined): Change | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) {
    const names = value.map((id) => property.tags?.find((t) => t.id === id)?.name).filter((n): n is string => !!n);
    return names.length ? { kind: "tags", names, mode: property.type === "tag" ? "replace" : "add" } : null;
  }
  return { kind: "scalar", value };
}

/** A slider's starting point: just below the 10th best score, so a handful show at first. */
export function initialThreshold(items: ScoredImage[]): number {
  if (!items.length) return 0.5;
  const sorted = items.map((i) => i.score).sort((a, b) => b - a);
  const tenth = sorted[Math.min(9, sorted.length - 1)]!;
  return Math.max(0, Math.floor(tenth * 100) / 100);
}

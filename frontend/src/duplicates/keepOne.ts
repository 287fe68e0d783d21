/**
 * "Keep one" for near-duplicate groups: the kept image gets the tag ``keep`` and the others
 * ``duplicate`` in a tag property (``Duplicates`` unless another is chosen). Files are never
 * deleted: the tags let a person filter, review and export.
 */

import type { ProjectApi } from "../api/client";
import type { PropertyOut } from "../api/types";
import { applyChange } from "../grid/applyValue";
import { formatBytes, m } from "../i18n";

export const PROPERTY = "Duplicates";
export const KEEP = "keep";
export const DUPLICATE = "duplicate";

/** Similarity of a group's members from its score (score = 100 × (1 − mean pairwise cosine)). */
export function similarityOf(score: number | null | undefined): number | null {
  if (score === null || score === undefined || !Number.isFinite(score)) return null;
  return Math.max(0, Math.min(1, 1 - score / 100));
}

export interface KeepCandidate {
  id: number;
  width: number;
  height: number;
  created_at: string;
  file_size?: number | null;
}

/** Best first: the most pixels, then the largest file (the least compressed), then imported first. */
function compareForKeeping(a: KeepCandidate, b: KeepCandidate): number {
  return b.width * b.height - a.width * a.height || (b.file_size ?? -1) - (a.file_size ?? -1) || (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0);
}

/** The image proposed to keep, with the first rule of ``compareForKeeping`` that chose it. */
export function proposeKeepWithReason(images: KeepCandidate[]): { id: number; reason: string } | null {
  const [best, ...others] = [...images].sort(compareForKeeping);
  if (!best) return null;
  const pixels = (image: KeepCandidate) => image.width * image.height;
  const samePixels = others.filter((image) => pixels(image) === pixels(best));
  const size = best.file_size ?? -1;
  let reason: string;
  if (!samePixels.length) reason = m.dup_reason_largest({ width: best.width, height: best.height });
  else if (size >= 0 && samePixels.every((image) => (image.file_size ?? -1) < size))
    reason = m.dup_reason_least_compressed({ size: formatBytes(size) });
  else reason = m.dup_reason_tied();
  return { id: best.id, reason };
}

/** Which image to keep by default (see ``proposeKeepWithReason``). */
export function proposeKeep(images: KeepCandidate[]): number | null {
  return proposeKeepWithReason(images)?.id ?? null;
}

/** The split of a set of groups into images to keep and images marked as duplicates. */
export function keepSplit(groups: { ids: number[]; keep: number }[]): { keep: number[]; duplicate: number[] } {
  const keep = new Set<number>();
  const duplicate = new Set<number>();
  for (const group of groups) {
    for (const id of group.ids) (id === group.keep ? keep : duplicate).add(id);
  }
  for (const id of keep) duplicate.delete(id); // an image kept in one group is never marked elsewhere
  return { keep: [...keep], duplicate: [...duplicate] };
}

export async function findOrCreateProperty(api: ProjectApi, properties: PropertyOut[], name = PROPERTY): Promise<PropertyOut> {
  const found = properties.find((p) => p.name.toLowerCase() === name.toLowerCase() && p.type === "tag");
  if (found) return found;
  const created = await api.createProperty(name, "tag");
  return { ...created, tags: [] };
}

export async function applyKeep(api: ProjectApi, property: PropertyOut, split: { keep: number[]; duplicate: number[] }): Promise<void> {
  if (split.keep.length) await applyChange(api, property, split.keep, { kind: "tags", names: [KEEP], mode: "replace" });
  const refreshed = (await api.properties()).find((p) => p.id === property.id) ?? property;
  if (split.duplicate.length) await applyChange(api, refreshed, split.duplicate, { kind: "tags", names: [DUPLICATE], mode: "replace" });
}

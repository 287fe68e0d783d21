/** Setting a value on many images: create the tags typed that do not exist yet, then one call. */

import type { ProjectApi } from "../api/client";
import type { PropertyOut, Scalar } from "../api/types";
import { PALETTE } from "../tags/tagTree";
import { splitTagNames } from "./values";

export type Change =
  | { kind: "tags"; names: string[]; mode: "add" | "replace" | "remove" }
  | { kind: "scalar"; value: Scalar }
  | { kind: "clear" };

/** Apply ``change`` to ``ids``; returns how many images changed. Each call is one undo step,
 *  except that creating new tags is its own step before it. */
export async function applyChange(api: ProjectApi, property: PropertyOut, ids: number[], change: Change): Promise<number> {
  if (!ids.length) return 0;
  if (change.kind === "clear") return (await api.clearValues(property.id, ids)).changed;
  if (change.kind === "scalar") return (await api.setValues(property.id, ids, change.value)).changed;
  const { existing, missing } = splitTagNames(property, change.names);
  const tagIds = [...existing];
  if (change.mode !== "remove") {
    let colour = property.tags?.length ?? 0;
    for (const name of missing) {
      const tag = await api.createTag(property.id, name, PALETTE[colour++ % PALETTE.length]);
      tagIds.push(tag.id);
    }
  }
  if (!tagIds.length) return 0;
  if (change.mode === "remove") return (await api.removeTags(property.id, ids, tagIds)).changed;
  if (property.type === "tag" || change.mode === "replace") {
    return (await api.setValues(property.id, ids, property.type === "tag" ? tagIds.slice(0, 1) : tagIds)).changed;
  }
  return (await api.addTags(property.id, ids, tagIds)).changed;
}

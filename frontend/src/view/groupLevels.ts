/**
 * Grouping levels as the view keeps them (``GroupLevel``: a property id, "folder", or
 * ``"4:year"``) and as the grid and the API need them.
 */

import type { LevelIn, PropertyOut } from "../api/types";
import { m } from "../i18n";
import type { Level } from "../grid/groupTree";
import type { GroupLevel } from "./viewState";
import { propertyName } from "../i18n/propertyNames";

type Lookup = (id: number) => PropertyOut | undefined;

/** ``"4:year"`` → ``[4, "year"]``; a plain level → ``[level, null]``. */
export function splitLevel(level: GroupLevel): [number | "folder", "year" | "month" | null] {
  if (typeof level === "string" && level !== "folder") {
    const [id, part] = level.split(":");
    return [Number(id), part === "month" ? "month" : "year"];
  }
  return [level as number | "folder", null];
}

export function apiLevel(level: GroupLevel): LevelIn {
  const [ref, part] = splitLevel(level);
  return part && ref !== "folder" ? { property: ref, by: part } : ref;
}

export function gridLevel(level: GroupLevel, property: Lookup): Level {
  const [ref, part] = splitLevel(level);
  if (ref === "folder") return { ref, kind: "folder" };
  if (part) return { ref, kind: part };
  const type = property(ref)?.type ?? "";
  return { ref, kind: type === "tag" || type === "multi_tags" ? "tags" : "scalar" };
}

/** The levels a menu offers for a property: itself, and by year and month for a date. */
export function levelsOf(property: PropertyOut): GroupLevel[] {
  if (property.type !== "date") return [property.id];
  return [property.id, `${property.id}:year`, `${property.id}:month`];
}

export function levelName(level: GroupLevel, property: Lookup): string {
  const [ref, part] = splitLevel(level);
  if (ref === "folder") return m.common_folder();
  const found = property(ref);
  const name = found ? propertyName(found) : `#${ref}`;
  if (part === "year") return m.group_level_year({ name });
  if (part === "month") return m.group_level_month({ name });
  return name;
}

/** Filters as short chips a person reads ("colour = red", "folder: vases"), and edits of them. */

import type { ConditionIn, FilterIn, FolderOut, PropertyOut } from "../api/types";
import { m } from "../i18n";
import { propertyName } from "../i18n/propertyNames";

/** Each operator as a person reads it; functions, so the words follow the current language. */
const OPS: Record<ConditionIn["op"], () => string> = {
  eq: () => "=",
  ne: () => "≠",
  lt: () => "<",
  le: () => "≤",
  gt: () => ">",
  ge: () => "≥",
  contains: () => m.filter_op_contains(),
  empty: () => m.filter_op_empty(),
  not_empty: () => m.filter_op_not_empty(),
  any: () => m.filter_op_any(),
  all: () => m.filter_op_all(),
  none: () => m.filter_op_none(),
};

export const TAG_OPS: ConditionIn["op"][] = ["any", "all", "none", "empty", "not_empty"];
export const SCALAR_OPS: ConditionIn["op"][] = ["eq", "ne", "lt", "le", "gt", "ge", "contains", "empty", "not_empty"];

export function isTagProperty(property: PropertyOut | undefined): boolean {
  return property?.type === "tag" || property?.type === "multi_tags";
}

export function opsFor(property: PropertyOut | undefined): ConditionIn["op"][] {
  if (isTagProperty(property)) return TAG_OPS;
  if (property?.type === "checkbox") return ["eq", "empty", "not_empty"];
  if (property?.type === "text" || property?.type === "url") return ["eq", "ne", "contains", "empty", "not_empty"];
  if (property?.type === "color") return ["eq", "ne", "empty", "not_empty"];
  return SCALAR_OPS.filter((op) => op !== "contains");
}

export function opLabel(op: ConditionIn["op"]): string {
  return OPS[op]();
}

export function conditionText(condition: ConditionIn, properties: PropertyOut[]): string {
  const property = properties.find((p) => p.id === condition.property || p.name === condition.property);
  const name = property ? propertyName(property) : String(condition.property);
  const op = OPS[condition.op]?.() ?? condition.op;
  if (condition.op === "empty" || condition.op === "not_empty") return m.filter_chip_unary({ property: name, op });
  if (condition.tags?.length) {
    const names = condition.tags.map((ref) => property?.tags?.find((t) => t.id === ref || t.name === ref)?.name ?? String(ref));
    return m.filter_chip_condition({ property: name, op, value: names.join(", ") });
  }
  const value = typeof condition.value === "boolean" ? (condition.value ? m.value_yes() : m.value_no()) : String(condition.value ?? "");
  return m.filter_chip_condition({ property: name, op, value });
}

export interface Chip {
  label: string;
  remove: (filter: FilterIn) => FilterIn;
}

/** One chip per part of the filter; each knows how to remove itself. */
export function filterChips(filter: FilterIn, properties: PropertyOut[], folders: FolderOut[]): Chip[] {
  const chips: Chip[] = [];
  for (const id of filter.folder_ids ?? []) {
    const folder = folders.find((f) => f.id === id);
    const name = folder ? folder.path.split(/[\\/]/).filter(Boolean).pop() ?? folder.path : `#${id}`;
    chips.push({ label: m.filter_chip_folder({ name }), remove: (f) => ({ ...f, folder_ids: (f.folder_ids ?? []).filter((x) => x !== id) }) });
  }
  if (filter.path_contains) chips.push({ label: m.filter_chip_path({ text: filter.path_contains }), remove: (f) => ({ ...f, path_contains: null }) });
  if (filter.status) chips.push({ label: m.filter_chip_status({ status: filter.status }), remove: (f) => ({ ...f, status: null }) });
  (filter.conditions ?? []).forEach((condition, index) => {
    chips.push({
      label: conditionText(condition, properties),
      remove: (f) => ({ ...f, conditions: (f.conditions ?? []).filter((_, i) => i !== index) }),
    });
  });
  return chips;
}

/** The filter without empty parts (what the API and the address get). */
export function compactFilter(filter: FilterIn): FilterIn {
  const out: FilterIn = {};
  if (filter.folder_ids?.length) out.folder_ids = filter.folder_ids;
  if (filter.status) out.status = filter.status;
  if (filter.path_contains) out.path_contains = filter.path_contains;
  if (filter.image_ids) out.image_ids = filter.image_ids;
  if (filter.group_id) out.group_id = filter.group_id;
  if (filter.conditions?.length) out.conditions = filter.conditions;
  return out;
}

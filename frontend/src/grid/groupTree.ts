/**
 * A grouping from the server (``GroupingOut``: nested levels, tag groups in tree order with
 * their depth) as grid sections. Each group's images are fetched with the view's filter
 * narrowed to the group's keys, so every section pages through the one image query.
 */

import type { ConditionIn, FilterIn, GroupOut, GroupingOut, SortIn } from "../api/types";
import { m } from "../i18n";
import type { Section } from "./sections";
import { stableKey } from "./sections";

export type LevelKind = "folder" | "tags" | "scalar" | "year" | "month";
export type Key = GroupOut["key"];

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** The first day of a year group (``"2019"``) or month group (``"2019-07"``), and the first day
 *  after it: the group is ``first <= date < after`` (ISO dates compare as text). */
export function datePartRange(key: string, part: "year" | "month"): [string, string] {
  const year = Number(key.slice(0, 4));
  if (part === "year") return [`${pad(year, 4)}-01-01`, `${pad(year + 1, 4)}-01-01`];
  const month = Number(key.slice(5, 7));
  const [nextYear, nextMonth] = month === 12 ? [year + 1, 1] : [year, month + 1];
  return [`${pad(year, 4)}-${pad(month, 2)}-01`, `${pad(nextYear, 4)}-${pad(nextMonth, 2)}-01`];
}

export interface Level {
  ref: number | "folder";
  kind: LevelKind;
}

/** ``filter`` narrowed to the group at ``path`` (one key per level from the top). */
export function narrowFilter(filter: FilterIn, levels: Level[], path: Key[]): FilterIn {
  const conditions: ConditionIn[] = [...(filter.conditions ?? [])];
  let folderIds = filter.folder_ids ?? [];
  path.forEach((key, depth) => {
    const level = levels[depth]!;
    if (level.kind === "folder") {
      folderIds = [Number(key)]; // a folder group only exists inside the filter's folders
    } else if (key === null) {
      conditions.push({ property: level.ref, op: "empty" });
    } else if (level.kind === "tags") {
      conditions.push({ property: level.ref, op: "any", tags: [Number(key)], descendants: false });
    } else if (level.kind === "year" || level.kind === "month") {
      const [first, after] = datePartRange(String(key), level.kind);
      conditions.push({ property: level.ref, op: "ge", value: first }, { property: level.ref, op: "lt", value: after });
    } else {
      conditions.push({ property: level.ref, op: "eq", value: key });
    }
  });
  const narrowed: FilterIn = { ...filter, conditions };
  if (folderIds.length) narrowed.folder_ids = folderIds;
  return narrowed;
}

/** Tag groups come flat in tree order with ``depth``: nest each under the last shallower one. */
export function nestByDepth<T extends { depth?: number }>(items: T[]): { item: T; children: ReturnType<typeof nestByDepth<T>> }[] {
  type Node = { item: T; children: Node[] };
  const roots: Node[] = [];
  const stack: { depth: number; node: Node }[] = [];
  for (const item of items) {
    const depth = item.depth ?? 0;
    const node: Node = { item, children: [] };
    while (stack.length && stack[stack.length - 1]!.depth >= depth) stack.pop();
    const parent = stack[stack.length - 1];
    (parent ? parent.node.children : roots).push(node);
    stack.push({ depth, node });
  }
  return roots;
}

export function groupingSections(
  grouping: GroupingOut,
  levels: Level[],
  filter: FilterIn,
  sort: SortIn,
): Section[] {
  const build = (groups: GroupOut[], prefix: Key[], depth: number, level: number, trail: string[] = []): Section[] => {
    const last = level === levels.length - 1;
    const toSection = (node: { item: GroupOut; children: ReturnType<typeof nestByDepth<GroupOut>> }, indent: number): Section => {
      const group = node.item;
      const path = [...prefix, group.key];
      const own = last ? group.count : 0;
      const nested = last ? [] : build(group.children ?? [], path, indent + 1, level + 1, [...trail, groupLabel(group)]);
      const below = node.children.map((child) => toSection(child, indent + 1));
      const total = levels[level]!.kind === "tags" ? (group.total ?? group.count) : group.count;
      return {
        key: `g:${stableKey(path)}`,
        kind: "group",
        label: groupLabel(group),
        depth: indent,
        count: own,
        total,
        source: own > 0 ? { filter: narrowFilter(filter, levels, path), sort } : null,
        children: [...nested, ...below],
        color: group.color ?? null,
        path,
        trail,
      };
    };
    return nestByDepth(groups).map((node) => toSection(node, depth));
  };
  return build(grouping.groups, [], 0, 0);
}

/** A group's name as a person reads it: the server's label, in the current language for "no
 *  value" and for the two values of a checkbox. */
export function groupLabel(group: GroupOut): string {
  if (group.key === null) return m.grid_group_no_value();
  if (typeof group.key === "boolean") return group.key ? m.value_yes() : m.value_no();
  return group.label;
}

/** The whole view as one section (no grouping). */
export function allSection(total: number, filter: FilterIn, sort: SortIn): Section {
  return { key: "all", kind: "all", label: m.grid_all_images(), depth: 0, count: total, total, source: { filter, sort }, children: [] };
}

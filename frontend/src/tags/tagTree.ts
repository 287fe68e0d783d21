/**
 * Tags of one property as the tags panel shows them: a tree in name order. Tags form a DAG, so a
 * tag with two parents appears under both (each row has its own key); roots are tags without
 * parents.
 */

import type { TagOut } from "../api/types";

export interface TagRow {
  key: string;
  tag: TagOut;
  depth: number;
  hasChildren: boolean;
  /** Images with this tag or a tag below it (each image counted once per tag it has). */
  total: number;
}

export function childrenOf(tags: TagOut[]): Map<number | null, TagOut[]> {
  const children = new Map<number | null, TagOut[]>();
  const ids = new Set(tags.map((t) => t.id));
  for (const tag of tags) {
    const parents = tag.parents.filter((p) => ids.has(p));
    for (const parent of parents.length ? parents : [null]) {
      const list = children.get(parent) ?? [];
      list.push(tag);
      children.set(parent, list);
    }
  }
  const byName = (a: TagOut, b: TagOut) => a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: "base" }) || a.id - b.id;
  for (const list of children.values()) list.sort(byName);
  return children;
}

/** Every tag below ``id`` (not ``id`` itself). */
export function descendantsOf(tags: TagOut[], id: number): Set<number> {
  const children = childrenOf(tags);
  const found = new Set<number>();
  const stack = [id];
  while (stack.length) {
    for (const child of children.get(stack.pop()!) ?? []) {
      if (!found.has(child.id)) {
        found.add(child.id);
        stack.push(child.id);
      }
    }
  }
  return found;
}

/** Tags that may become parents of ``id`` without making a cycle. */
export function possibleParents(tags: TagOut[], id: number): TagOut[] {
  const below = descendantsOf(tags, id);
  return tags.filter((t) => t.id !== id && !below.has(t.id));
}

/** Rows in tree order; ``collapsed`` tags hide what is below them; ``query`` keeps matching rows and their ancestors. */
export function tagRows(tags: TagOut[], collapsed: ReadonlySet<string> = new Set(), query = ""): TagRow[] {
  const children = childrenOf(tags);
  const totals = new Map<number, number>();
  const totalOf = (tag: TagOut): number => {
    const known = totals.get(tag.id);
    if (known !== undefined) return known;
    let sum = 0;
    for (const id of new Set([tag.id, ...descendantsOf(tags, tag.id)])) sum += tags.find((t) => t.id === id)?.count ?? 0;
    totals.set(tag.id, sum);
    return sum;
  };
  const needle = query.trim().toLowerCase();
  const matches = (tag: TagOut): boolean =>
    !needle || tag.name.toLowerCase().includes(needle) || (children.get(tag.id) ?? []).some(matches);
  const rows: TagRow[] = [];
  const visit = (tag: TagOut, depth: number, prefix: string, path: Set<number>) => {
    if (path.has(tag.id) || !matches(tag)) return; // a cycle cannot be stored, but never loop
    const key = `${prefix}${tag.id}`;
    const below = children.get(tag.id) ?? [];
    rows.push({ key, tag, depth, hasChildren: below.length > 0, total: totalOf(tag) });
    if (collapsed.has(key) && !needle) return;
    const next = new Set(path).add(tag.id);
    for (const child of below) visit(child, depth + 1, `${key}/`, next);
  };
  for (const root of children.get(null) ?? []) visit(root, 0, "", new Set());
  return rows;
}

/** The survivor a merge proposes: the selected tag with the most images (first on a tie). */
export function proposedSurvivor(tags: TagOut[], selected: number[]): number | null {
  let best: TagOut | null = null;
  for (const id of selected) {
    const tag = tags.find((t) => t.id === id);
    if (tag && (!best || (tag.count ?? 0) > (best.count ?? 0))) best = tag;
  }
  return best?.id ?? null;
}

/** A pleasant, distinct colour for a new tag (Tableau 10). */
export const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

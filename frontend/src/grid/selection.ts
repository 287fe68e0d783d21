/**
 * Selection of images by click, shift-click (range from the anchor) and ctrl/cmd-click (toggle),
 * as pure functions over an immutable state. Ranges may cross sections and pages not loaded
 * yet, so the ids of a range come from a resolver the caller provides.
 */

import type { Position } from "./layout";

export interface Selection {
  ids: ReadonlySet<number>;
  anchor: Position | null;
}

export const EMPTY: Selection = { ids: new Set(), anchor: null };

export interface Modifiers {
  shift: boolean;
  toggle: boolean; // ctrl on Linux/Windows, cmd on macOS
}

export function modifiersOf(event: MouseEvent | KeyboardEvent): Modifiers {
  return { shift: event.shiftKey, toggle: event.ctrlKey || event.metaKey };
}

/** What a click asks for: the new state, or a range to resolve first. */
export type ClickResult =
  | { kind: "done"; selection: Selection }
  | { kind: "range"; from: Position; to: Position; keep: ReadonlySet<number> };

export function click(selection: Selection, position: Position, id: number, mods: Modifiers): ClickResult {
  if (mods.shift && selection.anchor) {
    // shift: the range from the anchor; shift+ctrl adds the range to what was selected
    return { kind: "range", from: selection.anchor, to: position, keep: mods.toggle ? selection.ids : new Set() };
  }
  if (mods.toggle) {
    const ids = new Set(selection.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    return { kind: "done", selection: { ids, anchor: position } };
  }
  return { kind: "done", selection: { ids: new Set([id]), anchor: position } };
}

/** Finish a shift-click once the range's ids are known; the anchor stays where it was. */
export function applyRange(selection: Selection, keep: ReadonlySet<number>, rangeIds: Iterable<number>): Selection {
  const ids = new Set(keep);
  for (const id of rangeIds) ids.add(id);
  return { ids, anchor: selection.anchor };
}

export function selectAll(ids: Iterable<number>): Selection {
  return { ids: new Set(ids), anchor: null };
}

export function replaceWith(ids: Iterable<number>, anchor: Position | null = null): Selection {
  return { ids: new Set(ids), anchor };
}

export function without(selection: Selection, ids: Iterable<number>): Selection {
  const kept = new Set(selection.ids);
  for (const id of ids) kept.delete(id);
  return { ids: kept, anchor: selection.anchor };
}

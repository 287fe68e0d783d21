/** Arrow keys, Home and End over the grid's layout: the next cursor position, or null. */

import type { Layout, Position } from "./layout";
import { rowOfImage } from "./layout";

function imageRows(layout: Layout): number[] {
  const rows: number[] = [];
  layout.rows.forEach((row, i) => {
    if (row.kind === "images") rows.push(i);
  });
  return rows;
}

function at(layout: Layout, rowIndex: number, column: number): Position {
  const row = layout.rows[rowIndex]!;
  if (row.kind !== "images") throw new Error("not an image row");
  return { section: row.section.key, index: row.start + Math.min(column, row.length - 1) };
}

export function moveCursor(layout: Layout, cursor: Position | null, key: string): Position | null {
  const rows = imageRows(layout);
  if (!rows.length) return null;
  if (!["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"].includes(key)) return null;
  if (key === "Home") return at(layout, rows[0]!, 0);
  if (key === "End") {
    const last = layout.rows[rows[rows.length - 1]!]!;
    return at(layout, rows[rows.length - 1]!, last.kind === "images" ? last.length - 1 : 0);
  }
  const current = cursor ? rowOfImage(layout, cursor.section, cursor.index) : -1;
  if (current < 0) return at(layout, rows[0]!, 0);
  const row = layout.rows[current]!;
  if (row.kind !== "images") return null;
  const column = cursor!.index - row.start;
  const place = rows.indexOf(current);
  switch (key) {
    case "ArrowLeft":
      if (column > 0) return { section: cursor!.section, index: cursor!.index - 1 };
      if (place > 0) {
        const previous = layout.rows[rows[place - 1]!]!;
        return at(layout, rows[place - 1]!, previous.kind === "images" ? previous.length - 1 : 0);
      }
      return cursor;
    case "ArrowRight":
      if (column < row.length - 1) return { section: cursor!.section, index: cursor!.index + 1 };
      if (place < rows.length - 1) return at(layout, rows[place + 1]!, 0);
      return cursor;
    case "ArrowUp":
      return place > 0 ? at(layout, rows[place - 1]!, column) : cursor;
    default:
      return place < rows.length - 1 ? at(layout, rows[place + 1]!, column) : cursor;
  }
}

"""Tags of tag properties, with parents forming a DAG (a link making a cycle is refused)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from corpuscope.errors import Conflict, InvalidInput, NotFound
from corpuscope.store.properties import Property, check_name

#: Colours given to new tags in turn (readable on light and dark backgrounds).
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Tag:
    id: int
    property_id: int
    name: str
    color: str
    parents: tuple[int, ...]


def check_color(color: str) -> str:
    if not _COLOR.match(color):
        raise InvalidInput(
            f"{color!r} is not a colour; write it as #rrggbb, e.g. #4e79a7.",
            code="tag.bad_colour",
            params={"colour": color},
        )
    return color.lower()


def save_tag(
    conn: sqlite3.Connection,
    prop: Property,
    name: str,
    *,
    color: str | None = None,
    parents: Sequence[int] = (),
) -> Tag:
    if not prop.is_tags:
        raise InvalidInput(f"The property {prop.name!r} is of type {prop.type}; it has no tags.")
    name = check_name(name, "tag")
    if find_tag(conn, prop.id, name) is not None:
        raise Conflict(
            f"The property {prop.name!r} already has a tag named {name!r}.",
            code="tag.exists",
            params={"property": prop.name, "name": name},
        )
    if color is None:
        count = conn.execute("SELECT COUNT(*) FROM tags WHERE property_id = ?", (prop.id,))
        color = PALETTE[count.fetchone()[0] % len(PALETTE)]
    row = conn.execute(
        "INSERT INTO tags (property_id, name, color) VALUES (?, ?, ?) RETURNING id",
        (prop.id, name, check_color(color)),
    ).fetchone()
    for parent in parents:
        add_parent(conn, row[0], parent)
    return load_tag(conn, row[0])


def find_tag(conn: sqlite3.Connection, property_id: int, name: str) -> Tag | None:
    row = conn.execute(
        "SELECT id FROM tags WHERE property_id = ? AND name = ?",
        (property_id, " ".join(name.split())),
    ).fetchone()
    return None if row is None else load_tag(conn, row[0])


def load_tag(conn: sqlite3.Connection, tag_id: int) -> Tag:
    try:
        row = conn.execute("SELECT * FROM tags WHERE id = ?", (tag_id,)).fetchone()
    except OverflowError:  # past SQLite's integers: no such tag
        row = None
    if row is None:
        raise NotFound(
            f"There is no tag with id {tag_id}.", code="tag.not_found", params={"id": tag_id}
        )
    parents = conn.execute(
        "SELECT parent_id FROM tag_parents WHERE tag_id = ? ORDER BY parent_id", (tag_id,)
    )
    return Tag(
        row["id"], row["property_id"], row["name"], row["color"], tuple(r[0] for r in parents)
    )


def list_tags(conn: sqlite3.Connection, property_id: int) -> list[Tag]:
    parents: dict[int, list[int]] = {}
    for tag_id, parent_id in conn.execute(
        """SELECT tag_parents.tag_id, tag_parents.parent_id FROM tag_parents
           JOIN tags ON tags.id = tag_parents.tag_id WHERE tags.property_id = ?
           ORDER BY tag_parents.parent_id""",
        (property_id,),
    ):
        parents.setdefault(tag_id, []).append(parent_id)
    rows = conn.execute("SELECT * FROM tags WHERE property_id = ? ORDER BY id", (property_id,))
    return [
        Tag(r["id"], r["property_id"], r["name"], r["color"], tuple(parents.get(r["id"], ())))
        for r in rows
    ]


def next_tag_id(conn: sqlite3.Connection) -> int:
    """The id the next inserted tag gets (call inside the write transaction)."""
    return int(conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM tags").fetchone()[0])


def list_children(conn: sqlite3.Connection, tag_id: int) -> list[int]:
    rows = conn.execute(
        "SELECT tag_id FROM tag_parents WHERE parent_id = ? ORDER BY tag_id", (tag_id,)
    )
    return [row[0] for row in rows]


def rename_tag(conn: sqlite3.Connection, tag: Tag, name: str) -> Tag:
    name = check_name(name, "tag")
    other = find_tag(conn, tag.property_id, name)
    if other is not None and other.id != tag.id:
        owner = conn.execute(
            "SELECT name FROM properties WHERE id = ?", (tag.property_id,)
        ).fetchone()[0]
        raise Conflict(
            f"The property {owner!r} already has a tag named {name!r}; merge them instead.",
            code="tag.exists",
            params={"property": owner, "name": name},
        )
    conn.execute("UPDATE tags SET name = ? WHERE id = ?", (name, tag.id))
    return load_tag(conn, tag.id)


def recolor_tag(conn: sqlite3.Connection, tag: Tag, color: str) -> Tag:
    conn.execute("UPDATE tags SET color = ? WHERE id = ?", (check_color(color), tag.id))
    return load_tag(conn, tag.id)


def is_ancestor(conn: sqlite3.Connection, candidate: int, tag_id: int) -> bool:
    """Whether ``candidate`` is ``tag_id`` itself or one of its ancestors."""
    row = conn.execute(
        """WITH RECURSIVE up(id) AS (
               SELECT ? UNION SELECT parent_id FROM tag_parents JOIN up ON tag_parents.tag_id = up.id
           ) SELECT 1 FROM up WHERE id = ?""",
        (tag_id, candidate),
    ).fetchone()
    return row is not None


def add_parent(conn: sqlite3.Connection, tag_id: int, parent_id: int) -> None:
    """Link ``tag_id`` under ``parent_id``; refused when it would make a cycle."""
    tag, parent = load_tag(conn, tag_id), load_tag(conn, parent_id)
    if tag.property_id != parent.property_id:
        raise InvalidInput(
            "A tag's parent must be a tag of the same property.",
            code="tag.parent_other_property",
        )
    if is_ancestor(conn, tag.id, parent.id):
        raise Conflict(
            f"{parent.name!r} cannot be a parent of {tag.name!r}: "
            f"{tag.name!r} is already {parent.name!r} or one of its ancestors (that would be a cycle).",
            code="tag.cycle",
            params={"tag": tag.name, "parent": parent.name},
        )
    conn.execute("INSERT OR IGNORE INTO tag_parents VALUES (?, ?)", (tag.id, parent.id))


def remove_parent(conn: sqlite3.Connection, tag_id: int, parent_id: int) -> None:
    conn.execute("DELETE FROM tag_parents WHERE tag_id = ? AND parent_id = ?", (tag_id, parent_id))


def delete_tag(conn: sqlite3.Connection, tag: Tag) -> None:
    """Delete a tag; its children are re-linked to its parents so the hierarchy stays whole."""
    children = list_children(conn, tag.id)
    conn.execute("DELETE FROM tags WHERE id = ?", (tag.id,))
    for child in children:
        for parent in tag.parents:
            if not is_ancestor(conn, child, parent):
                conn.execute("INSERT OR IGNORE INTO tag_parents VALUES (?, ?)", (child, parent))


@dataclass(frozen=True)
class MergeResult:
    survivor: Tag
    merged: int
    links_dropped: int  # parent links that would have made a cycle after merging


def merge_tags(conn: sqlite3.Connection, survivor: Tag, others: Sequence[Tag]) -> MergeResult:
    """Merge ``others`` into ``survivor``: values move over, parents and children unite."""
    others = [tag for tag in others if tag.id != survivor.id]
    if any(tag.property_id != survivor.property_id for tag in others):
        raise InvalidInput(
            "Only tags of the same property can be merged.", code="tag.merge_other_property"
        )
    merged_ids = {tag.id for tag in others}
    for table, column in (("image_tags", "image_id"), ("file_tags", "file_id")):
        for tag in others:
            conn.execute(
                f"INSERT OR IGNORE INTO {table} (tag_id, {column}) "
                f"SELECT ?, {column} FROM {table} WHERE tag_id = ?",
                (survivor.id, tag.id),
            )
    links = _links_after_merge(conn, survivor.id, merged_ids)
    for tag in others:
        conn.execute("DELETE FROM tags WHERE id = ?", (tag.id,))
    dropped = 0
    for child, parent in links:
        if is_ancestor(conn, child, parent):
            dropped += 1
        else:
            conn.execute("INSERT OR IGNORE INTO tag_parents VALUES (?, ?)", (child, parent))
    return MergeResult(load_tag(conn, survivor.id), len(others), dropped)


def _links_after_merge(
    conn: sqlite3.Connection, survivor: int, merged: set[int]
) -> list[tuple[int, int]]:
    """Every parent link touching a merged tag, re-pointed at the survivor."""
    if not merged:
        return []
    marks = ",".join("?" * len(merged))
    rows = conn.execute(
        f"SELECT tag_id, parent_id FROM tag_parents "
        f"WHERE tag_id IN ({marks}) OR parent_id IN ({marks}) ORDER BY tag_id, parent_id",
        (*merged, *merged),
    ).fetchall()
    links = []
    for child, parent in rows:
        child = survivor if child in merged else child
        parent = survivor if parent in merged else parent
        if child != parent:
            links.append((child, parent))
    return links

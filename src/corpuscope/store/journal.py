"""Undo and redo of annotation changes, recorded in the project so they survive a restart.

A change declares the *scope* it touches: slices of the annotation tables (a property with
everything in it, some tags, the values of some targets). The rows of that scope are captured
before and after the change; undo puts the "before" rows back, redo the "after" rows. Restoring
a slice deletes the rows the other state lacks and upserts the others, so a restore never goes
through a cascading delete of rows it keeps.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

Rows = dict[str, list[list[object]]]

#: Annotation tables in foreign-key order (parents first), with their primary keys and columns.
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "properties": (("id",), ("id", "name", "type", "mode", "created_at")),
    "tags": (("id",), ("id", "property_id", "name", "color")),
    "tag_parents": (("tag_id", "parent_id"), ("tag_id", "parent_id")),
    "image_values": (("property_id", "image_id"), ("property_id", "image_id", "value")),
    "file_values": (("property_id", "file_id"), ("property_id", "file_id", "value")),
    "image_tags": (("tag_id", "image_id"), ("tag_id", "image_id")),
    "file_tags": (("tag_id", "file_id"), ("tag_id", "file_id")),
}
_PROPERTY_TAGS = "SELECT id FROM tags WHERE property_id = ?"


@dataclass(frozen=True)
class Slice:
    table: str
    where: str  # a condition; may use ``temp.scope_ids`` (the scope's ``ids``)
    params: tuple[object, ...] = ()


@dataclass(frozen=True)
class Scope:
    slices: tuple[Slice, ...]
    ids: tuple[int, ...] = field(default=())

    def to_json(self) -> str:
        slices = [[s.table, s.where, list(s.params)] for s in self.slices]
        return json.dumps({"slices": slices, "ids": list(self.ids)})

    @staticmethod
    def from_json(text: str) -> Scope:
        data = json.loads(text)
        slices = tuple(Slice(t, w, tuple(p)) for t, w, p in data["slices"])
        return Scope(slices, tuple(data["ids"]))


def property_scope(property_id: int) -> Scope:
    """A property with its tags, tag hierarchy and all its values."""
    tags = f"tag_id IN ({_PROPERTY_TAGS})"
    return Scope(
        (
            Slice("properties", "id = ?", (property_id,)),
            Slice("tags", "property_id = ?", (property_id,)),
            Slice("tag_parents", tags, (property_id,)),
            Slice("image_values", "property_id = ?", (property_id,)),
            Slice("file_values", "property_id = ?", (property_id,)),
            Slice("image_tags", tags, (property_id,)),
            Slice("file_tags", tags, (property_id,)),
        )
    )


def tags_scope(tag_ids: Sequence[int], *, values_of: Sequence[int] = ()) -> Scope:
    """Some tags, every parent link touching them, and the values of the tags in ``values_of``."""
    ids = "IN (SELECT id FROM temp.scope_ids)"
    slices = [
        Slice("tags", f"id {ids}"),
        Slice("tag_parents", f"tag_id {ids} OR parent_id {ids}"),
    ]
    if values_of:
        valued = tuple(sorted(set(values_of)))
        marks = ",".join("?" * len(valued))
        slices += [
            Slice("image_tags", f"tag_id IN ({marks})", valued),
            Slice("file_tags", f"tag_id IN ({marks})", valued),
        ]
    return Scope(tuple(slices), tuple(sorted(set(tag_ids))))


def values_scope(property_id: int, mode: str, targets: Sequence[int]) -> Scope:
    """The values of one property on some images (or files)."""
    column, values, tags = (
        ("image_id", "image_values", "image_tags")
        if mode == "image"
        else ("file_id", "file_values", "file_tags")
    )
    ids = f"{column} IN (SELECT id FROM temp.scope_ids)"
    return Scope(
        (
            Slice(values, f"property_id = ? AND {ids}", (property_id,)),
            Slice(tags, f"tag_id IN ({_PROPERTY_TAGS}) AND {ids}", (property_id,)),
        ),
        tuple(sorted(set(targets))),
    )


def _load_ids(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS scope_ids (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.scope_ids")
    conn.executemany("INSERT OR IGNORE INTO temp.scope_ids VALUES (?)", ((i,) for i in ids))


def capture(conn: sqlite3.Connection, scope: Scope) -> Rows:
    """The rows of every slice of the scope, in a stable order."""
    _load_ids(conn, scope.ids)
    rows: Rows = {}
    for piece in scope.slices:
        keys, columns = TABLES[piece.table]
        found = conn.execute(
            f"SELECT {', '.join(columns)} FROM {piece.table} WHERE {piece.where} "
            f"ORDER BY {', '.join(keys)}",
            piece.params,
        )
        rows.setdefault(piece.table, []).extend(list(row) for row in found)
    return rows


def restore(conn: sqlite3.Connection, scope: Scope, rows: Rows) -> None:
    """Make the scope's rows exactly ``rows``."""
    _load_ids(conn, scope.ids)
    ordered = sorted(scope.slices, key=lambda piece: list(TABLES).index(piece.table))
    for piece in reversed(ordered):  # children first: delete rows ``rows`` does not have
        keys, columns = TABLES[piece.table]
        wanted = {_key(row, keys, columns) for row in rows.get(piece.table, [])}
        current = conn.execute(
            f"SELECT {', '.join(keys)} FROM {piece.table} WHERE {piece.where}", piece.params
        ).fetchall()
        stale = [tuple(row) for row in current if tuple(row) not in wanted]
        condition = " AND ".join(f"{key} = ?" for key in keys)
        conn.executemany(f"DELETE FROM {piece.table} WHERE {condition}", stale)
    for table in dict.fromkeys(piece.table for piece in ordered):  # parents first: upsert
        keys, columns = TABLES[table]
        others = [c for c in columns if c not in keys]
        update = (
            f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in others)}"
            if others
            else "DO NOTHING"
        )
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT ({', '.join(keys)}) {update}",
            rows.get(table, []),
        )


def _key(row: list[object], keys: tuple[str, ...], columns: tuple[str, ...]) -> tuple[object, ...]:
    return tuple(row[columns.index(key)] for key in keys)


@dataclass(frozen=True)
class JournalEntry:
    id: int
    label: str
    undone: bool
    created_at: str


def record_change(
    conn: sqlite3.Connection, label: str, scope: Scope, before: Rows, after: Rows
) -> int | None:
    """Record a change (nothing if it changed nothing); it drops the redo history."""
    if before == after:
        return None
    conn.execute("DELETE FROM journal WHERE undone = 1")
    row = conn.execute(
        "INSERT INTO journal (label, scope, before, after) VALUES (?, ?, ?, ?) RETURNING id",
        (label, scope.to_json(), json.dumps(before), json.dumps(after)),
    ).fetchone()
    return int(row[0])


def undo_last(conn: sqlite3.Connection) -> JournalEntry | None:
    row = conn.execute(
        "SELECT id, scope, before FROM journal WHERE undone = 0 ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    restore(conn, Scope.from_json(row["scope"]), json.loads(row["before"]))
    conn.execute("UPDATE journal SET undone = 1 WHERE id = ?", (row["id"],))
    return _entry(conn, row["id"])


def redo_next(conn: sqlite3.Connection) -> JournalEntry | None:
    row = conn.execute(
        "SELECT id, scope, after FROM journal WHERE undone = 1 ORDER BY id LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    restore(conn, Scope.from_json(row["scope"]), json.loads(row["after"]))
    conn.execute("UPDATE journal SET undone = 0 WHERE id = ?", (row["id"],))
    return _entry(conn, row["id"])


def list_journal(conn: sqlite3.Connection, *, limit: int = 50) -> list[JournalEntry]:
    rows = conn.execute(
        "SELECT id, label, undone, created_at FROM journal ORDER BY id DESC LIMIT ?", (limit,)
    )
    return [JournalEntry(r[0], r[1], bool(r[2]), r[3]) for r in rows]


def _entry(conn: sqlite3.Connection, entry_id: int) -> JournalEntry:
    r = conn.execute(
        "SELECT id, label, undone, created_at FROM journal WHERE id = ?", (entry_id,)
    ).fetchone()
    return JournalEntry(r[0], r[1], bool(r[2]), r[3])

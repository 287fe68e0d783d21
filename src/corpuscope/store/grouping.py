"""What grouping needs from the database, as arrays: filtered ids, (image, key) pairs, tag ancestry.

The counting itself happens in numpy (:mod:`corpuscope.services.grouping`): on 100,000 images
one pass over each level's pairs is far cheaper than SQLite joining the levels row by row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from corpuscope.store.images import ImageFilter, filter_sql
from corpuscope.store.properties import Property

Ids = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Level:
    """A grouping level: a property, or the folders when ``prop`` is None; ``part`` ("year",
    "month") groups a date property by that part of its dates."""

    prop: Property | None
    part: str | None = None


def _ids(rows: list[tuple[object, ...]], column: int = 0) -> Ids:
    return np.fromiter((row[column] for row in rows), dtype=np.int64, count=len(rows))


def _integers(conn: sqlite3.Connection, sql: str, params: Sequence[object]) -> Ids:
    """The integers of a one-column query, in order, read as one text (3x faster than rows)."""
    text = conn.execute(f"SELECT group_concat(n) FROM ({sql})", params).fetchone()[0]
    return np.array(text.split(","), dtype=np.int64) if text else np.empty(0, dtype=np.int64)


def load_filtered_ids(conn: sqlite3.Connection, flt: ImageFilter) -> Ids:
    """Ids of the images matching ``flt``, sorted."""
    where, params = filter_sql(flt)
    return _integers(conn, f"SELECT id AS n FROM images WHERE {where} ORDER BY id", params)


def _pairs_sql(level: Level) -> tuple[str, tuple[object, ...]]:
    prop = level.prop
    if prop is None:
        return (
            "SELECT DISTINCT image_id, folder_id AS key FROM files WHERE image_id IS NOT NULL",
            (),
        )
    if prop.is_tags:
        own = "tag_id IN (SELECT id FROM tags WHERE property_id = ?)"
        if prop.mode == "image":
            return f"SELECT image_id, tag_id AS key FROM image_tags WHERE {own}", (prop.id,)
        return (
            "SELECT DISTINCT f.image_id AS image_id, ft.tag_id AS key FROM file_tags ft "
            f"JOIN files f ON f.id = ft.file_id WHERE f.image_id IS NOT NULL AND ft.{own}",
            (prop.id,),
        )
    if prop.mode == "image":
        return "SELECT image_id, value FROM image_values WHERE property_id = ?", (prop.id,)
    return (
        "SELECT DISTINCT f.image_id, fv.value FROM file_values fv "
        "JOIN files f ON f.id = fv.file_id WHERE f.image_id IS NOT NULL AND fv.property_id = ?",
        (prop.id,),
    )


def load_level_pairs(conn: sqlite3.Connection, level: Level) -> tuple[Ids, list[object] | Ids]:
    """``(image ids, keys)``: one entry per distinct (image, tag / value / folder) of the level.

    Tag and folder keys (ids) come as an array, values as a list.
    """
    sql, params = _pairs_sql(level)
    if level.prop is None or level.prop.is_tags:
        flat = _integers(conn, f"SELECT k.image_id || ',' || k.key AS n FROM ({sql}) k", params)
        return flat[0::2].copy(), flat[1::2].copy()
    rows = conn.execute(sql, params).fetchall()
    return _ids(rows), [row[1] for row in rows]


def load_tag_ancestry(conn: sqlite3.Connection, prop: Property) -> list[tuple[int, int]]:
    """``(tag, ancestor)`` for every tag of ``prop`` and each of its ancestors, itself included."""
    rows = conn.execute(
        """WITH RECURSIVE up(tag, ancestor) AS (
               SELECT id, id FROM tags WHERE property_id = ?
               UNION SELECT up.tag, tag_parents.parent_id FROM tag_parents
               JOIN up ON tag_parents.tag_id = up.ancestor
           ) SELECT tag, ancestor FROM up ORDER BY tag, ancestor""",
        (prop.id,),
    )
    return [(int(tag), int(ancestor)) for tag, ancestor in rows]

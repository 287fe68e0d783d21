"""Counting images per group of one or several properties (nested), in one SQL query per level.

A level is a property (its tags or its values) or the folders. Each level is a subquery of
``(image_id, key)`` pairs; the filtered images are LEFT JOINed with the levels so an image with
no value falls in the ``NULL`` group, and one with several tags in each of their groups.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from corpuscope.store.images import ImageFilter, filter_sql
from corpuscope.store.properties import Property

GroupKey = tuple[object, ...]


@dataclass(frozen=True)
class Level:
    """``prop`` is None for the folder level."""

    prop: Property | None


def _pairs_sql(level: Level) -> tuple[str, list[object]]:
    """``SELECT image_id, key`` rows for one level, distinct."""
    prop = level.prop
    if prop is None:
        return (
            "SELECT DISTINCT image_id, folder_id AS key FROM files WHERE image_id IS NOT NULL",
            [],
        )
    if prop.is_tags:
        own = "tag_id IN (SELECT id FROM tags WHERE property_id = ?)"
        if prop.mode == "image":
            return f"SELECT image_id, tag_id AS key FROM image_tags WHERE {own}", [prop.id]
        return (
            "SELECT DISTINCT f.image_id AS image_id, ft.tag_id AS key FROM file_tags ft "
            f"JOIN files f ON f.id = ft.file_id WHERE f.image_id IS NOT NULL AND ft.{own}",
            [prop.id],
        )
    if prop.mode == "image":
        return "SELECT image_id, value AS key FROM image_values WHERE property_id = ?", [prop.id]
    return (
        "SELECT DISTINCT f.image_id AS image_id, fv.value AS key FROM file_values fv "
        "JOIN files f ON f.id = fv.file_id WHERE f.image_id IS NOT NULL AND fv.property_id = ?",
        [prop.id],
    )


def _rollup_sql(level: Level) -> tuple[str, list[object]]:
    """Like :func:`_pairs_sql` for a tag level, but each tag also counts for its ancestors."""
    assert level.prop is not None
    pairs, params = _pairs_sql(level)
    sql = (
        "SELECT DISTINCT p.image_id AS image_id, c.ancestor AS key FROM "
        f"({pairs}) p JOIN ("
        "WITH RECURSIVE up(ancestor, descendant) AS ("
        "SELECT id, id FROM tags WHERE property_id = ? "
        "UNION SELECT tag_parents.parent_id, up.descendant FROM tag_parents "
        "JOIN up ON tag_parents.tag_id = up.ancestor"
        ") SELECT ancestor, descendant FROM up) c ON c.descendant = p.key"
    )
    return sql, [*params, level.prop.id]


def count_groups(
    conn: sqlite3.Connection,
    flt: ImageFilter,
    levels: Sequence[Level],
    *,
    rollup_last: bool = False,
) -> dict[GroupKey, int]:
    """Key tuple (one key per level, ``None`` = no value) -> number of images.

    With ``rollup_last``, the last level (a tag property) counts an image in the group of each
    ancestor of its tags too, once.
    """
    where, params = filter_sql(flt)
    joins: list[str] = []
    join_params: list[object] = []
    for depth, level in enumerate(levels):
        last = depth == len(levels) - 1
        pairs, more = _rollup_sql(level) if rollup_last and last else _pairs_sql(level)
        joins.append(f"LEFT JOIN ({pairs}) l{depth} ON l{depth}.image_id = filtered.id")
        join_params.extend(more)
    keys = ", ".join(f"l{depth}.key" for depth in range(len(levels)))
    sql = (
        f"WITH filtered AS (SELECT images.id FROM images WHERE {where}) "
        f"SELECT {keys}, COUNT(*) FROM filtered {' '.join(joins)} GROUP BY {keys}"
    )
    rows = conn.execute(sql, (*params, *join_params))
    return {tuple(row[:-1]): int(row[-1]) for row in rows}

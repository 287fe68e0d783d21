"""Values of properties on images (mode ``image``) or on file instances (mode ``instance``).

Scalar values live in ``image_values``/``file_values``; tag values are links in
``image_tags``/``file_tags``. A target is an image id or a file id, by the property's mode.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from corpuscope.store.properties import Property

Scalar = str | int | float


def _tables(prop: Property) -> tuple[str, str, str]:
    if prop.mode == "image":
        return "image_values", "image_tags", "image_id"
    return "file_values", "file_tags", "file_id"


def _chunks(ids: Sequence[int], size: int = 900) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def set_scalar_values(
    conn: sqlite3.Connection, prop: Property, targets: Sequence[int], value: Scalar
) -> None:
    values, _, column = _tables(prop)
    conn.executemany(
        f"INSERT INTO {values} (property_id, {column}, value) VALUES (?, ?, ?) "
        f"ON CONFLICT DO UPDATE SET value = excluded.value",
        ((prop.id, target, value) for target in targets),
    )


def clear_values(conn: sqlite3.Connection, prop: Property, targets: Sequence[int]) -> None:
    values, tags, column = _tables(prop)
    for chunk in _chunks(targets):
        marks = ",".join("?" * len(chunk))
        if prop.is_tags:
            conn.execute(
                f"DELETE FROM {tags} WHERE {column} IN ({marks}) "
                f"AND tag_id IN (SELECT id FROM tags WHERE property_id = ?)",
                (*chunk, prop.id),
            )
        else:
            conn.execute(
                f"DELETE FROM {values} WHERE property_id = ? AND {column} IN ({marks})",
                (prop.id, *chunk),
            )


def add_tag_values(
    conn: sqlite3.Connection, prop: Property, targets: Sequence[int], tag_ids: Sequence[int]
) -> None:
    _, tags, column = _tables(prop)
    conn.executemany(
        f"INSERT OR IGNORE INTO {tags} (tag_id, {column}) VALUES (?, ?)",
        ((tag_id, target) for target in targets for tag_id in tag_ids),
    )


def remove_tag_values(
    conn: sqlite3.Connection, prop: Property, targets: Sequence[int], tag_ids: Sequence[int]
) -> None:
    _, tags, column = _tables(prop)
    conn.executemany(
        f"DELETE FROM {tags} WHERE tag_id = ? AND {column} = ?",
        ((tag_id, target) for target in targets for tag_id in tag_ids),
    )


def load_scalar_values(conn: sqlite3.Connection, prop: Property) -> dict[int, Scalar]:
    values, _, column = _tables(prop)
    rows = conn.execute(f"SELECT {column}, value FROM {values} WHERE property_id = ?", (prop.id,))
    return dict(rows.fetchall())


def load_tag_values(conn: sqlite3.Connection, prop: Property) -> dict[int, list[int]]:
    """Target id -> tag ids (sorted) for a tag property."""
    _, tags, column = _tables(prop)
    rows = conn.execute(
        f"SELECT {column}, tag_id FROM {tags} WHERE tag_id IN "
        f"(SELECT id FROM tags WHERE property_id = ?) ORDER BY {column}, tag_id",
        (prop.id,),
    )
    result: dict[int, list[int]] = {}
    for target, tag_id in rows:
        result.setdefault(target, []).append(tag_id)
    return result


def existing_images(conn: sqlite3.Connection, image_ids: Sequence[int]) -> set[int]:
    """The subset of ``image_ids`` that exist in the project."""
    found: set[int] = set()
    ids = list(image_ids)
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f"SELECT id FROM images WHERE id IN ({marks})", tuple(chunk))
        found.update(r[0] for r in rows)
    return found


def existing_targets(conn: sqlite3.Connection, prop: Property, targets: Sequence[int]) -> set[int]:
    """The subset of ``targets`` that exist as images (or files) in the project."""
    table = "images" if prop.mode == "image" else "files"
    found: set[int] = set()
    for chunk in _chunks(targets):
        marks = ",".join("?" * len(chunk))
        found.update(
            r[0] for r in conn.execute(f"SELECT id FROM {table} WHERE id IN ({marks})", chunk)
        )
    return found


def list_images_with_tags(
    conn: sqlite3.Connection, prop: Property, tag_ids: Sequence[int]
) -> list[int]:
    """Ids of the images carrying any of ``tag_ids`` (through one of their files, for instance
    properties), ascending."""
    marks = ",".join("?" * len(tag_ids))
    if prop.mode == "image":
        sql = f"SELECT DISTINCT image_id FROM image_tags WHERE tag_id IN ({marks}) ORDER BY 1"
    else:
        sql = (
            "SELECT DISTINCT files.image_id FROM file_tags JOIN files ON files.id = file_tags.file_id "
            f"WHERE file_tags.tag_id IN ({marks}) AND files.image_id IS NOT NULL ORDER BY 1"
        )
    return [row[0] for row in conn.execute(sql, tuple(tag_ids))]

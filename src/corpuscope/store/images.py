"""Images as the grid shows them: filtered, sorted and paged in SQL, and one image in full.

A filter is a conjunction: folders, file status, a path fragment, a list of ids, the members
of one clustering group, and conditions on property values. Lists of ids travel as one JSON
array (``json_each``), so a filter of 100,000 ids is one parameter, not 100,000.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from corpuscope.errors import NotFound
from corpuscope.filenames import name_text
from corpuscope.store.properties import Property
from corpuscope.store.values import Scalar

ConditionOp = Literal[
    "eq", "ne", "lt", "le", "gt", "ge", "contains", "empty", "not_empty", "any", "all", "none"
]
SortKey = Literal["id", "path", "property", "rank"]
_COMPARE = {"eq": "=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


@dataclass(frozen=True)
class Condition:
    """One test on a property's value; tag ops take ``tag_sets`` (each tag with its descendants)."""

    prop: Property
    op: ConditionOp
    value: Scalar | None = None
    tag_sets: tuple[tuple[int, ...], ...] = ()


@dataclass(frozen=True)
class ImageFilter:
    folder_ids: tuple[int, ...] = ()
    status: Literal["ok", "missing"] | None = None
    path_contains: str | None = None
    image_ids: tuple[int, ...] | None = None
    group_id: int | None = None
    conditions: tuple[Condition, ...] = field(default=())


@dataclass(frozen=True)
class ImageSort:
    key: SortKey = "id"
    prop: Property | None = None
    descending: bool = False
    group_id: int | None = None


@dataclass(frozen=True)
class ImageRow:
    id: int
    sha1: str
    width: int
    height: int
    format: str
    created_at: str
    folder_id: int | None
    path: str | None
    status: str
    file_size: int | None  # bytes of that file, as last read
    rank: int | None = None
    score: float | None = None


@dataclass(frozen=True)
class ImageFile:
    """``folder`` and ``path`` are shown names (:mod:`corpuscope.filenames`); ``location`` opens
    the file."""

    id: int
    folder_id: int
    folder: str
    path: str
    size: int | None
    status: str
    error: str | None
    updated_at: str
    location: Path


@dataclass(frozen=True)
class Membership:
    run_id: int
    group_id: int
    group_rank: int
    kind: str
    name: str | None
    rank: int
    score: float | None


def _ids_json(ids: Sequence[int]) -> str:
    return json.dumps([int(i) for i in ids])


def value_source(prop: Property) -> str:
    """A subquery body over the values of ``prop`` belonging to ``images.id`` (column ``value``)."""
    if prop.mode == "image":
        return "SELECT value FROM image_values WHERE property_id = ? AND image_id = images.id"
    return (
        "SELECT fv.value AS value FROM file_values fv JOIN files f ON f.id = fv.file_id "
        "WHERE fv.property_id = ? AND f.image_id = images.id"
    )


def tag_source(prop: Property) -> str:
    """A subquery body over the tag ids (column ``tag_id``) ``images.id`` has in ``prop``."""
    if prop.mode == "image":
        return "SELECT tag_id FROM image_tags WHERE image_id = images.id"
    return (
        "SELECT ft.tag_id AS tag_id FROM file_tags ft JOIN files f ON f.id = ft.file_id "
        "WHERE f.image_id = images.id"
    )


def _owners(prop: Property, where: str) -> str:
    """Ids of the images holding a value of ``prop`` that meets ``where`` (first ``?``: the
    property id); an instance property's value counts for its file's image."""
    if prop.is_tags:
        if prop.mode == "image":
            return f"SELECT image_id FROM image_tags WHERE {where}"
        return (
            "SELECT f.image_id FROM file_tags ft JOIN files f ON f.id = ft.file_id "
            f"WHERE f.image_id IS NOT NULL AND {where}"
        )
    if prop.mode == "image":
        return f"SELECT image_id FROM image_values WHERE property_id = ? AND {where}"
    return (
        "SELECT f.image_id FROM file_values fv JOIN files f ON f.id = fv.file_id "
        f"WHERE f.image_id IS NOT NULL AND fv.property_id = ? AND {where}"
    )


def _condition_sql(cond: Condition) -> tuple[str, list[object]]:
    """``images.id [NOT] IN (...)``: one set per condition, built once, not one probe per row."""
    prop = cond.prop
    negate = cond.op in ("empty", "none", "ne")
    if prop.is_tags:
        if cond.op in ("empty", "not_empty"):
            sql = f"images.id IN ({_owners(prop, 'tag_id IN (SELECT id FROM tags WHERE property_id = ?)')})"
            return (f"NOT {sql}" if negate else sql), [prop.id]
        if cond.op == "all":
            return _all_tags_sql(prop, cond.tag_sets)
        # any / none: one set of every tag named (a thousand tags stay one shallow expression)
        union = sorted({tag for tags in cond.tag_sets for tag in tags})
        sql = f"images.id IN ({_owners(prop, 'tag_id IN (SELECT value FROM json_each(?))')})"
        return (f"NOT {sql}" if negate else sql), [_ids_json(union)]
    if cond.op in ("empty", "not_empty"):
        sql = f"images.id IN ({_owners(prop, '1')})"
        return (f"NOT {sql}" if negate else sql), [prop.id]
    if cond.op == "contains":
        where = "instr(lower(value), lower(?)) > 0"
        return f"images.id IN ({_owners(prop, where)})", [prop.id, cond.value]
    operator = _COMPARE["eq" if cond.op == "ne" else cond.op]
    sql = f"images.id IN ({_owners(prop, f'value {operator} ?')})"
    return (f"NOT {sql}" if negate else sql), [prop.id, cond.value]


def _all_tags_sql(prop: Property, tag_sets: Sequence[Sequence[int]]) -> tuple[str, list[object]]:
    """Images holding a tag of every set: ``(tag, set number)`` pairs joined to the image's
    tags, counted per image (one expression, whatever the number of sets)."""
    if not tag_sets:
        return "1", []
    pairs = json.dumps([[int(tag), number] for number, tags in enumerate(tag_sets) for tag in tags])
    wanted = (
        "(SELECT json_extract(value, '$[0]') AS tag, json_extract(value, '$[1]') AS number "
        "FROM json_each(?))"
    )
    if prop.mode == "image":
        owners = f"SELECT t.image_id FROM image_tags t JOIN {wanted} w ON w.tag = t.tag_id"
        image = "t.image_id"
    else:
        owners = (
            "SELECT f.image_id FROM file_tags t JOIN files f ON f.id = t.file_id "
            f"JOIN {wanted} w ON w.tag = t.tag_id WHERE f.image_id IS NOT NULL"
        )
        image = "f.image_id"
    sql = f"images.id IN ({owners} GROUP BY {image} HAVING COUNT(DISTINCT w.number) = ?)"
    return sql, [pairs, len(tag_sets)]


def filter_sql(flt: ImageFilter) -> tuple[str, list[object]]:
    """A condition on ``images`` (the table must be named ``images`` in the query)."""
    parts: list[str] = []
    params: list[object] = []
    with_image = "SELECT image_id FROM files WHERE image_id IS NOT NULL"
    if flt.folder_ids:
        parts.append(
            f"images.id IN ({with_image} AND folder_id IN (SELECT value FROM json_each(?)))"
        )
        params.append(_ids_json(flt.folder_ids))
    if flt.status is not None:
        ok = f"images.id IN ({with_image} AND status = 'ok')"
        parts.append(ok if flt.status == "ok" else f"NOT {ok}")
    if flt.path_contains:
        escaped = flt.path_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        parts.append(f"images.id IN ({with_image} AND path LIKE ? ESCAPE '\\')")
        params.append(f"%{escaped}%")
    if flt.image_ids is not None:
        parts.append("images.id IN (SELECT value FROM json_each(?))")
        params.append(_ids_json(flt.image_ids))
    if flt.group_id is not None:
        parts.append("images.id IN (SELECT image_id FROM run_members WHERE group_id = ?)")
        params.append(flt.group_id)
    for cond in flt.conditions:
        sql, more = _condition_sql(cond)
        parts.append(sql)
        params.extend(more)
    return (" AND ".join(parts) or "1"), params


def _order_sql(sort: ImageSort) -> tuple[str, list[object]]:
    direction = "DESC" if sort.descending else "ASC"
    if sort.key == "id":
        return f"images.id {direction}", []
    if sort.key == "path":
        expr = (
            "(SELECT folders.path || '/' || files.path FROM files "
            "JOIN folders ON folders.id = files.folder_id WHERE files.image_id = images.id "
            "ORDER BY files.status = 'ok' DESC, files.id LIMIT 1)"
        )
        params: list[object] = []
    elif sort.key == "rank":
        expr = "(SELECT rank FROM run_members WHERE group_id = ? AND image_id = images.id)"
        params = [sort.group_id]
    else:
        assert sort.prop is not None
        if sort.prop.is_tags:
            expr = (
                f"(SELECT MIN(tags.name) FROM ({tag_source(sort.prop)}) own "
                "JOIN tags ON tags.id = own.tag_id WHERE tags.property_id = ?)"
            )
        else:
            expr = f"(SELECT MIN(value) FROM ({value_source(sort.prop)}))"
        params = [sort.prop.id]
    return f"{expr} IS NULL, {expr} {direction}, images.id {direction}", params * 2


def load_order_stamp(conn: sqlite3.Connection, sort: ImageSort) -> tuple[object, ...]:
    """A value that changes whenever the order of ``sort`` may have changed (for caching it):
    the files for a path order, the annotation journal for a property order, and the images."""
    images = conn.execute("SELECT COUNT(*), MAX(id) FROM images").fetchone()
    if sort.key == "path":
        files = conn.execute("SELECT COUNT(*), MAX(updated_at), MAX(id) FROM files").fetchone()
        return (*images, *files)
    journal = conn.execute("SELECT MAX(id), TOTAL(undone) FROM journal").fetchone()
    return (*images, *journal)


def count_images(conn: sqlite3.Connection, flt: ImageFilter) -> int:
    where, params = filter_sql(flt)
    row = conn.execute(f"SELECT COUNT(*) FROM images WHERE {where}", params).fetchone()
    return int(row[0])


def list_image_ids(
    conn: sqlite3.Connection, flt: ImageFilter, sort: ImageSort, *, offset: int, limit: int
) -> list[int]:
    """Ids of the matching images in sort order, one page."""
    where, params = filter_sql(flt)
    order, order_params = _order_sql(sort)
    rows = conn.execute(
        f"SELECT images.id FROM images WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
        (*params, *order_params, limit, offset),
    )
    return [int(row[0]) for row in rows]


def list_sorted_ids(conn: sqlite3.Connection, sort: ImageSort) -> list[int]:
    """Every image id in the order of ``sort``."""
    return list_image_ids(conn, ImageFilter(), sort, offset=0, limit=-1)


def load_image_rows(
    conn: sqlite3.Connection, ids: Sequence[int], *, group_id: int | None = None
) -> list[ImageRow]:
    """The rows of ``ids``, in the same order (unknown ids are left out)."""
    rows = conn.execute(
        """SELECT images.id, images.sha1, images.width, images.height, images.format,
                  images.created_at, f.folder_id, f.path,
                  CASE WHEN f.status = 'ok' THEN 'ok' ELSE 'missing' END, f.size,
                  m.rank, m.score
           FROM json_each(?) wanted
           JOIN images ON images.id = wanted.value
           LEFT JOIN files f ON f.id = (
               SELECT id FROM files WHERE image_id = images.id AND status IN ('ok', 'missing')
               ORDER BY status = 'ok' DESC, id LIMIT 1)
           LEFT JOIN run_members m ON m.group_id = ? AND m.image_id = images.id
           ORDER BY wanted.key""",
        (_ids_json(ids), group_id),
    )
    return [ImageRow(*row) for row in rows]


def load_image_row(conn: sqlite3.Connection, image_id: int) -> ImageRow:
    found = load_image_rows(conn, [image_id])
    if not found:
        raise NotFound(
            f"There is no image {image_id} in this project.",
            code="image.not_found",
            params={"id": image_id},
        )
    return found[0]


def list_image_files(conn: sqlite3.Connection, image_id: int) -> list[ImageFile]:
    """Every file (instance) of an image, ok ones first."""
    rows = conn.execute(
        """SELECT files.id, files.folder_id, folders.path, files.path, files.size, files.status,
                  files.error, files.updated_at, folders.path_bytes, files.path_bytes
           FROM files JOIN folders ON folders.id = files.folder_id
           WHERE files.image_id = ? ORDER BY files.status = 'ok' DESC, files.id""",
        (image_id,),
    )
    return [
        ImageFile(
            *(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7]),
            location=Path(name_text(row[8])) / name_text(row[9]),
        )
        for row in rows
    ]


def list_memberships(conn: sqlite3.Connection, image_id: int) -> list[Membership]:
    """The clustering groups an image belongs to, newest run first."""
    rows = conn.execute(
        """SELECT g.run_id, g.id, g.rank, g.kind, g.name, m.rank, m.score
           FROM run_members m JOIN run_groups g ON g.id = m.group_id
           WHERE m.image_id = ? ORDER BY g.run_id DESC""",
        (image_id,),
    )
    return [Membership(*row) for row in rows]


def load_values_of(
    conn: sqlite3.Connection, prop: Property, targets: Sequence[int]
) -> dict[int, Scalar | list[int]]:
    """Values of ``prop`` on some images (or files): a scalar, or the sorted tag ids."""
    if prop.is_tags:
        table, column = (
            ("image_tags", "image_id") if prop.mode == "image" else ("file_tags", "file_id")
        )
        rows = conn.execute(
            f"SELECT t.{column}, t.tag_id FROM {table} t JOIN tags ON tags.id = t.tag_id "
            f"WHERE tags.property_id = ? AND t.{column} IN (SELECT value FROM json_each(?)) "
            f"ORDER BY t.{column}, t.tag_id",
            (prop.id, _ids_json(targets)),
        )
        tags: dict[int, Scalar | list[int]] = {}
        for target, tag_id in rows:
            listed = tags.setdefault(target, [])
            assert isinstance(listed, list)
            listed.append(tag_id)
        return tags
    table, column = (
        ("image_values", "image_id") if prop.mode == "image" else ("file_values", "file_id")
    )
    rows = conn.execute(
        f"SELECT {column}, value FROM {table} "
        f"WHERE property_id = ? AND {column} IN (SELECT value FROM json_each(?))",
        (prop.id, _ids_json(targets)),
    )
    return {int(target): value for target, value in rows}


def load_group_run(conn: sqlite3.Connection, group_id: int) -> int:
    """The run a clustering group belongs to."""
    row = conn.execute("SELECT run_id FROM run_groups WHERE id = ?", (group_id,)).fetchone()
    if row is None:
        raise NotFound(f"There is no clustering group {group_id} in this project.")
    return int(row[0])


def list_descendants(conn: sqlite3.Connection, tag_id: int) -> list[int]:
    """A tag and every tag below it in the hierarchy."""
    rows = conn.execute(
        """WITH RECURSIVE down(id) AS (
               SELECT ? UNION SELECT tag_parents.tag_id FROM tag_parents
               JOIN down ON tag_parents.parent_id = down.id
           ) SELECT id FROM down ORDER BY id""",
        (tag_id,),
    )
    return [int(row[0]) for row in rows]


def count_tag_images(conn: sqlite3.Connection, prop: Property) -> dict[int, int]:
    """Tag id -> how many images (or files) carry it directly."""
    table = "image_tags" if prop.mode == "image" else "file_tags"
    rows = conn.execute(
        f"SELECT t.tag_id, COUNT(*) FROM {table} t JOIN tags ON tags.id = t.tag_id "
        "WHERE tags.property_id = ? GROUP BY t.tag_id",
        (prop.id,),
    )
    return {int(tag_id): int(count) for tag_id, count in rows}


def count_images_per_folder(conn: sqlite3.Connection) -> dict[int, int]:
    """Folder id -> distinct images with a file (ok or missing) in it."""
    rows = conn.execute(
        "SELECT folder_id, COUNT(DISTINCT image_id) FROM files "
        "WHERE image_id IS NOT NULL GROUP BY folder_id"
    )
    return {int(folder): int(count) for folder, count in rows}

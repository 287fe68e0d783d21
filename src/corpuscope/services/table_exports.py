"""Results as tables for a spreadsheet, R, pandas or a GIS: CSV and Parquet.

Three tables, each the same in both formats (Parquet keeps the types: integers, floats,
booleans, lists of tags):

- a clustering run (:func:`run_table`): one row per image with its deepest group, the path of
  group names from the top (``Cluster 2>Cluster 2.1``, written like tag paths), the group's score
  and the image's typicality (cosine similarity to its group's centre; higher = more typical);
- the map (:func:`map_table`): each image's ``x``, ``y`` on the 2-D map of a model's vectors;
- property values (:func:`values_table`): the columns of ``corpuscope export``, one row per file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from corpuscope.errors import InvalidInput
from corpuscope.services.csv_io import FIXED, ValueColumn, escape_name, header_of
from corpuscope.services.maps import map_coordinates
from corpuscope.services.runs import GroupView, RunView, load_run
from corpuscope.services.value_types import format_value
from corpuscope.store.db import Project
from corpuscope.store.exports import ImageSource, load_image_sources
from corpuscope.store.files import list_export_rows
from corpuscope.store.properties import Property, list_properties, load_property

TableFormat = Literal["csv", "parquet"]
FORMATS: tuple[TableFormat, ...] = ("csv", "parquet")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


ColumnType = Literal["int", "float", "bool", "text", "texts"]


@dataclass(frozen=True)
class Column:
    """``values`` of one type (None: missing); ``texts``: lists of texts (tag paths)."""

    name: str
    type: ColumnType
    values: list[Any]


Table = list[Column]


def table_format(path: Path, given: str | None = None) -> TableFormat:
    """The format asked for, or the one the file name's suffix says."""
    chosen = given or path.suffix.lower().lstrip(".")
    if chosen not in FORMATS:
        raise InvalidInput(
            f"Export as csv or parquet (a file name ending in .csv or .parquet), not {chosen!r}."
        )
    return chosen


def write_table(table: Table, out: Path | io.BytesIO, fmt: TableFormat) -> None:
    """Write a table as CSV (UTF-8, empty cells for missing values) or Parquet."""
    if fmt == "parquet":
        import pyarrow as pa  # imported when used: it takes a moment to load
        import pyarrow.parquet as pq

        types = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
        types |= {"text": pa.string(), "texts": pa.list_(pa.string())}
        arrays = {c.name: pa.array(c.values, type=types[c.type]) for c in table}
        pq.write_table(pa.table(arrays), out)
        return
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([column.name for column in table])
    for row in zip(*(column.values for column in table), strict=True):
        writer.writerow([_cell(value) for value in row])
    data = text.getvalue().encode("utf-8")
    if isinstance(out, Path):
        out.write_bytes(data)
    else:
        out.write(data)


def table_bytes(table: Table, fmt: TableFormat) -> bytes:
    buffer = io.BytesIO()
    write_table(table, buffer, fmt)
    return buffer.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_value("number", value)
    if isinstance(value, list):
        return "|".join(str(item) for item in value)
    return str(value)


def _where(sources: dict[int, ImageSource], ids: Sequence[int]) -> Table:
    found = [sources.get(image_id) for image_id in ids]
    return [
        Column("image_id", "int", list(ids)),
        Column("sha1", "text", [s.sha1 if s else None for s in found]),
        Column("folder", "text", [s.folder if s else None for s in found]),
        Column("path", "text", [s.path if s else None for s in found]),
    ]


# --- a run ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """Where an image ends up in a run tree: its groups from the top down to the deepest."""

    groups: tuple[GroupView, ...]
    rank: int  # position in the deepest group, 0 = most typical
    typicality: float


def place_members(
    project: Project, view: RunView, *, above: tuple[GroupView, ...] = (), only: int | None = None
) -> dict[int, Placed]:
    """Image id -> its deepest group in ``view`` and the runs nested in it (``only``: one group
    of the run), in the order of the groups and, inside each, from typical to odd."""
    placed: dict[int, Placed] = {}
    for group in view.groups:
        if only is not None and group.id != only:
            continue
        path = (*above, group)
        for rank, (image_id, score) in enumerate(group.members):
            placed.pop(image_id, None)  # the deepest placement decides, in its order
            placed[image_id] = Placed(path, rank, score)
        for child in group.child_run_ids:
            for image_id, deeper in place_members(
                project, load_run(project, child), above=path
            ).items():
                placed.pop(image_id, None)
                placed[image_id] = deeper
    return placed


def run_table(project: Project, run_id: int) -> Table:
    """One row per image of a run (and the runs nested in it): its deepest group."""
    placed = place_members(project, load_run(project, run_id))
    ids = list(placed)
    rows = [placed[image_id] for image_id in ids]
    return [
        *_where(load_image_sources(project.read()), ids),
        Column("run_id", "int", [run_id] * len(ids)),
        Column("group_id", "int", [row.groups[-1].id for row in rows]),
        Column("group", "text", [row.groups[-1].label for row in rows]),
        Column("group_path", "text", [format_path([g.label for g in row.groups]) for row in rows]),
        Column("depth", "int", [len(row.groups) - 1 for row in rows]),
        Column("kind", "text", [row.groups[-1].kind for row in rows]),
        Column("group_score", "float", [row.groups[-1].score for row in rows]),
        Column("typicality", "float", [row.typicality for row in rows]),
        Column("rank", "int", [row.rank for row in rows]),
    ]


def format_path(names: Sequence[str]) -> str:
    """Group names from the top, written like tag paths: ``A>B``, with ``>``, ``|``, ``\\``
    escaped by ``\\``."""
    return ">".join(escape_name(name) for name in names)


# --- the map ----------------------------------------------------------------------------------


def map_table(project: Project, *, model: str | None = None) -> Table:
    """Each image on the 2-D map of a model's vectors (laid out first if needed)."""
    ids, xy = map_coordinates(project, model=model)
    listed = [int(i) for i in ids]
    return [
        *_where(load_image_sources(project.read()), listed),
        Column("x", "float", [float(v) for v in xy[:, 0]]),
        Column("y", "float", [float(v) for v in xy[:, 1]]),
    ]


# --- property values --------------------------------------------------------------------------

_TYPES: dict[str, ColumnType] = {"number": "float", "checkbox": "bool"}


def values_table(project: Project, *, properties: Sequence[str] | None = None) -> Table:
    """The columns of the values CSV, typed: numbers, true/false, tag paths as lists."""
    conn = project.read()
    chosen = _chosen(project, properties)
    rows = list_export_rows(conn)
    table = [
        Column(name, "text", [row[index + 2] for row in rows]) for index, name in enumerate(FIXED)
    ]
    for prop in chosen:
        column = ValueColumn(conn, prop)
        targets = [row[1] if prop.mode == "image" else row[0] for row in rows]
        if prop.is_tags:
            values: list[Any] = [column.paths(target) for target in targets]
            table.append(Column(header_of(prop), "texts", values))
        else:
            values = [column.raw(target) for target in targets]
            if prop.type == "checkbox":
                values = [None if value is None else bool(value) for value in values]
            elif prop.type == "number":
                values = [None if value is None else float(value) for value in values]
            else:
                values = [None if value is None else str(value) for value in values]
            table.append(Column(header_of(prop), _TYPES.get(prop.type, "text"), values))
    return table


def _chosen(project: Project, properties: Sequence[str] | None) -> list[Property]:
    conn = project.read()
    if properties:
        return [load_property(conn, name) for name in properties]
    return list_properties(conn)

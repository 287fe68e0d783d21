"""CSV export and import of property values, one row per file instance.

Columns: ``folder``, ``path``, ``sha1``, then one column per property headed
``Name [type, mode]``. A tag is written as its path from a root tag, ``Animals>Cats``; a tag with
several parents is written once per path, so the hierarchy (a DAG) comes back whole. Several
tags in one cell are separated by ``|``; a ``|``, ``>`` or ``\\`` inside a name is escaped with
``\\``. On import an empty cell leaves the stored value alone, and so does a cell of a
read-only property (metadata read from the files); informational columns without a
``[type, mode]`` heading that an export to a folder writes (:data:`INFORMATIONAL`) are skipped.
"""

from __future__ import annotations

import csv
import itertools
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from corpuscope.errors import InvalidInput
from corpuscope.services.annotations import journaled
from corpuscope.services.text_codes import HISTORY_LABELS
from corpuscope.services.value_types import format_value, normalize_value
from corpuscope.store import journal
from corpuscope.store import properties as props
from corpuscope.store import tags as tagstore
from corpuscope.store import values as valstore
from corpuscope.store.db import Project, in_one_snapshot
from corpuscope.store.files import list_export_rows, locate_file
from corpuscope.store.journal import Scope
from corpuscope.store.properties import Property
from corpuscope.store.tags import Tag
from corpuscope.store.values import Scalar

FIXED = ("folder", "path", "sha1")
#: Columns an export to a folder adds after the fixed ones; an import skips them.
INFORMATIONAL = ("exported", "group")
#: The longest cell read (Python's csv module stops at 131,072 characters by default; an
#: exported cell of many long tag paths can be longer).
MAX_CELL = 16 * 1024 * 1024
_HEADER = re.compile(r"^(?P<name>.+?) \[(?P<type>[a-z_]+), (?P<mode>image|instance)\]$")


def header_of(prop: Property) -> str:
    return f"{prop.name} [{prop.type}, {prop.mode}]"


def escape_name(name: str) -> str:
    """A tag name inside a path: ``|``, ``>`` and ``\\`` escaped with ``\\``."""
    return name.replace("\\", "\\\\").replace("|", "\\|").replace(">", "\\>")


def split_escaped(text: str, separator: str) -> list[str]:
    """Split on unescaped ``separator``; escapes are kept for the next level."""
    parts, current, index = [], [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index : index + 2])
            index += 2
            continue
        if char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


#: A tag with at most this many paths from the root tags is written once per path; one with
#: more (a hierarchy whose paths multiply: 2^40 for 40 levels of two tags each linked to both
#: above) is written with fewer paths that still hold every parent link above it.
MAX_PATHS = 64


def tag_ids_paths(tag_id: int, tags: dict[int, Tag]) -> list[list[int]]:
    """Paths of tag ids from root tags down to ``tag_id`` that hold every parent link above it:
    all of them when there are at most :data:`MAX_PATHS`, else one path per link not yet
    written (at most one per link). No recursion: a hierarchy 1,100 levels deep is fine."""
    order = _ancestors(tag_id, tags)
    counts: dict[int, int] = {}
    for node in reversed(order):  # parents before children
        parents = tags[node].parents
        counts[node] = min(MAX_PATHS + 1, sum(counts[p] for p in parents) if parents else 1)
    if counts[tag_id] <= MAX_PATHS:
        return _every_path(tag_id, tags)
    return _covering_paths(tag_id, order, tags)


def tag_paths(tag_id: int, tags: dict[int, Tag]) -> list[list[str]]:
    """The names along :func:`tag_ids_paths`."""
    return [[tags[step].name for step in path] for path in tag_ids_paths(tag_id, tags)]


def _ancestors(tag_id: int, tags: dict[int, Tag]) -> list[int]:
    """``tag_id`` and every tag above it, each after all the tags below it that lead to it."""
    seen: set[int] = set()
    finished: list[int] = []
    stack: list[tuple[int, bool]] = [(tag_id, False)]
    while stack:
        node, done = stack.pop()
        if done:
            finished.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((parent, False) for parent in tags[node].parents if parent not in seen)
    return finished[::-1]  # reverse post-order over parent links: children first


def _every_path(tag_id: int, tags: dict[int, Tag]) -> list[list[int]]:
    """Every path, in the order of the parents (the first parent's paths first)."""
    paths: list[list[int]] = []
    stack: list[tuple[int, list[int]]] = [(tag_id, [])]
    while stack:
        node, below = stack.pop()
        steps = [node, *below]
        parents = tags[node].parents
        if not parents:
            paths.append(steps)
        stack.extend((parent, steps) for parent in reversed(parents))
    return paths


def _covering_paths(tag_id: int, order: list[int], tags: dict[int, Tag]) -> list[list[int]]:
    """Paths that together hold every parent link above ``tag_id``, each adding one at least."""
    toward: dict[int, int] = {}  # an ancestor -> its child on a way down to tag_id
    links: list[tuple[int, int]] = []
    for node in order:
        for parent in tags[node].parents:
            links.append((parent, node))
            toward.setdefault(parent, node)
    written: set[tuple[int, int]] = set()
    paths: list[list[int]] = []
    for parent, child in links:
        if (parent, child) in written:
            continue
        up = [parent]
        while tags[up[-1]].parents:  # up to a root, through links not yet written if any
            node = up[-1]
            fresh = [p for p in tags[node].parents if (p, node) not in written]
            up.append(fresh[0] if fresh else tags[node].parents[0])
        down = [child]
        while down[-1] != tag_id:
            down.append(toward[down[-1]])
        chain = [*reversed(up), *down]
        written.update(itertools.pairwise(chain))
        paths.append(chain)
    return paths


def tag_cells(tag_ids: Iterable[int], tags: dict[int, Tag]) -> list[str]:
    """Each tag's paths from a root, like ``Animals>Cats`` (names escaped)."""
    return [
        ">".join(escape_name(name) for name in path)
        for tag_id in tag_ids
        for path in tag_paths(tag_id, tags)
    ]


def format_tags(tag_ids: Iterable[int], tags: dict[int, Tag]) -> str:
    return "|".join(tag_cells(tag_ids, tags))


def parse_tags(cell: str) -> list[list[str]]:
    """``A>B|C`` -> ``[["A", "B"], ["C"]]``."""
    return [
        [_unescape(name).strip() for name in split_escaped(item, ">")]
        for item in split_escaped(cell, "|")
        if item.strip()
    ]


# --- export -----------------------------------------------------------------------------------


@in_one_snapshot
def export_csv(project: Project, out: TextIO, *, properties: list[str] | None = None) -> int:
    """Write every file (ok or missing) with the chosen properties; return the row count."""
    conn = project.read()
    chosen = (
        [props.load_property(conn, name) for name in properties]
        if properties
        else props.list_properties(conn)
    )
    columns = [ValueColumn(conn, prop) for prop in chosen]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*FIXED, *(header_of(prop) for prop in chosen)])
    count = 0
    for file_id, image_id, folder, path, sha1 in list_export_rows(conn):
        cells = [
            column(image_id if prop.mode == "image" else file_id)
            for prop, column in zip(chosen, columns, strict=True)
        ]
        writer.writerow([folder, path, sha1, *cells])
        count += 1
    return count


class ValueColumn:
    """The values of one property, loaded once; called with a target, its CSV cell."""

    def __init__(self, conn: sqlite3.Connection, prop: Property) -> None:
        self.prop = prop
        if prop.is_tags:
            self.tags = {tag.id: tag for tag in tagstore.list_tags(conn, prop.id)}
            self.tag_values = valstore.load_tag_values(conn, prop)
            self.written: dict[int, list[str]] = {}  # a tag's paths, worked out once per export
        else:
            self.scalars = valstore.load_scalar_values(conn, prop)

    def __call__(self, target: int) -> str:
        if self.prop.is_tags:
            return "|".join(self.paths(target))
        value = self.scalars.get(target)
        return "" if value is None else format_value(self.prop.type, value)

    def paths(self, target: int) -> list[str]:
        """A tag property's value: each of its tags' paths, like ``Animals>Cats``."""
        return [cell for tag_id in self.tag_values.get(target, []) for cell in self._cells(tag_id)]

    def _cells(self, tag_id: int) -> list[str]:
        if tag_id not in self.written:
            self.written[tag_id] = tag_cells([tag_id], self.tags)
        return self.written[tag_id]

    def raw(self, target: int) -> Scalar | None:
        """A scalar property's stored value."""
        return self.scalars.get(target)


# --- import -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvImportSummary:
    rows: int
    values: int
    unmatched: int
    properties_created: int
    tags_created: int


def import_csv(project: Project, source: TextIO) -> CsvImportSummary:
    """Set values from a CSV made by :func:`export_csv` (or by hand in the same shape)."""
    header, *rows = _read_rows(source)
    if tuple(header[:3]) != FIXED:
        raise InvalidInput("The CSV file must start with the columns folder, path, sha1.")
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise InvalidInput(f"Line {number} of the CSV has {len(row)} cells, not {len(header)}.")
    kept = [i for i, text in enumerate(header) if i < len(FIXED) or text not in INFORMATIONAL]
    specs = [_parse_header(header[i]) for i in kept[len(FIXED) :]]
    rows = [[row[i] for i in kept] for row in rows]
    with journaled(
        project, HISTORY_LABELS.write("history.import_csv"), lambda c: _csv_scope(c, specs)
    ) as conn:
        return _CsvImport(conn, specs).run(rows)


def _read_rows(source: TextIO) -> list[list[str]]:
    """Every row of the CSV file; a cell past :data:`MAX_CELL` or a malformed line is an error
    naming its line."""
    csv.field_size_limit(MAX_CELL)  # the module's limit is global; this is corpuscope's
    reader = csv.reader(source)
    try:
        rows = list(reader)
    except csv.Error as error:
        line = reader.line_num
        if "field limit" in str(error):
            raise InvalidInput(
                f"Line {line} of the CSV file has a cell longer than {MAX_CELL:,} characters."
            ) from None
        raise InvalidInput(f"Line {line} of the CSV file cannot be read ({error}).") from None
    if not rows:
        raise InvalidInput("The CSV file is empty.")
    return rows


def _parse_header(text: str) -> tuple[str, str, str]:
    match = _HEADER.match(text)
    if match is None or match["type"] not in props.PROPERTY_TYPES:
        raise InvalidInput(
            f"Cannot read the column heading {text!r}; write it as 'Name [type, mode]'."
        )
    return match["name"], match["type"], match["mode"]


def _csv_scope(conn: sqlite3.Connection, specs: list[tuple[str, str, str]]) -> Scope:
    ids = []
    next_id = props.next_property_id(conn)
    for name, _, _ in specs:
        found = props.find_property(conn, name)
        if found is not None and found.read_only:
            continue  # never changed by an import
        ids.append(found.id if found else next_id)
        next_id += found is None
    slices = tuple(piece for pid in ids for piece in journal.property_scope(pid).slices)
    return Scope(slices)


class _CsvImport:
    def __init__(self, conn: sqlite3.Connection, specs: list[tuple[str, str, str]]) -> None:
        self.conn = conn
        self.created_properties = self.created_tags = 0
        self.properties = [self._property(*spec) for spec in specs]

    def _property(self, name: str, type_: str, mode: str) -> Property:
        found = props.find_property(self.conn, name)
        if found is None:
            self.created_properties += 1
            return props.save_property(self.conn, name, type_, mode)
        if (found.type, found.mode) != (type_, mode):
            raise InvalidInput(
                f"The property {name!r} exists as [{found.type}, {found.mode}], "
                f"but the CSV says [{type_}, {mode}]."
            )
        return found

    def run(self, rows: list[list[str]]) -> CsvImportSummary:
        count = unmatched = 0
        for number, row in enumerate(rows, start=2):
            found = locate_file(self.conn, row[0], row[1], row[2])
            if found is None:
                unmatched += 1
                continue
            file_id, image_id = found
            for prop, cell in zip(self.properties, row[3:], strict=True):
                if cell.strip() and not prop.read_only:
                    self._set(prop, file_id if prop.mode == "instance" else image_id, cell, number)
                    count += 1
        return CsvImportSummary(
            len(rows), count, unmatched, self.created_properties, self.created_tags
        )

    def _set(self, prop: Property, target: int, cell: str, line: int) -> None:
        try:
            if prop.is_tags:
                tag_ids = sorted({self._tag(prop, path) for path in parse_tags(cell)})
                valstore.clear_values(self.conn, prop, [target])
                valstore.add_tag_values(self.conn, prop, [target], tag_ids)
            else:
                value = normalize_value(prop.type, cell)
                valstore.set_scalar_values(self.conn, prop, [target], value)
        except InvalidInput as error:
            raise InvalidInput(f"Line {line}, column {prop.name!r}: {error}") from None

    def _tag(self, prop: Property, path: list[str]) -> int:
        parent: int | None = None
        tag: Tag | None = None
        for name in path:
            tag = tagstore.find_tag(self.conn, prop.id, name)
            if tag is None:
                tag = tagstore.save_tag(self.conn, prop, name)
                self.created_tags += 1
            if parent is not None and parent not in tag.parents:
                tagstore.add_parent(self.conn, tag.id, parent)
            parent = tag.id
        assert tag is not None
        return tag.id
